"""RK1xx: identity and references: ids are unique and match file names, references resolve."""

from __future__ import annotations

from collections.abc import Iterator

from riskctl.findings import Hit, Severity, Where
from riskctl.lint.rules import RuleContext, rule
from riskctl.model.acceptance import Acceptance
from riskctl.model.common import ID_EXAMPLES, ID_REGEXES
from riskctl.model.owner import Owner
from riskctl.model.register import CONFIG_FILE, KINDS
from riskctl.model.risk import Risk


@rule("RK101", "duplicate-id")
def duplicate_id(context: RuleContext) -> Iterator[Hit]:
    """No two files of one kind declare the same id.

    Why: references resolve by id; with two candidates, which one a reference means is a guess.
    Fires:   `risks/R-002.yaml` saying `id: R-001` while `risks/R-001.yaml` exists
             (reported on every file after the first, at its id)
    Passes:  every id once
    """
    register = context.register
    duplicated = {
        kind.name
        for kind in KINDS
        if len(register.records_of(kind.name)) != len(register.of_kind(kind.name))
    }  # a kind with as many ids as files has none twice: the common case, nothing to scan
    if not duplicated:
        return
    first_file: dict[tuple[str, str], str] = {}
    for record in register.records:
        if record.kind not in duplicated:
            continue
        key = (record.kind, record.entity.id)
        if key in first_file:
            yield Hit(
                context.where(record, "id"),
                f"duplicate {record.kind} id {record.entity.id}: "
                f"also declared in {first_file[key]}",
            )
        else:
            first_file[key] = record.file


@rule("RK102", "id-not-file-name")
def id_not_file_name(context: RuleContext) -> Iterator[Hit]:
    """A file is named after the id it declares: `risks/R-001.yaml` holds `id: R-001`.

    Why: people and tools find an entity by its file name; a mismatch hides it.
    Fires:   `risks/R-002.yaml` with `id: R-001`
    Passes:  `risks/R-001.yaml` with `id: R-001`
    """
    for record in context.register.records:
        stem = record.file.rpartition("/")[2].removesuffix(".yaml")
        if stem != record.entity.id:
            yield Hit(
                context.where(record, "id"),
                f"id {record.entity.id} does not match the file name {stem}.yaml; "
                f"rename the file to {record.entity.id}.yaml or fix the id",
            )


@rule("RK103", "unknown-reference")
def unknown_reference(context: RuleContext) -> Iterator[Hit]:
    """Every reference names an entity of the right kind that exists in the register.

    Why: a risk that names a missing control is credited with nothing, silently.
    References: risk → owner, controls, kris; control → owner; incident → owner, risks,
    failed_controls, action owners; kri → risks, owner; launch → owner, risks, failure modes'
    controls and risk, monitoring kris; acceptance → risk, approver; owner → escalation.
    Fires:   `controls: [C-001, C-404]` when there is no `controls/C-404.yaml`
    Passes:  every named id has its file (even a retired control or a file with other errors)
    """
    known = context.register.known_ids
    for record, made in context.references:
        for reference in made:
            if reference.target in known.get(reference.kind, ()):
                continue
            pattern = ID_REGEXES[reference.kind]
            shape = (
                ""
                if pattern.match(reference.target)
                else f" (a {reference.kind} id is {ID_EXAMPLES[reference.kind]})"
            )
            yield Hit(
                context.where(record, *reference.path),
                f"{record.entity.id} refers to {reference.kind} {reference.target!r}, "
                f"which is not in the register{shape}",
            )


@rule("RK104", "unknown-category")
def unknown_category(context: RuleContext) -> Iterator[Hit]:
    """A risk's category is one of the categories in `riskctl.yaml`.

    Why: the category sets the risk's appetite; an unknown one leaves the risk unjudged.
    Fires:   `category: payment-fraud` when riskctl.yaml lists only `payments-fraud`
    Passes:  `category: payments-fraud`
    """
    categories = {category.id for category in context.config.categories}
    for record in context.register.records:
        if isinstance(record.entity, Risk) and record.entity.category not in categories:
            known = ", ".join(sorted(categories))
            yield Hit(
                context.where(record, "category"),
                f"{record.entity.id} has category {record.entity.category!r}, which riskctl.yaml "
                f"does not define (categories: {known})",
            )


@rule("RK105", "escalation-cycle")
def escalation_cycle(context: RuleContext) -> Iterator[Hit]:
    """Following owners' `escalation` never comes back to where it started.

    Why: an escalation that loops never reaches someone with more authority.
    Fires:   `a` escalates to `b` and `b` escalates to `a` (reported on each owner in the loop),
             or an owner escalating to itself
    Passes:  a chain that ends at an owner without `escalation`
    """
    owners = context.register.by_id(Owner)
    for owner_id, owner in owners.items():
        seen = [owner_id]
        current = owner.escalation
        while current is not None and current in owners and current not in seen:
            seen.append(current)
            current = owners[current].escalation
        if current == owner_id:
            record = context.register.record("owner", owner_id)
            assert record is not None
            loop = " → ".join([*seen, owner_id])
            yield Hit(context.where(record, "escalation"), f"escalation loops back: {loop}")


@rule("RK106", "duplicate-reference", Severity.WARNING)
def duplicate_reference(context: RuleContext) -> Iterator[Hit]:
    """A list of references names each id once.

    Why: a control listed twice under a risk still counts once in its residual; the repeat is a
    copy-and-paste slip that hides which control was meant.
    Fires:   `controls: [C-001, C-002, C-001]` (reported at the second C-001)
    Passes:  `controls: [C-001, C-002]`; the same control in two different lists
    """
    for record, made in context.references:
        in_lists = [reference for reference in made if isinstance(reference.path[-1], int)]
        if len({reference.target for reference in in_lists}) == len(in_lists):
            continue  # no id twice in the whole entity, so none twice in one list
        seen: set[tuple[tuple[str | int, ...], str]] = set()
        for reference in in_lists:
            key = (reference.path[:-1], reference.target)
            if key in seen:
                listed = ".".join(str(part) for part in reference.path[:-1])
                yield Hit(
                    context.where(record, *reference.path),
                    f"{record.entity.id} lists {reference.target} twice in {listed}",
                )
            seen.add(key)


# --- codeowners: owners' github handles, when riskctl.yaml enables `codeowners` -------------


@rule("RK107", "approver-without-github-handle")
def approver_without_github_handle(context: RuleContext) -> Iterator[Hit]:
    """When codeowners is enabled, every approver has a `github` handle.

    Why: `riskctl codeowners` makes an acceptance's approver the required reviewer of its file,
    and the default owners those of riskctl.yaml and of new files; an approver without a handle
    gets no CODEOWNERS line, so a pull request can extend the acceptance or raise the appetite
    without them. Reported where the approval is named (the acceptance's `approver`, an entry
    of `codeowners.default_owners`), so the change that names an approver is the one flagged.
    Only with `codeowners: {enabled: true}` in riskctl.yaml.
    Fires:   `approver: head-of-risk` when owners/head-of-risk.yaml has no `github`;
             `default_owners: [cfo]` when there is no owner `cfo`
    Passes:  the approver has `github: "@acme-praman"`; codeowners not enabled
    """
    settings = context.config.codeowners
    if not settings.enabled:
        return
    owners = context.register.by_id(Owner)
    yield from _named_without_handle(context, Acceptance, "approver")
    for index, owner_id in enumerate(settings.default_owners):
        where = Where(CONFIG_FILE, ("codeowners", "default_owners", index))
        if not context.register.has("owner", owner_id):
            yield Hit(
                where, f"codeowners.default_owners names owner {owner_id!r}, not in the register"
            )
        elif owner_id in owners and owners[owner_id].github is None:
            yield Hit(
                where,
                f"default owner {owner_id} has no github handle, so CODEOWNERS cannot require "
                f"their review; add `github:` to owners/{owner_id}.yaml",
            )


@rule("RK108", "risk-owner-without-github-handle", Severity.WARNING)
def risk_owner_without_github_handle(context: RuleContext) -> Iterator[Hit]:
    """When codeowners is enabled, every risk's owner has a `github` handle.

    Why: `riskctl codeowners` makes a risk's owner the required reviewer of its file; without a
    handle the file falls to the default owners, and the person accountable for the risk is
    not asked when its rating or controls change.
    Only with `codeowners: {enabled: true}` in riskctl.yaml.
    Fires:   `owner: payments-risk` when owners/payments-risk.yaml has no `github`
    Passes:  the owner has `github: "@acme-live/payments-risk"`; codeowners not enabled
    """
    if not context.config.codeowners.enabled:
        return
    yield from _named_without_handle(context, Risk, "owner")


def _named_without_handle(
    context: RuleContext, model: type[Acceptance] | type[Risk], field: str
) -> Iterator[Hit]:
    """RK107 and RK108: each entity of `model` whose `field` names an owner without a handle."""
    owners = context.register.by_id(Owner)
    for record in context.register.records:
        if isinstance(record.entity, model):
            named = owners.get(getattr(record.entity, field))
            if named is not None and named.github is None:
                yield Hit(
                    context.where(record, field),
                    f"{record.entity.id}'s {field} {named.id} has no github handle, so "
                    f"CODEOWNERS cannot require their review; add `github:` to "
                    f"owners/{named.id}.yaml",
                )
