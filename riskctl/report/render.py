"""Render report templates: the only module that imports jinja2.

Templates arrive by pull request, so they run in jinja2's immutable sandbox with
`StrictUndefined` (a misspelt name is an error, not an empty cell). They receive ready values
from `report/context.py` and do no arithmetic. Register text reaches Markdown only through a
filter (`riskctl.textsafe` defines the escaping): `cell` for a table cell or a heading, so a
`|`, a line break, a link or HTML in a title never breaks a table or becomes live; `text` for
a paragraph (also escapes what would open a heading, list or quote at a line start); `prose`
for riskctl's own sentences that quote values (keeps their `code` spans); `code` for the body
of a fenced block; `mermaid_label` for a chart label, which stays inside its quotes;
`mermaid` turns a `charts.LineChart` into the values `_chart.md.j2` writes out. A template in
`--templates DIR` replaces the shipped one of the same name.

The HTML templates (`*.html.j2`) are autoescaped: every `{{ value }}` is escaped, and shown with
its control characters and bidi overrides escaped as `riskctl.textsafe.visible` shows them (the
environment's `finalize`), so register text never becomes markup and is never reordered. In
them the same four filters give HTML instead of Markdown (`riskctl.output.html`): `cell` (line
breaks as `<br>`; `cell(column)` shows the status marks of a status column as badges), `text`,
`prose` (riskctl's `code` spans as `<code>`) and `code`; `svg` draws a `LineChart` or `HeatMap`
as inline SVG (`riskctl.report.svg`); `cell_class` names a table cell's class for its value
(`rk-num`: a number, right-aligned). They also receive `stylesheet`, the text of
`_report.css` (read like a template, so `--templates DIR` can replace it), and
`content_security_policy`, which allows that one stylesheet by its SHA-256 hash and nothing
else (no script, no fetch, no external URL).

A render is bounded, so a template cannot hang or exhaust the machine that runs it (CI runs
templates from pull requests). Every error a template raises while rendering, and each limit
below, is a `RiskctlError` naming the template and line:
- time: at most `MAX_TEMPLATE_LINES` template lines executed (each turn of a loop counts), so
  nested `range(100000)` loops stop in seconds; and a user template's render stops after
  `MAX_RENDER_SECONDS` of wall-clock time (a timer, in the main thread where the system has
  one), which also stops a helper that loops in Python where no template line runs
  (`lipsum(10**6)`, `wordwrap` on megabytes);
- output: at most `MAX_OUTPUT_CHARS` characters;
- memory: the render may grow the process's address space by at most `MAX_RENDER_MEMORY` bytes
  (on Linux, through `RLIMIT_AS`, restored afterwards; elsewhere the other limits still hold);
  `'x' * 10**9` and integers of more than `MAX_INTEGER_BITS` bits are refused before they are
  computed;
- recursion: Python's limit (a macro calling itself, a template including itself);
- template files: a template must be a regular UTF-8 file of at most `MAX_TEMPLATE_BYTES`; a
  symbolic link in `--templates DIR` is refused, so a template folder cannot pull another file
  of the machine into a report.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import Any

import jinja2
import markupsafe
from jinja2.loaders import split_template_path
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from riskctl.errors import RiskctlError
from riskctl.fileio import check_usable, kind_of
from riskctl.output.html import cell_class, html_cell, html_code, html_prose, html_text
from riskctl.output.markdown import (
    markdown_cell,
    markdown_code,
    markdown_prose,
    markdown_text,
    mermaid_label,
)
from riskctl.report.charts import HeatMap, LineChart, mermaid_chart
from riskctl.report.svg import svg
from riskctl.textsafe import visible

#: Template lines a render may execute (the shipped WBR of the shipped register runs about 1,500).
MAX_TEMPLATE_LINES = 5_000_000
#: Characters a rendered report may have.
MAX_OUTPUT_CHARS = 32 * 1024 * 1024
#: Bytes of address space a render may add to the process.
MAX_RENDER_MEMORY = 512 * 1024 * 1024
#: Seconds a user template may render (the shipped register's reports take well under one).
MAX_RENDER_SECONDS = 20.0
#: Bits of an integer a template may compute with `*` or `**`.
MAX_INTEGER_BITS = 100_000
#: Bytes of one template file.
MAX_TEMPLATE_BYTES = 1024 * 1024


class TemplateLimitError(Exception):
    """A template went past one of the render's limits."""


class _TemplateLoader(jinja2.FileSystemLoader):
    """`FileSystemLoader` that reads only regular UTF-8 files of bounded size, and no links."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            try:
                status = path.lstat()
            except OSError:
                continue
            break
        else:
            raise jinja2.TemplateNotFound(template)
        if stat.S_ISLNK(status.st_mode) and folder != self.searchpath[-1]:  # not the shipped
            raise RiskctlError(
                f"template {path}: a symbolic link; templates must be files in the folder"
            )
        if stat.S_ISLNK(status.st_mode):  # a packager's link among the shipped templates
            status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise RiskctlError(f"template {path}: {kind_of(status.st_mode)}, not a regular file")
        if status.st_size > MAX_TEMPLATE_BYTES:
            raise RiskctlError(f"template {path}: larger than {MAX_TEMPLATE_BYTES:,} bytes")
        try:
            contents = path.read_bytes()[: MAX_TEMPLATE_BYTES + 1].decode("utf-8")
        except OSError as error:
            raise RiskctlError(f"template {path}: cannot read it: {error.strerror}") from None
        except UnicodeDecodeError as error:
            raise RiskctlError(
                f"template {path}: not UTF-8 text (byte {error.start} cannot be decoded)"
            ) from None
        mtime = status.st_mtime

        def uptodate() -> bool:
            try:
                return path.lstat().st_mtime == mtime
            except OSError:
                return False

        return contents, str(path), uptodate


#: Filters that would let register text become markup in an HTML report (`safe` marks a value
#: as markup; `urlize` turns a URL in it into a live link): not in riskctl's environment, so a
#: template that uses one is refused by name, like any unknown filter.
UNSAFE_FILTERS = ("safe", "urlize")


class _BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, refusing `*` and `**` results too large to compute, and any
    `{% autoescape %}` block that would turn escaping off (register text would become markup)."""

    intercepted_binops = frozenset({"*", "**"})

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        tree = super()._parse(source, name, filename)
        for modifier in tree.find_all(jinja2.nodes.EvalContextModifier):
            for keyword in modifier.options:
                value = keyword.value
                if keyword.key == "autoescape" and not (
                    isinstance(value, jinja2.nodes.Const) and value.value is True
                ):
                    raise jinja2.TemplateSyntaxError(
                        "autoescape cannot be turned off in a riskctl template",
                        modifier.lineno,
                        name,
                        filename,
                    )
        return tree

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator in ("*", "**"):
            _check_size(operator, left, right)
        return super().call_binop(context, operator, left, right)


def _check_size(operator: str, left: Any, right: Any) -> None:
    """Refuse `left operator right` when its result would pass a limit, before computing it."""
    if _is_int(left) and _is_int(right):
        if operator == "**":
            bits = right * left.bit_length() if right > 0 and abs(left) > 1 else 0
        else:
            bits = left.bit_length() + right.bit_length()
        if bits > MAX_INTEGER_BITS:
            raise TemplateLimitError(f"a number of more than {MAX_INTEGER_BITS:,} bits")
        return
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            is_repetition = isinstance(sequence, str | list | tuple) and _is_int(count)
            if is_repetition and len(sequence) * count > MAX_OUTPUT_CHARS:
                raise TemplateLimitError(
                    f"a repetition {len(sequence):,} x {count:,} is longer than "
                    f"{MAX_OUTPUT_CHARS:,}"
                )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def shipped_templates() -> Path:
    """The folder of the templates that ship inside the package."""
    return Path(str(resources.files("riskctl") / "templates"))


def make_environment(override: Path | None = None) -> _BoundedEnvironment:
    """A sandboxed environment over the override folder (first) and the shipped templates."""
    folders = [str(shipped_templates())]
    if override is not None:
        check_usable(override, "--templates")
        if not override.is_dir():
            what = "does not exist" if not override.exists() else "is not a folder"
            raise RiskctlError(f"--templates {override}: {what}")
        folders.insert(0, str(override))
    return _environment(tuple(folders))


@functools.lru_cache(maxsize=8)
def _environment(folders: tuple[str, ...]) -> _BoundedEnvironment:
    """The environment over `folders`, made once per process: a report site renders dozens of
    pages, and compiling the templates anew for each took half its time. jinja2 recompiles a
    template whose file changed (the loader's `uptodate`), so a cached one is never stale."""
    environment = _BoundedEnvironment(
        loader=_TemplateLoader(folders),
        undefined=jinja2.StrictUndefined,
        # Markdown is not escaped (that is the `cell` filter's job); HTML is, always
        autoescape=is_html_template,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["cell"] = _by_format(markdown_cell, html_cell)
    environment.filters["text"] = _by_format(markdown_text, html_text)
    environment.filters["prose"] = _by_format(markdown_prose, html_prose)
    environment.filters["code"] = _by_format(markdown_code, html_code)
    environment.filters["table_rule"] = table_rule
    environment.filters["mermaid_label"] = mermaid_label
    environment.filters["mermaid"] = mermaid_chart
    environment.filters["svg"] = svg_markup
    for unsafe in UNSAFE_FILTERS:
        del environment.filters[unsafe]
    environment.filters["cell_class"] = cell_class
    return environment


def is_html_template(name: str | None) -> bool:
    """Whether a template writes HTML (and is autoescaped): `NAME.html.j2`."""
    return name is not None and name.endswith(".html.j2")


@jinja2.pass_eval_context
def _finalize(eval_context: EvalContext, value: object) -> object:
    """Every `{{ value }}` of an HTML template with its controls and bidi overrides shown
    escaped (the autoescape then escapes it); Markdown's values and markup go out as they are."""
    if not eval_context.autoescape or hasattr(value, "__html__"):
        return value
    return visible(value, keep_newlines=True)


def _by_format(markdown: Callable[[object], str], html: Callable[..., str]) -> Callable[..., str]:
    """A filter that writes Markdown in a Markdown template and HTML in an autoescaped one;
    arguments after the value (`cell`'s column) are the HTML's."""

    @jinja2.pass_eval_context
    def apply(eval_context: EvalContext, value: object, *arguments: object) -> str:
        if eval_context.autoescape:
            return markupsafe.Markup(html(value, *arguments))
        return markdown(value)

    return apply


def svg_markup(figure: LineChart | HeatMap) -> markupsafe.Markup:
    """A `LineChart` or `HeatMap` drawn as inline SVG, for an HTML template (`riskctl.report.svg`
    escapes every text it draws)."""
    return markupsafe.Markup(svg(figure))


#: The stylesheet of the HTML reports, read like a template (so `--templates DIR` replaces it).
STYLESHEET = "_report.css"


def _stylesheet(environment: jinja2.Environment) -> str:
    """The text of the HTML reports' stylesheet, line breaks as an HTML parser reads them (so
    its hash is the one a browser computes); RiskctlError when it would end its `<style>`."""
    try:
        text, _filename, _uptodate = environment.loader.get_source(environment, STYLESHEET)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        raise RiskctlError(f"template {STYLESHEET} not found") from None
    # HTML's input stream turns CR LF and CR into LF before anything is parsed (WHATWG HTML,
    # 13.2.3.5 "Preprocessing the input stream"); NUL would become U+FFFD in a <style>.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text or "</style" in text.lower():
        raise RiskctlError(
            f"template {STYLESHEET}: holds NUL or `</style`, which would end the style element"
        )
    return text


def content_security_policy(style: str) -> str:
    """The page's policy: nothing may load or run but the one inline stylesheet `style`.

    The stylesheet is allowed by its hash: a `hash-source` is the base64 of the SHA-256 of the
    element's text as UTF-8 (Content Security Policy Level 3, section 2.3.1 "Source Lists" and
    8.4 "Does element match source list for type and source?"), so a browser applies it only if
    it is exactly this text.
    """
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    )


def table_rule(header: Sequence[object]) -> str:
    """The line under a Markdown table's header: `|---|---|` for two columns."""
    return "|" + "---|" * len(header)


def render(
    name: str,
    context: Mapping[str, Any],
    override: Path | None = None,
    *,
    seconds: float = MAX_RENDER_SECONDS,
) -> str:
    """Render `name` (e.g. `wbr.md.j2`) within the limits; any template error is a `RiskctlError`.

    With `override` (user templates), every exception a template raises is the template's
    problem; the shipped templates' own bugs still surface as bugs. A user template's render
    stops after `seconds`.
    """
    environment = make_environment(override)
    if is_html_template(name):
        style = _stylesheet(environment)
        context = {
            **context,
            "stylesheet": markupsafe.Markup(style),
            "content_security_policy": markupsafe.Markup(content_security_policy(style)),
        }
    caught: tuple[type[BaseException], ...] = (
        (Exception,)
        if override is not None
        else (jinja2.TemplateError, TypeError, ValueError, AttributeError)
    )
    try:
        with _bounded(environment), _deadline(seconds if override is not None else None):
            chunks: list[str] = []
            size = 0
            for chunk in environment.get_template(name).generate(**context):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise TemplateLimitError(
                        f"the output is longer than {MAX_OUTPUT_CHARS:,} characters"
                    )
                chunks.append(chunk)
        return "".join(chunks)
    except RiskctlError:
        raise
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name or name}:{error.lineno}"
        raise RiskctlError(f"template {where}: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise RiskctlError(f"template {error.name} not found{_line_of(error, name)}") from None
    except TemplateLimitError as error:
        raise RiskctlError(
            f"template {name}{_line_of(error, name)}: {error} (a limit of riskctl's rendering)"
        ) from None
    except MemoryError as error:
        raise RiskctlError(
            f"template {name}{_line_of(error, name)}: needs more than "
            f"{MAX_RENDER_MEMORY >> 20} MiB of memory (a limit of riskctl's rendering)"
        ) from None
    except RecursionError as error:
        raise RiskctlError(
            f"template {name}{_line_of(error, name)}: recursion too deep (a macro that calls "
            "itself, or a template that includes itself)"
        ) from None
    except caught as error:
        kind = "" if isinstance(error, jinja2.TemplateError) else f"{type(error).__name__}: "
        raise RiskctlError(f"template {name}{_line_of(error, name)}: {kind}{error}") from None


@contextlib.contextmanager
def _bounded(environment: jinja2.Environment) -> Iterator[None]:
    """Count the template lines executed (raising past the limit) and cap the memory."""
    budget = [MAX_TEMPLATE_LINES]

    def count_lines(frame: FrameType, event: str, _arg: object) -> Any:
        if event == "line":
            budget[0] -= 1
            if budget[0] < 0:
                raise TemplateLimitError(
                    f"ran more than {MAX_TEMPLATE_LINES:,} template lines (a loop too long?)"
                )
        return count_lines

    def on_call(frame: FrameType, _event: str, _arg: object) -> Any:
        # Compiled templates run with the environment as a global; nothing else does.
        return count_lines if frame.f_globals.get("environment") is environment else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        with _memory_cap(MAX_RENDER_MEMORY):
            yield
    finally:
        sys.settrace(previous)


@contextlib.contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Raise `TemplateLimitError` in the render once `seconds` have passed (SIGALRM, so only in
    the main thread of a system that has it; the line limit holds everywhere)."""
    import signal
    import threading

    if (
        seconds is None
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(_signal: int, _frame: FrameType | None) -> None:
        raise TemplateLimitError(f"took more than {seconds:g} seconds to render")

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    pending, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if pending:  # someone else's timer (a test runner's timeout): give back what is left
            left = max(pending - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, interval)


@contextlib.contextmanager
def _memory_cap(extra: int) -> Iterator[None]:
    """Let the process's address space grow by at most `extra` bytes, where the system can."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: the time and output limits still hold
        yield
        return
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):  # pragma: no cover - no /proc (macOS)
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = pages * os.sysconf("SC_PAGE_SIZE") + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield  # a tighter limit is already set
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _line_of(error: BaseException, name: str) -> str:
    """` (line N)` of the template frame that raised, from the traceback jinja2 rewrites; ` (FILE
    line N)` when that frame is another template (a macro imported or a file included)."""
    traceback = error.__traceback__
    found = None
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (Path(filename).name, traceback.tb_lineno)
        traceback = traceback.tb_next
    if found is None:
        return ""
    file, line = found
    return f" (line {line})" if file == Path(name).name else f" ({file} line {line})"


def template_names(override: Path | None = None) -> Sequence[str]:
    """Every template the environment can load."""
    return sorted(make_environment(override).list_templates(extensions=["j2"]))


def parse_template(name: str, override: Path | None = None) -> Any:
    """The parsed AST of a template (for the test that forbids arithmetic in templates)."""
    environment = make_environment(override)
    source, _filename, _uptodate = environment.loader.get_source(environment, name)  # type: ignore[union-attr]
    return environment.parse(source)
