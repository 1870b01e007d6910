"""Render report templates: the only module that imports jinja2.

Templates arrive by pull request, so they run in jinja2's immutable sandbox with
`StrictUndefined` (a misspelt name is an error, not an empty cell). They receive ready values
from `report/context.py` and do no arithmetic. Register text reaches Markdown only through a
filter (`riskctl.textsafe` defines the escaping): `cell` for a table cell or a heading, so a
`|`, a line break, a link or HTML in a title never breaks a table or becomes live; `text` for
a paragraph (also escapes what would open a heading, list or quote at a line start); `prose`
for riskctl's own sentences that quote values (keeps their `code` spans); `code` for the body
of a fenced block; `mermaid_label` for a chart label, which stays inside its quotes. A template
in `--templates DIR` replaces the shipped one of the same name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from riskctl.errors import RiskctlError
from riskctl.output.markdown import (
    markdown_cell,
    markdown_code,
    markdown_prose,
    markdown_text,
    mermaid_label,
)


def shipped_templates() -> Path:
    """The folder of the templates that ship inside the package."""
    return Path(str(resources.files("riskctl") / "templates"))


def make_environment(override: Path | None = None) -> ImmutableSandboxedEnvironment:
    """A sandboxed environment over the override folder (first) and the shipped templates."""
    folders = [str(shipped_templates())]
    if override is not None:
        if not override.is_dir():
            raise RiskctlError(f"--templates {override}: not a folder")
        folders.insert(0, str(override))
    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML: escaping is the `cell` filter's job
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["cell"] = markdown_cell
    environment.filters["text"] = markdown_text
    environment.filters["prose"] = markdown_prose
    environment.filters["code"] = markdown_code
    environment.filters["table_rule"] = table_rule
    environment.filters["mermaid_label"] = mermaid_label
    return environment


def table_rule(header: Sequence[object]) -> str:
    """The line under a Markdown table's header: `|---|---|` for two columns."""
    return "|" + "---|" * len(header)


def render(name: str, context: Mapping[str, Any], override: Path | None = None) -> str:
    """Render `name` (e.g. `wbr.md.j2`); any template error is an operational error."""
    environment = make_environment(override)
    try:
        return environment.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name or name}:{error.lineno}"
        raise RiskctlError(f"template {where}: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise RiskctlError(f"template {error.name} not found") from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as error:
        raise RiskctlError(f"template {name}{_line_of(error, name)}: {error}") from None


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
