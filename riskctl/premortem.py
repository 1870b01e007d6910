"""Launch pre-mortems: RPN, AIAG-VDA action priority, ranking, and draft risks for failure modes.

Each failure mode of a launch is rated S, O and D on 1-10 scales (AIAG & VDA, *FMEA Handbook*,
1st ed., 2019; ../shared/reference/fmea-premortem.md). Two numbers follow from the ratings:

- **RPN** = S * O * D (1-1000). Shown, but secondary: only 120 distinct values occur, very
  different risks tie, and multiplying ordinal ratings has no arithmetic meaning
  (fmea-premortem.md section 1).
- **Action priority** (AP): H, M or L, looked up in the AIAG-VDA table, which weighs S first,
  then O, then D. The table ships as data (`riskctl/data/action-priority.yaml`, transcribed and
  not verified against the handbook) and `premortem: {action_priority: ...}` in riskctl.yaml
  replaces it.

Failure modes are ranked by AP, then RPN, then S and O (the handbook's order of weight), then
id. The core returns values; `riskctl/cli/premortem.py` prints them and writes the drafts.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import json
import math
import re
import textwrap
from dataclasses import dataclass
from typing import NamedTuple

from riskctl import load
from riskctl.errors import RiskctlError
from riskctl.model.config import ActionPriorityTable, Config, Priority
from riskctl.model.launch import FailureMode, Launch, Monitoring
from riskctl.model.owner import Owner
from riskctl.model.register import Register
from riskctl.model.risk import Risk
from riskctl.textsafe import visible

#: The shipped table, inside the package: `riskctl/data/action-priority.yaml`.
SHIPPED_TABLE = "action-priority.yaml"
#: Where the table in force came from, as output names it.
SHIPPED_ORIGIN = "riskctl/data/action-priority.yaml"
CONFIG_ORIGIN = "riskctl.yaml"
#: Rank of each priority, most urgent first.
PRIORITY_RANK: dict[str, int] = {"H": 0, "M": 1, "L": 2}


# --- the action priority table ----------------------------------------------------------------


class TableInForce(NamedTuple):
    """The action priority table used, and where it came from."""

    table: ActionPriorityTable
    origin: str


@functools.cache
def shipped_table() -> ActionPriorityTable:
    """The AIAG-VDA table shipped in the package, read with `importlib.resources`.

    Read from the installed package (a wheel, a zip), not from the source tree. Parsed and
    validated like a register file; a broken file is an operational error naming the problem.
    """
    resource = importlib.resources.files("riskctl") / "data" / SHIPPED_TABLE
    try:
        raw = resource.read_bytes()
    except OSError as error:
        raise RiskctlError(
            f"{SHIPPED_ORIGIN}: cannot read the action priority table: {error}"
        ) from None
    parsed = load.parse(SHIPPED_ORIGIN, raw)
    problems = [hit.message for hit in parsed.hits]
    table = None
    if parsed.data is not None:
        table, hits = load.validate(SHIPPED_ORIGIN, parsed.data, ActionPriorityTable)
        problems += [hit.message for hit in hits]
    if table is None or problems:
        raise RiskctlError(
            f"{SHIPPED_ORIGIN}: broken action priority table: {'; '.join(problems) or 'empty'}"
        )
    assert isinstance(table, ActionPriorityTable)
    return table


def table_in_force(config: Config) -> TableInForce:
    """riskctl.yaml's `premortem.action_priority` if set (validated with the config), else the
    shipped table."""
    override = config.premortem.action_priority
    if override is not None:
        return TableInForce(override, CONFIG_ORIGIN)
    return TableInForce(shipped_table(), SHIPPED_ORIGIN)


@functools.cache
def _grid(table: ActionPriorityTable) -> dict[tuple[int, int, int], Priority]:
    """The priority of each of the 1,000 S/O/D combinations (the model checked the coverage)."""
    grid: dict[tuple[int, int, int], Priority] = {}
    for row in table.rows:
        for (low, high), priority in zip(table.detection_bands, row.ap, strict=True):
            for severity in range(row.severity[0], row.severity[1] + 1):
                for occurrence in range(row.occurrence[0], row.occurrence[1] + 1):
                    for detection in range(low, high + 1):
                        grid[severity, occurrence, detection] = priority
    return grid


def action_priority(
    table: ActionPriorityTable, severity: int, occurrence: int, detection: int
) -> Priority:
    """The AIAG-VDA action priority (H, M, L) of a rating, from `table`."""
    return _grid(table)[severity, occurrence, detection]


def rpn(severity: int, occurrence: int, detection: int) -> int:
    """The risk priority number S * O * D (fmea-premortem.md section 1)."""
    return severity * occurrence * detection


# --- rating and ranking -----------------------------------------------------------------------


@dataclass(frozen=True)
class RatedMode:
    """A failure mode with its RPN and action priority; `index` is its place in the file."""

    mode: FailureMode
    index: int
    rpn: int
    ap: Priority

    @property
    def has_response(self) -> bool:
        """Whether it lists an action or gives a justification (blank text counts as none)."""
        return any(action.strip() for action in self.mode.actions) or bool(
            (self.mode.justification or "").strip()
        )


@dataclass(frozen=True)
class Watch:
    """A monitoring entry and whether its window has lapsed without a review."""

    monitoring: Monitoring
    index: int
    lapsed: bool


@dataclass(frozen=True)
class LaunchReview:
    """A launch with its failure modes ranked and its monitoring checked."""

    launch: Launch
    failure_modes: tuple[RatedMode, ...]
    monitoring: tuple[Watch, ...]


@dataclass(frozen=True)
class Premortem:
    """Every launch asked for, in id order, and the table that gave the priorities."""

    launches: tuple[LaunchReview, ...]
    table: TableInForce
    today: datetime.date


def rate(mode: FailureMode, index: int, table: ActionPriorityTable) -> RatedMode:
    """A failure mode's RPN and action priority."""
    ratings = (mode.severity, mode.occurrence, mode.detection)
    return RatedMode(mode, index, rpn(*ratings), action_priority(table, *ratings))


def rank_key(rated: RatedMode) -> tuple[int, int, int, int, str]:
    """AP first (H, M, L), then RPN, S and O, highest first, then id.

    RPN is only the second key: (9, 8, 3) and (6, 6, 6) are both 216 but AP H and M
    (fmea-premortem.md section 1).
    """
    mode = rated.mode
    return (PRIORITY_RANK[rated.ap], -rated.rpn, -mode.severity, -mode.occurrence, mode.id)


def is_lapsed(monitoring: Monitoring, today: datetime.date) -> bool:
    """Whether a monitoring window ended before today without a review on or after its end."""
    return monitoring.until < today and is_review_pending(monitoring)


def is_review_pending(monitoring: Monitoring) -> bool:
    """Whether a monitoring window still needs its review (none on or after `until`): due on
    `until`, lapsed the day after (lint RK703, `riskctl due`)."""
    return monitoring.reviewed is None or monitoring.reviewed < monitoring.until


def needs_response(rated: RatedMode) -> bool:
    """A failure mode with action priority H and neither an action nor a justification (lint
    RK701; `riskctl due` wants the decision before the launch date)."""
    return rated.ap == "H" and not rated.has_response


def review_launch(launch: Launch, table: ActionPriorityTable, today: datetime.date) -> LaunchReview:
    """One launch: failure modes rated and ranked, monitoring windows checked."""
    rated = [rate(mode, index, table) for index, mode in enumerate(launch.failure_modes)]
    watches = tuple(
        Watch(entry, index, is_lapsed(entry, today))
        for index, entry in enumerate(launch.monitoring)
    )
    return LaunchReview(launch, tuple(sorted(rated, key=rank_key)), watches)


def find_launch(register: Register, launch_id: str) -> Launch:
    """The launch with this id; an unknown id is an operational error naming the known ones."""
    launches = register.by_id(Launch)
    if launch_id not in launches and register.has("launch", launch_id):
        raise RiskctlError(f"{launch_id} does not load; `riskctl lint` shows why")
    if launch_id not in launches:
        known = ", ".join(sorted(launches)) or "none"
        raise RiskctlError(f"no launch {launch_id!r} in the register; launches: {known}")
    return launches[launch_id]


def premortem(register: Register, today: datetime.date, launch_id: str | None = None) -> Premortem:
    """Every launch (or one), ranked, with the action priority table in force."""
    table = table_in_force(register.config)
    if launch_id is not None:
        launches = [find_launch(register, launch_id)]
    else:
        launches = sorted(register.by_id(Launch).values(), key=lambda launch: launch.id)
    reviews = tuple(review_launch(launch, table.table, today) for launch in launches)
    return Premortem(reviews, table, today)


# --- draft risks from failure modes -----------------------------------------------------------

#: The tag that marks a draft seeded from a failure mode, so that it is not seeded twice.
SEED_TAG = "seeded-from:{launch}/{mode}"
_RISK_NUMBER = re.compile(r"^R-(\d{3,})$")
#: Width the draft's folded description is wrapped at.
WRAP = 94


def draft_rating(severity: int, occurrence: int) -> tuple[int, int]:
    """(likelihood, impact) on the 1-5 scales from O and S on the 1-10 FMEA scales.

    fmea-premortem.md gives no mapping, so this is riskctl's: halve and round up, impact =
    ceil(S / 2) and likelihood = ceil(O / 2). It keeps the ends (S 9-10 → impact 5 severe,
    S 1-2 → 1) and never rates a draft lower than its FMEA rating suggests. A draft value:
    the analyst rates the risk.
    """
    return math.ceil(occurrence / 2), math.ceil(severity / 2)


@dataclass(frozen=True)
class DraftRisk:
    """A draft risk file for one failure mode: its id, its path in the register, its text."""

    risk_id: str
    file: str
    mode_id: str
    mode_index: int
    """The failure mode's place in the launch's `failure_modes`."""
    text: str


@dataclass(frozen=True)
class SeedPlan:
    """The drafts to write for a launch, and the failure modes left out, with why."""

    launch: Launch
    drafts: tuple[DraftRisk, ...]
    skipped: tuple[str, ...]


def next_risk_numbers(register: Register, count: int) -> list[str]:
    """`count` risk ids after the highest in the register (valid or not, or only a file name)."""
    names = set(register.known_ids.get("risk", set()))
    names |= {
        file.removeprefix("risks/").removesuffix(".yaml")
        for file in register.files
        if file.startswith("risks/")
    }
    numbers = [int(match[1]) for name in names if (match := _RISK_NUMBER.match(name))]
    highest = max(numbers, default=0)
    return [f"R-{number:03d}" for number in range(highest + 1, highest + 1 + count)]


def _launch_category(register: Register, launch: Launch) -> str:
    """The one category of the risks the launch links (its `risks` and failure modes' `risk`)."""
    risks = register.by_id(Risk)
    linked = [*launch.risks, *(mode.risk for mode in launch.failure_modes if mode.risk)]
    by_category: dict[str, set[str]] = {}
    for risk_id in linked:
        if risk_id in risks:
            by_category.setdefault(risks[risk_id].category, set()).add(risk_id)
    if len(by_category) == 1:
        return next(iter(by_category))
    categories = ", ".join(category.id for category in register.config.categories)
    if not by_category:
        raise RiskctlError(
            f"{launch.id} links no risk to take a category from; give --category "
            f"(categories: {categories})"
        )
    found = "; ".join(
        f"{category}: {', '.join(sorted(ids))}" for category, ids in sorted(by_category.items())
    )
    raise RiskctlError(
        f"the risks {launch.id} links are in more than one category ({found}); choose one "
        "with --category"
    )


def _check_owner(register: Register, owner: str, launch: Launch, given: bool) -> None:
    if register.has("owner", owner):
        return
    owners = ", ".join(sorted(register.by_id(Owner))) or "none"
    if given:
        raise RiskctlError(f"no owner {owner!r}; owners: {owners}")
    raise RiskctlError(
        f"{launch.id}'s owner {owner!r} is not in the register; give --owner (owners: {owners})"
    )


def _seeded_from(register: Register) -> dict[str, str]:
    """Risk id by seed tag, for drafts already written (first by id)."""
    seeded: dict[str, str] = {}
    for risk_id, risk in sorted(register.by_id(Risk).items()):
        for tag in risk.tags:
            if tag.startswith("seeded-from:"):
                seeded.setdefault(tag, risk_id)
    return seeded


def plan_drafts(
    register: Register,
    launch_id: str,
    today: datetime.date,
    owner: str | None = None,
    category: str | None = None,
    schema_line: str | None = None,
) -> SeedPlan:
    """Draft risks for the launch's failure modes that link no risk; nothing is written.

    The owner defaults to the launch's; the category is `category` or the one category of the
    risks the launch links. Failure modes with a draft already (a risk tagged
    `seeded-from:LAUNCH-ID/MODE`) are skipped. Problems the user can fix raise `RiskctlError`.
    """
    launch = find_launch(register, launch_id)
    _check_owner(register, owner or launch.owner, launch, given=owner is not None)
    if category is not None and category not in {each.id for each in register.config.categories}:
        known = ", ".join(each.id for each in register.config.categories)
        raise RiskctlError(f"no category {category!r} in riskctl.yaml; categories: {known}")
    seeded = _seeded_from(register)
    todo: list[tuple[int, FailureMode]] = []
    skipped: list[str] = []
    for index, mode in enumerate(launch.failure_modes):
        if mode.risk is not None:
            continue
        draft_id = seeded.get(SEED_TAG.format(launch=launch.id, mode=mode.id))
        if draft_id is not None:
            skipped.append(
                f"{launch.id} {mode.id}: {draft_id} is its draft already; link it with "
                f"`risk: {draft_id}`"
            )
        else:
            todo.append((index, mode))
    if todo and category is None:  # only needed when there is something to seed
        category = _launch_category(register, launch)
    table = table_in_force(register.config).table
    drafts = tuple(
        DraftRisk(
            risk_id,
            f"risks/{risk_id}.yaml",
            mode.id,
            index,
            draft_text(
                risk_id,
                launch,
                rate(mode, index, table),
                owner or launch.owner,
                category or "",
                today,
                schema_line,
            ),
        )
        for risk_id, (index, mode) in zip(next_risk_numbers(register, len(todo)), todo, strict=True)
    )
    return SeedPlan(launch, drafts, tuple(skipped))


def draft_text(
    risk_id: str,
    launch: Launch,
    rated: RatedMode,
    owner: str,
    category: str,
    today: datetime.date,
    schema_line: str | None = None,
) -> str:
    """The draft risk file: a header saying what it is and what to fill in, then the data.

    The content is chosen so that the draft lints clean apart from findings that ask for the
    analyst's judgement: RK208 (never reviewed) always, and, when the mechanical inherent rating
    is above the category's appetite, RK206 (no treatment plan) and RK504 (no KRI). It names
    no control, treatment or KRI (choosing them is the analyst's work) and has no `reviewed`
    date.
    """
    mode = rated.mode
    likelihood, impact = draft_rating(mode.severity, mode.occurrence)
    controls = [
        f"{kind} {', '.join(ids)}"
        for kind, ids in (
            ("prevention", mode.prevention_controls),
            ("detection", mode.detection_controls),
        )
        if ids
    ]
    lists = " and ".join(controls) or "none"
    kris = ", ".join(entry.kri for entry in launch.monitoring) or "none"
    rating = (
        f"S {mode.severity}, O {mode.occurrence}, D {mode.detection}: RPN {rated.rpn}, "
        f"action priority {rated.ap}"
    )
    header = [
        *([schema_line] if schema_line else []),
        *_comment(
            f"DRAFT risk seeded on {today} by `riskctl premortem --seed-risks` from failure mode "
            f"{mode.id} of {launch.id} ({launch.title}), {rating}. It is not an assessed risk "
            "yet. To finish it:"
        ),
        *_comment(
            "- title: say what could happen, to whom, with what effect (it starts as the "
            "failure mode's first sentence);",
            indent="  ",
        ),
        *_comment(
            "- inherent: rate likelihood and impact before any control on the 1-5 scales (the "
            "values below are mechanical; see their comment);",
            indent="  ",
        ),
        *_comment(
            "- controls and treatment: link the controls that mitigate it (the failure mode "
            f"lists {lists}) and choose a treatment; until then `riskctl lint` asks for a plan "
            "if the residual is above the category's appetite (RK206);",
            indent="  ",
        ),
        *_comment(
            f"- kris: the KRIs that would show it getting worse (the launch monitors {kris}); "
            "`riskctl lint` asks for one while the risk is above the category's appetite;",
            indent="  ",
        ),
        *_comment(
            "- reviewed: the date you reviewed it; until then `riskctl lint` warns that it was "
            "never reviewed (RK208);",
            indent="  ",
        ),
        *_comment(
            f"- link it: add `risk: {risk_id}` to {mode.id} in launches/{launch.id}.yaml, and "
            f"{risk_id} to its `risks` (`--link` does both);",
            indent="  ",
        ),
        *_comment("- then delete these comments and the `draft` tag.", indent="  "),
    ]
    text = " ".join(mode.description.split())
    stop = "" if text.endswith((".", "!", "?")) else "."
    description = (
        f"{text}{stop} (From the pre-mortem of {launch.id}, failure mode {mode.id}: {rating}.)"
    )
    seed_tag = SEED_TAG.format(launch=launch.id, mode=mode.id)
    body = [
        f"id: {risk_id}",
        f"title: {_scalar(_first_sentence(mode.description))}",
        *_folded("description", description),
        f"category: {_scalar(category)}",
        f"owner: {_scalar(owner)}",
        *_comment(
            f"Draft values, mechanical: likelihood = ceil(O / 2) = ceil({mode.occurrence} / 2) "
            f"= {likelihood}, impact = ceil(S / 2) = ceil({mode.severity} / 2) = {impact} "
            "(riskctl's mapping of the 1-10 FMEA scales onto the 1-5 ones: fmea-premortem.md "
            "gives none). O was rated with the failure mode's prevention controls in place, so "
            "the likelihood before any control may be higher."
        ),
        f"inherent: {{likelihood: {likelihood}, impact: {impact}}}",
        f"tags: [draft, {_quoted(seed_tag)}]",
    ]
    return "\n".join([*header, *body]) + "\n"


def _comment(text: str, indent: str = "") -> list[str]:
    """Comment lines wrapped at 100 columns; continuation lines indented past `- `.

    The text quotes register data (a launch's title): what YAML refuses in a comment, ends one
    (NEL, the line and paragraph separators) or shows reordered is written escaped.
    """
    text = _UNPRINTABLE.sub(lambda match: f"\\u{ord(match[0]):04x}", visible(text))
    return textwrap.wrap(
        text,
        width=100,
        initial_indent=f"# {indent}",
        subsequent_indent=f"# {indent}{'  ' if indent else ''}",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _first_sentence(text: str) -> str:
    """The first sentence, without its full stop: the draft's title."""
    flat = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0]
    return first.removesuffix(".") or flat


def _parses_as(line: str, key: str, value: str) -> bool:
    """Whether riskctl's loader reads `line` as `{key: value}`."""
    parsed = load.parse("draft", line.encode("utf-8"))
    return not parsed.hits and parsed.data == {key: value}


def _scalar(value: str) -> str:
    """`value` as a YAML scalar: plain if riskctl reads it back unchanged, else double-quoted."""
    if value and _parses_as(f"key: {value}\n", "key", value):
        return value
    return _quoted(value)


#: Characters YAML does not allow raw (outside c-printable), or reads as line breaks (NEL, LS, PS),
#: or as a byte order mark; JSON leaves them unescaped.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _quoted(value: str) -> str:
    """A double-quoted YAML scalar: a JSON string, with what YAML cannot hold raw escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


def _folded(key: str, value: str) -> list[str]:
    """`key: >-` with `value` wrapped, if riskctl reads it back unchanged; else one quoted line."""
    lines = textwrap.wrap(value, width=WRAP, break_long_words=False, break_on_hyphens=False)
    block = [f"{key}: >-", *(f"  {line}" for line in lines)]
    if lines and _parses_as("\n".join(block) + "\n", key, value):
        return block
    return [f"{key}: {_quoted(value)}"]


def link_additions(plan: SeedPlan) -> dict[tuple[str | int, ...], tuple[str, str]]:
    """The `risk:` keys `--link` adds to the launch file: failure mode path → ("risk", id)."""
    return {("failure_modes", draft.mode_index): ("risk", draft.risk_id) for draft in plan.drafts}


def linked_launch_text(file: str, text: str, plan: SeedPlan) -> str:
    """The launch file's text after `--link`: `risk: R-NNN` on each seeded failure mode, and the
    drafts added to the launch's `risks` (RK705: a mode's risk is one the launch lists).

    Both are edits of the file's own lines (`load.add_keys`, `load.splice`); everything else
    stays byte for byte. Raises `RiskctlError` when that cannot be done.
    """
    from riskctl.load import add_keys
    from riskctl.load.splice import apply_edits

    edited = add_keys(file, text, link_additions(plan))
    listed = list(plan.launch.risks)
    missing = [draft.risk_id for draft in plan.drafts if draft.risk_id not in listed]
    if not missing:
        return edited
    return apply_edits(file, edited, [(("risks",), [*listed, *missing])], lambda _: "risks")
