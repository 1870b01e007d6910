"""CODEOWNERS from the register: each entity file's owner becomes a required reviewer.

`riskctl codeowners` writes one block, between a `# BEGIN riskctl codeowners /register/` and
an `# END ...` line, in the repository's CODEOWNERS file (GitHub's syntax: one pattern and its
owners per line, a pattern starting with `/` rooted at the repository, the last matching line
wins). The block holds:

- first, the register folder (`/register/`; `*` when the register is the repository root)
  owned by `codeowners.default_owners`: the owners of any register file that has no line of
  its own, including a file a pull request adds (GitHub reads CODEOWNERS from the base branch,
  which cannot name a file not yet there); and the CODEOWNERS file itself, so the block cannot
  be taken out without them;
- then a line per file, in path order: `riskctl.yaml` owned by the default owners; a risk,
  control, KRI, launch or incident by the handle of its `owner`; an acceptance by its
  `approver` only (any one listed owner's approval satisfies GitHub, so listing the risk owner
  too would let them extend an acceptance the approver never saw); an owner file by that
  owner's own handle (changing someone's handle or escalation needs their approval, as the
  base branch names them).

A file whose owner has no `github` handle gets no line (the folder line covers it) and is
reported. Everything outside the block is kept byte for byte: line endings (the block uses the
file's own, CRLF or LF), a byte-order mark, bytes that are not UTF-8. The block replaces itself
where it is, or is appended at the end: put it after broad patterns (`*`), since a later line
overrides it (`Update.rules_after` counts those that follow it).

A path CODEOWNERS cannot express is refused, naming it: GitHub reads patterns as gitignore does
but without its escapes (a leading `\\#` is not a pattern, `!` does not negate, `[ ]` is no
range), so a space, `#`, `!`, `[`, `]`, `*`, `?`, a backslash or a control character in a path
cannot be written. Handles are validated by the model (`model/owner.py`) and again here, so no
handle can end a line or start a comment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from riskctl.errors import RiskctlError
from riskctl.fileio import check_output_path, printable, read_limited
from riskctl.model.acceptance import Acceptance
from riskctl.model.common import Entity
from riskctl.model.control import Control
from riskctl.model.incident import Incident
from riskctl.model.kri import Kri
from riskctl.model.launch import Launch
from riskctl.model.owner import GITHUB_HANDLE, Owner
from riskctl.model.register import CONFIG_FILE, Register
from riskctl.model.risk import Risk

#: Where GitHub looks for CODEOWNERS, relative to the repository root, in its order: it uses
#: the first that exists ("About code owners", GitHub Docs).
GITHUB_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
#: GitHub does not load a CODEOWNERS file of 3 MB or more (then no one is asked to review).
GITHUB_SIZE_LIMIT = 3_000_000
#: The most riskctl reads of an existing CODEOWNERS file.
READ_LIMIT = 64 * 1024 * 1024

BEGIN = b"# BEGIN riskctl codeowners "
END = b"# END riskctl codeowners "
BOM = b"\xef\xbb\xbf"
#: Characters a CODEOWNERS pattern cannot hold literally (GitHub has no escape for them).
_UNSAFE = {
    " ": "a space",
    "#": "a `#`",
    "!": "a `!`",
    "[": "a `[`",
    "]": "a `]`",
    "*": "a `*`",
    "?": "a `?`",
    "\\": "a backslash",
}
_LINE = re.compile(rb"[^\n]*\n|[^\n]+\Z")


@dataclass(frozen=True)
class OwnerLine:
    """One line of the block: a pattern rooted at the repository and its owners' handles."""

    pattern: str
    handles: tuple[str, ...]

    @property
    def text(self) -> str:
        """`/register/risks/R-001.yaml @acme/payments-risk`."""
        return " ".join((self.pattern, *self.handles))


@dataclass(frozen=True)
class Unowned:
    """A register file that gets no line of its own, and why."""

    file: str
    """Relative to the register, as lint names it: `risks/R-001.yaml`."""
    why: str


@dataclass(frozen=True)
class Block:
    """The generated block for one register: its lines and the files left without one."""

    folder: str
    """The register folder rooted at the repository: `/register/` (`/` at the root), as the
    markers name it."""
    command: str
    """The command that regenerates it, for the do-not-edit comment."""
    lines: tuple[OwnerLine, ...]
    unowned: tuple[Unowned, ...]
    default_handles: tuple[str, ...]

    @property
    def begin(self) -> bytes:
        """The block's first line, without its line ending."""
        return BEGIN + self.folder.encode("utf-8")

    @property
    def end(self) -> bytes:
        """The block's last line, without its line ending."""
        return END + self.folder.encode("utf-8")

    def render(self, newline: bytes = b"\n") -> bytes:
        """The block's bytes, every line ended by `newline`."""
        comment = (
            f"# Generated by `{self.command}` from the owners' github handles: do not edit "
            "between these markers, run it again."
        )
        body = [self.begin, comment.encode("utf-8")]
        body += [line.text.encode("utf-8") for line in self.lines]
        body.append(self.end)
        return b"".join(line + newline for line in body)


@dataclass(frozen=True)
class Update:
    """What `riskctl codeowners` would do to one CODEOWNERS file."""

    path: Path
    """The file, as riskctl opens it."""
    shown: str
    """The file as messages name it."""
    before: bytes | None
    """Its bytes now; None when it does not exist."""
    after: bytes
    block: Block
    rules_after: int
    """Pattern lines after the block (outside any riskctl block): a later match wins, so each
    may override riskctl's owners."""
    notes: tuple[str, ...]
    """What GitHub would make of the file's location, when that needs saying."""
    creates_folder: bool = False
    """Whether writing creates the file's folder (`.github/`): only for the configured or
    default location, only the last folder, never for `--file`."""

    @property
    def is_current(self) -> bool:
        """Whether the file already holds exactly what would be written."""
        return self.before == self.after


def folder_pattern(inside: str) -> str:
    """The register folder as a rooted pattern: `/register/`; `/` for the repository root."""
    return f"/{inside}/" if inside else "/"


def check_expressible(pattern: str, named: str) -> None:
    """Refuse (naming `named`) a path CODEOWNERS cannot write as a literal pattern."""
    for char in pattern:
        what = _UNSAFE.get(char)
        if what is None and char.isspace():
            what = "white space"
        elif what is None and not char.isprintable():
            # C0/DEL controls; or a format character (a bidi override), a C1 control, a
            # byte of a file name that is not UTF-8 (kept as a lone surrogate)
            what = (
                "a control character"
                if char < " " or char == "\x7f"
                else "a character that cannot be printed"
            )
        if what is not None:
            raise RiskctlError(
                f"{named}: CODEOWNERS cannot name this path: it holds {what}, which GitHub's "
                "CODEOWNERS syntax cannot escape; rename it"
            )


def owner_of(entity: Entity) -> str | None:
    """The owner id accountable for an entity's file (see the module's docstring)."""
    if isinstance(entity, Acceptance):
        return entity.approver
    if isinstance(entity, Owner):
        return entity.id
    if isinstance(entity, Risk | Control | Kri | Launch | Incident):
        return entity.owner
    return None


def _handle(owner: Owner) -> str | None:
    """The owner's handle, checked again: nothing that could end a line or start a comment."""
    if owner.github is None:
        return None
    if not GITHUB_HANDLE.fullmatch(owner.github):
        raise RiskctlError(
            f"owner {owner.id}: github {owner.github!r} is not a GitHub handle (@login or "
            "@org/team-slug)"
        )
    return owner.github


def _handles_of(owner_ids: Iterable[str], owners: Mapping[str, Owner]) -> tuple[str, ...]:
    """The handles of those owners that exist and have one, each once, in order."""
    handles = (_handle(owners[each]) for each in owner_ids if each in owners)
    return tuple(dict.fromkeys(each for each in handles if each))


def plan_block(
    register: Register, inside: str, command: str, codeowners_file: str | None = None
) -> Block:
    """The block for the register at `inside` (its folder relative to the repository root).

    `codeowners_file` is where the block goes, relative to the repository root: when GitHub
    reads it, the default owners own it too, so a pull request cannot take the block out (or
    loosen it) without them.
    """
    folder = folder_pattern(inside)
    check_expressible(folder, f"{inside or '.'}/")
    _refuse_duplicate_owners(register)
    owners = register.by_id(Owner)
    defaults = register.config.codeowners.default_owners
    default_handles = _handles_of(defaults, owners)
    lines: list[OwnerLine] = []
    unowned: list[Unowned] = []
    if default_handles:
        lines.append(OwnerLine(folder if inside else "*", default_handles))
        if codeowners_file in GITHUB_LOCATIONS:
            lines.append(OwnerLine(f"/{codeowners_file}", default_handles))
    owned: dict[str, str | None] = {CONFIG_FILE: None}
    owned.update((record.file, owner_of(record.entity)) for record in register.records)
    for file in sorted(owned):
        pattern = f"{folder}{file}"
        check_expressible(pattern, f"{inside}/{file}" if inside else file)
        if file == CONFIG_FILE:
            handles = default_handles
            why = "codeowners.default_owners names no owner with a github handle"
        else:
            owner_id = owned[file]
            owner = owners.get(owner_id) if owner_id else None
            handle = _handle(owner) if owner else None
            handles = (handle,) if handle else ()
            why = (
                "no owner"
                if owner_id is None
                else f"owner {owner_id} is not in the register"
                if owner is None
                else f"owner {owner_id} has no github handle"
            )
        if handles:
            lines.append(OwnerLine(pattern, handles))
        else:
            unowned.append(Unowned(file, why))
    return Block(folder, command, tuple(lines), tuple(unowned), default_handles)


def _refuse_duplicate_owners(register: Register) -> None:
    """Refuse an owner id that two owner files declare (lint's RK101): the register takes the
    first file in path order, so `owners/aa.yaml` declaring `id: payments-risk` would make its
    handle the required reviewer of every file payments-risk owns, in place of theirs."""
    files: dict[str, list[str]] = {}
    for record in register.records:
        if isinstance(record.entity, Owner):
            files.setdefault(record.entity.id, []).append(record.file)
    for owner_id, declared in sorted(files.items()):
        if len(declared) > 1:
            raise RiskctlError(
                f"owner {owner_id} is declared by {' and '.join(declared)} (RK101): CODEOWNERS "
                "cannot tell whose github handle binds its files; keep one"
            )


def _split_lines(data: bytes) -> list[bytes]:
    """The file's lines, each with its `\\n` (the last may have none); CR stays in the line."""
    return _LINE.findall(data)


def _bare(line: bytes) -> bytes:
    """A line without its ending and trailing blanks, for comparing markers."""
    return line.rstrip(b"\r\n").rstrip(b" \t")


def splice(data: bytes | None, block: Block, shown: str) -> tuple[bytes, int]:
    """The file with `block` in place of its old one (or appended), and how many pattern lines
    follow the block. Two blocks for the register, or a BEGIN without its END, is an error."""
    content = data or b""
    bom = BOM if content.startswith(BOM) else b""
    lines = _split_lines(content[len(bom) :])
    # The file's own line ending, from its first line; a lone line ending in CR becomes CRLF
    # when riskctl ends it, so the next run reads CRLF there too.
    first = lines[0] if lines else b""
    newline = b"\r\n" if first.endswith((b"\r\n", b"\r")) else b"\n"
    begins = [index for index, line in enumerate(lines) if _bare(line) == block.begin]
    ends = [index for index, line in enumerate(lines) if _bare(line) == block.end]
    marker = block.begin.decode("utf-8")
    if len(begins) > 1:
        raise RiskctlError(
            f"{shown}:{begins[1] + 1}: a second `{marker}` (the first is on line "
            f"{begins[0] + 1}); remove one block and run riskctl codeowners again"
        )
    if len(ends) > 1:
        raise RiskctlError(f"{shown}:{ends[1] + 1}: a second end marker for {block.folder}")
    if begins and not ends:
        raise RiskctlError(
            f"{shown}:{begins[0] + 1}: `{marker}` has no end marker "
            f"(`{block.end.decode('utf-8')}`); restore it or remove the block"
        )
    if ends and (not begins or ends[0] < begins[0]):
        raise RiskctlError(
            f"{shown}:{ends[0] + 1}: an end marker for {block.folder} without its "
            f"`{marker}` before it; restore it or remove the block"
        )
    rendered = block.render(newline)
    if begins:
        start, stop = begins[0], ends[0] + 1
        before, after = b"".join(lines[:start]), b"".join(lines[stop:])
        following = lines[stop:]
    else:
        before = b"".join(lines)
        if before and not before.endswith(b"\n"):
            # a last line ending in a lone CR is ended as CRLF: its CR is half of that ending
            before += b"\n" if before.endswith(b"\r") else newline
        if before.strip():
            before += b"" if before.endswith((b"\n\n", b"\n\r\n")) else newline
        after, following = b"", []
    return bom + before + rendered + after, _rules_in(following)


def _rules_in(lines: list[bytes]) -> int:
    """Pattern lines among `lines`, not counting comments, blank lines and riskctl blocks."""
    count, inside = 0, False
    for line in lines:
        bare = _bare(line).lstrip(b" \t")
        if bare.startswith(BEGIN):
            inside = True
        elif bare.startswith(END):
            inside = False
        elif bare and not bare.startswith(b"#") and not inside:
            count += 1
    return count


def locate(
    root: Path, configured: str | None, file: Path | None = None
) -> tuple[Path, str, tuple[str, ...], str | None]:
    """The CODEOWNERS file: its path, its name for messages, notes on how GitHub will see it,
    and its path relative to the repository root (None outside it).

    `file` (`--file`) wins; then `configured` (`codeowners.file`, relative to the repository
    root); else the first of GitHub's locations that exists, else `.github/CODEOWNERS`.
    """
    present = [each for each in GITHUB_LOCATIONS if os.path.lexists(root / each)]
    if file is not None:
        try:
            relative: str | None = file.resolve().relative_to(root).as_posix()
        except (ValueError, OSError, RuntimeError):
            relative = None
        if relative is None:
            note = f"{printable(file)}: outside the repository; GitHub will not read it"
            return file, printable(file), (note,), None
        return file, printable(file), location_notes(relative, present), relative
    chosen = configured or (present[0] if present else GITHUB_LOCATIONS[0])
    return root / chosen, chosen, location_notes(chosen, present), chosen


def location_notes(chosen: str, present: Iterable[str]) -> tuple[str, ...]:
    """What GitHub makes of a CODEOWNERS file at `chosen` (relative to the repository root)
    when the files `present` exist at its own locations."""
    if chosen not in GITHUB_LOCATIONS:
        return (
            f"{chosen}: GitHub reads CODEOWNERS only from {', '.join(GITHUB_LOCATIONS)}; "
            "it will not read this file",
        )
    earlier = [
        each for each in present if GITHUB_LOCATIONS.index(each) < GITHUB_LOCATIONS.index(chosen)
    ]
    if earlier:
        return (f"{chosen}: GitHub reads {earlier[0]} first and ignores this file",)
    return ()


def read_codeowners(path: Path, shown: str) -> bytes | None:
    """The file's bytes, or None when it does not exist; a link, folder, device or FIFO is
    refused (riskctl neither reads nor writes CODEOWNERS through a link)."""
    if not os.path.lexists(path):
        return None
    check_output_path(path, "")
    data = read_limited(path, READ_LIMIT, printable(path))
    if len(data) >= GITHUB_SIZE_LIMIT:
        raise RiskctlError(
            f"{shown}: {len(data):,} bytes; GitHub reads CODEOWNERS files under 3 MB only"
        )
    return data


def plan_update(
    register: Register,
    root: Path,
    inside: str,
    command: str,
    file: Path | None = None,
) -> Update:
    """What `riskctl codeowners` would write: the register at `inside` of the repository at
    `root`, into `file` (default: `codeowners.file`, else GitHub's first existing location)."""
    path, shown, notes, relative = locate(root, register.config.codeowners.file, file)
    block = plan_block(register, inside, command, relative)
    _refuse_register_file(path, root, inside, [CONFIG_FILE, *register.files], shown)
    _refuse_git_folder(path, root, shown)
    _refuse_linked_folder(path, root, shown)
    before = read_codeowners(path, shown)
    after, rules_after = splice(before, block, shown)
    if len(after) >= GITHUB_SIZE_LIMIT:
        raise RiskctlError(
            f"{shown}: would be {len(after):,} bytes; GitHub reads CODEOWNERS files under 3 MB "
            "only, so no one would be asked to review"
        )
    creates_folder = file is None and before is None and not os.path.lexists(path.parent)
    return Update(path, shown, before, after, block, rules_after, notes, creates_folder)


def _refuse_register_file(
    path: Path, root: Path, inside: str, files: Iterable[str], shown: str
) -> None:
    """Refuse a CODEOWNERS path that is one of the register's own files (a slip of `--file`
    or `codeowners.file`): the block would be spliced into a risk or riskctl.yaml."""
    try:
        relative = path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError, RuntimeError):
        return
    prefix = f"{inside}/" if inside else ""
    if relative in {f"{prefix}{file}" for file in files}:
        raise RiskctlError(
            f"{shown}: a file of the register; the CODEOWNERS file must be one of its own, "
            f"e.g. {GITHUB_LOCATIONS[0]}"
        )


def _refuse_git_folder(path: Path, root: Path, shown: str) -> None:
    """Refuse a CODEOWNERS path inside git's own folder (`codeowners.file: .git/config`, which
    a pull request can set): the block would be spliced into git's files and break the
    repository, and GitHub never reads CODEOWNERS there."""
    try:
        relative = path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return
    if any(part.casefold() == ".git" for part in relative.parts):
        raise RiskctlError(
            f"{shown}: inside git's own folder (.git); the CODEOWNERS file must be one of the "
            f"repository's files, e.g. {GITHUB_LOCATIONS[0]}"
        )


def _refuse_linked_folder(path: Path, root: Path, shown: str) -> None:
    """Refuse a CODEOWNERS path in the repository whose folder is reached through a symbolic
    link (a `.github` committed as a link to elsewhere): as for the file itself, riskctl neither
    reads nor writes CODEOWNERS through a link."""
    folder = path.parent.absolute()
    try:
        folder.relative_to(root)
    except ValueError:
        return  # outside the repository: only `--file` names such a file, and a note says so
    while folder != root and folder != folder.parent:
        if folder.is_symlink():
            raise RiskctlError(
                f"{shown}: its folder {printable(folder)} is a symbolic link (to "
                f"{printable(Path(os.readlink(folder)))}); riskctl does not write through links"
            )
        folder = folder.parent


def write_update(update: Update) -> None:
    """Write the file atomically, unless it changed since `plan_update` read it."""
    from riskctl.fileio import write_file

    if read_codeowners(update.path, update.shown) != update.before:
        raise RiskctlError(f"{update.shown}: changed while riskctl read it; run it again")
    if update.creates_folder:
        try:
            update.path.parent.mkdir()
        except FileExistsError:
            pass  # made meanwhile: write_file checks what it is
        except OSError as error:
            folder = printable(update.path.parent)
            raise RiskctlError(f"{folder}: cannot create it: {error.strerror}") from None
    write_file(update.path, update.after, "")
