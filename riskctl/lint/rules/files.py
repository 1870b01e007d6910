"""RK0xx: files, YAML and schema (found by the loader, cannot be disabled), and waivers."""

from __future__ import annotations

from collections.abc import Iterator

from riskctl.findings import Hit, Severity
from riskctl.lint.rules import RuleContext, rule


def _from_loader(context: RuleContext, code: str) -> Iterator[Hit]:
    return (hit for hit in context.load_hits if hit.code == code)


@rule("RK001", "yaml-syntax-error", can_disable=False)
def yaml_syntax_error(context: RuleContext) -> Iterator[Hit]:
    """The file is well-formed YAML.

    Why: a file the parser rejects cannot be checked at all; nothing in it counts.
    Fires:   `title: "unclosed`, a tab used for indentation, `key: [1, 2`
    Passes:  the same file with the quote, the spaces or the bracket fixed
    The finding points where the parser detected the problem, which can be after the mistake.
    """
    return _from_loader(context, "RK001")


@rule("RK002", "duplicate-key", can_disable=False)
def duplicate_key(context: RuleContext) -> Iterator[Hit]:
    """A mapping names each key once.

    Why: YAML forbids duplicate keys and parsers disagree on which value wins (PyYAML keeps the
    last, riskctl and ruamel.yaml reject it), so the file means different things to different
    tools. riskctl keeps the first value and reports the second key.
    Fires:   `owner: payments-risk` and, later in the same mapping, `owner: fraud-ops`
    Passes:  one `owner:` key
    """
    return _from_loader(context, "RK002")


@rule("RK003", "not-a-mapping", can_disable=False)
def not_a_mapping(context: RuleContext) -> Iterator[Hit]:
    """A register file holds exactly one YAML document, and that document is a mapping.

    Why: one entity per file, its fields as keys.
    Fires:   an empty file, a file that is a list or a single value, a second `---` document
    Passes:  `id: R-001` followed by the risk's other fields
    """
    return _from_loader(context, "RK003")


@rule("RK004", "unsupported-yaml", can_disable=False)
def unsupported_yaml(context: RuleContext) -> Iterator[Hit]:
    """The file uses only plain YAML: no tags, no complex keys, bounded aliases and nesting.

    Why: tags such as `!!python/object` ask a loader to build objects (riskctl never does), and
    alias bombs and deep nesting exhaust memory or time. Register data needs none of them.
    Fires:   `owner: !!python/object:os.system x`, `? [a, b] : c`, an alias bomb
             (billion laughs), more than 64 levels of nesting, `!!int abc`
    Passes:  plain scalars, lists and mappings; a few anchors and aliases
    """
    return _from_loader(context, "RK004")


@rule("RK005", "unknown-key", can_disable=False)
def unknown_key(context: RuleContext) -> Iterator[Hit]:
    """Every key is a field of the entity's schema.

    Why: a misspelt key (`titel`) would otherwise be ignored silently and its value lost.
    Fires:   `titel: Card testing` in a risk (with a "did you mean 'title'?" hint)
    Passes:  `title: Card testing`
    """
    return _from_loader(context, "RK005")


@rule("RK006", "missing-key", can_disable=False)
def missing_key(context: RuleContext) -> Iterator[Hit]:
    """Every required field is present.

    Why: a risk without an owner or an inherent rating cannot be scored or escalated.
    Required: risk id, title, category, owner, inherent {likelihood, impact}; control id, title,
    owner, nature; owner id, name; incident id, kind, title, occurred, severity; kri id, title,
    owner, direction, thresholds {amber, red}; launch id, title, owner, launch_date; acceptance id,
    risk, approver, decided, rationale.
    Fires:   a risk file without `owner:` (reported at the mapping that lacks it)
    Passes:  the same file with `owner: payments-risk`
    """
    return _from_loader(context, "RK006")


@rule("RK007", "invalid-value", can_disable=False)
def invalid_value(context: RuleContext) -> Iterator[Hit]:
    """Every value has the type and range its field requires, and every id has its kind's format.

    Why: `likelihood: 7` or `status: opne` cannot be scored, and `R-17` is not an id (risks are
    `R-` and 3 or more digits; incidents `INC-YYYY-NNN`; owners a kebab-case slug).
    Fires:   `likelihood: 7`, `key: yes` (booleans are `true`/`false`), `reviewed: 2026-13-01`,
             `id: R-17`
    Passes:  `likelihood: 4`, `key: true`, `reviewed: 2026-10-01`, `id: R-017`
    """
    return _from_loader(context, "RK007")


@rule("RK008", "unreadable-file", can_disable=False)
def unreadable_file(context: RuleContext) -> Iterator[Hit]:
    """The file can be read as UTF-8 text from inside the register.

    Why: binary files and other encodings are not YAML riskctl can read; a symlink that leaves
    the register could expose any file on the machine.
    Fires:   a file with a NUL byte or Latin-1 bytes, a symlink to `/etc/passwd`
    Passes:  a UTF-8 file (with or without a byte-order mark), a symlink within the register
    """
    return _from_loader(context, "RK008")


@rule("RK009", "unexpected-file", Severity.WARNING, can_disable=False)
def unexpected_file(context: RuleContext) -> Iterator[Hit]:
    """Every file is where the register expects it: `ID.yaml` in its kind's folder.

    Why: a file in an unknown folder or with another extension is never read, so its content
    silently does not count. Hidden files and a top-level README are ignored.
    Fires:   `risks/R-001.yml`, `risk/R-001.yaml`, `notes.yaml` at the top level
    Passes:  `risks/R-001.yaml`, `README.md`
    """
    return _from_loader(context, "RK009")


@rule("RK010", "waiver-expired", date_dependent=True)
def waiver_expired(context: RuleContext) -> Iterator[Hit]:
    """A waiver has not expired.

    Why: a waiver is a time-limited decision; once it expires, the finding it hid is back and
    the waiver must be renewed (with a new review) or removed.
    Fires:   `waivers: [{rule: RK301, reason: ..., expires: 2026-01-31}]` checked after that date
    Passes:  the same waiver checked on or before 2026-01-31
    """
    for record, index, waiver in context.waivers:
        if waiver.expires is not None and waiver.expires < context.today:
            yield Hit(
                context.where(record, "waivers", index, "expires"),
                f"waiver of {waiver.rule} on {record.entity.id} expired on {waiver.expires}; "
                "it no longer applies",
            )


@rule("RK011", "waiver-without-reason")
def waiver_without_reason(context: RuleContext) -> Iterator[Hit]:
    """A waiver says why the finding is acceptable.

    Why: a reviewer must be able to judge the exception; a waiver without a reason does not
    waive anything.
    Fires:   `waivers: [{rule: RK301}]`, or `reason: ""`
    Passes:  `waivers: [{rule: RK301, reason: "annual test moved to Q1 with audit's agreement"}]`
    """
    for record, index, waiver in context.waivers:
        if not (waiver.reason or "").strip():
            yield Hit(
                context.where(record, "waivers", index),
                f"waiver of {waiver.rule} on {record.entity.id} has no reason; "
                "it does not apply until it has one",
            )


@rule("RK012", "waiver-unknown-rule")
def waiver_unknown_rule(context: RuleContext) -> Iterator[Hit]:
    """A waiver names an existing rule, by code or by name.

    Why: a misspelt rule waives nothing while looking as if it did.
    Fires:   `waivers: [{rule: RK999, reason: ...}]`
    Passes:  `waivers: [{rule: RK010, reason: ...}]`, or `rule: waiver-expired`
    """
    for record, index, waiver in context.waivers:
        if context.find_rule(waiver.rule) is None:
            yield Hit(
                context.where(record, "waivers", index, "rule"),
                f"waiver names no rule: {waiver.rule!r} is neither a rule code nor a rule name",
            )
