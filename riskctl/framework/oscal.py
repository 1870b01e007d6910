"""OSCAL catalogs (1.x, JSON or YAML, as NIST publishes SP 800-53 Rev. 5) as catalogues.

- `groups` (nested groups too) become groupings (`assessable: false`); `controls` and their
  nested `controls` (enhancements) become requirements, each under its group or control.
- The id is the `label` prop as published. SP 800-53 gives a control several: `AC-2`, and
  `AC-02` with `class: zero-padded` or `class: sp800-53a`. The rule: the first `label` prop
  without a `class`, else the first `label` prop, else the OSCAL `id` (`ac-2`). Props in another
  namespace than OSCAL's (`ns`) are extensions and are not read.
- A control whose `status` prop is `withdrawn` is left out and counted; a live enhancement of a
  withdrawn control (not seen in NIST's catalogs) moves up to the withdrawn control's parent.
- Titles are one line with whitespace collapsed; OSCAL markup is kept readable: a parameter
  insertion (`{{ insert: param, ac-1_prm_1 }}`, or `<insert type="param" id-ref="..."/>`)
  becomes `[ac-1_prm_1]`, a link `[text](url)` its text, and emphasis markers (`*`, `**`,
  backquotes) and inline HTML tags are dropped.
- name: the metadata `title`; version: `version`; source: the title, version and publication
  date (`published`, else `last-modified`); licence: a metadata prop named rights, copyright,
  license or licence, else the metadata `remarks` when they speak of copyright, rights or
  licences, else a sentence saying the file states none.
- Default framework id: a slug of the title (`nist-special-publication-800-53-revision-5.1.1`);
  `--id` gives a better one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from riskctl.framework.importing import (
    MAX_LEVELS,
    NOT_STATED,
    Imported,
    Input,
    Node,
    finish,
    one_line,
    requirement_id,
    slug,
)

_OSCAL_NS = "http://csrc.nist.gov/ns/oscal"

_INSERT_MD = re.compile(r"\{\{\s*insert:\s*[\w-]+\s*,\s*([^\s}]+)\s*\}\}")
_INSERT_XML = re.compile(r"<insert\b[^>]*\bid-ref=\"([^\"]*)\"[^>]*/?>")
_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
_TAG = re.compile(r"</?(?:em|strong|b|i|code|q|sub|sup|a|span)\b[^>]*>")


def clean_title(text: str) -> str:
    """An OSCAL title or remark as readable plain text on one line."""
    text = _INSERT_MD.sub(r"[\1]", text)
    text = _INSERT_XML.sub(r"[\1]", text)
    text = _LINK.sub(r"\1", text)
    text = _STRONG.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _TAG.sub("", text)
    return one_line(text)


class _Reader:
    def __init__(self, source: Input) -> None:
        self.source = source
        self.nodes: list[Node] = []
        self.counts = {"groups": 0, "controls": 0, "control enhancements": 0}
        self.withdrawn = 0

    def props(
        self, item: dict[str, Any], path: tuple[str | int, ...]
    ) -> list[tuple[str, str, bool]]:
        """(name, value, has a class) of each OSCAL-namespace prop."""
        found = []
        props = self.source.sequence(item.get("props"), (*path, "props"), "props")
        for index, prop in enumerate(props):
            where = (*path, "props", index)
            prop = self.source.mapping(prop, where, "a prop")
            ns = prop.get("ns")
            if ns is not None and self.source.text(ns, (*where, "ns"), "ns") != _OSCAL_NS:
                continue
            name = self.source.text(prop.get("name"), (*where, "name"), "a prop's name")
            value = prop.get("value")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            value = self.source.text(value, (*where, "value"), "a prop's value")
            found.append((name, value, prop.get("class") is not None))
        return found

    def label(self, item: dict[str, Any], path: tuple[str | int, ...], oscal_id: str | None) -> str:
        labels = [
            (value, classed) for name, value, classed in self.props(item, path) if name == "label"
        ]
        plain = [value for value, classed in labels if not classed]
        chosen = plain[0] if plain else labels[0][0] if labels else oscal_id
        if chosen is None:
            raise self.source.fail(path, "a group with neither a label prop nor an id")
        where = (*path, "props") if labels else (*path, "id")
        return requirement_id(self.source, chosen, where)

    def title(self, item: dict[str, Any], path: tuple[str | int, ...], fallback: str) -> str:
        text = self.source.text(item.get("title"), (*path, "title"), "title")
        return clean_title(text) or fallback

    def groups(
        self, items: Any, path: tuple[str | int, ...], parent: str | None, level: int
    ) -> None:
        for index, group in enumerate(self.source.sequence(items, path, "groups")):
            where = (*path, index)
            group = self.source.mapping(group, where, "a group")
            if level > MAX_LEVELS:
                raise self.source.fail(where, f"groups nested deeper than {MAX_LEVELS} levels")
            oscal_id = group.get("id")
            if oscal_id is not None:
                oscal_id = self.source.text(oscal_id, (*where, "id"), "id")
            group_id = self.label(group, where, oscal_id)
            key = f"group {oscal_id or group_id}"
            self.counts["groups"] += 1
            self.nodes.append(
                Node(key, group_id, self.title(group, where, group_id), parent, False, where)
            )
            self.groups(group.get("groups"), (*where, "groups"), key, level + 1)
            self.controls(group.get("controls"), (*where, "controls"), key, level + 1, False)

    def controls(
        self, items: Any, path: tuple[str | int, ...], parent: str | None, level: int, nested: bool
    ) -> None:
        for index, control in enumerate(self.source.sequence(items, path, "controls")):
            where = (*path, index)
            control = self.source.mapping(control, where, "a control")
            if level > MAX_LEVELS:
                raise self.source.fail(where, f"controls nested deeper than {MAX_LEVELS} levels")
            oscal_id = self.source.text(control.get("id"), (*where, "id"), "a control's id")
            props = self.props(control, where)
            if ("status", "withdrawn") in {(name, value) for name, value, _ in props}:
                self.withdrawn += 1
                self.controls(
                    control.get("controls"), (*where, "controls"), parent, level + 1, True
                )
                continue
            control_id = self.label(control, where, oscal_id)
            key = f"control {oscal_id}"
            self.counts["control enhancements" if nested else "controls"] += 1
            self.nodes.append(
                Node(key, control_id, self.title(control, where, control_id), parent, True, where)
            )
            self.controls(control.get("controls"), (*where, "controls"), key, level + 1, True)


def read_oscal(source: Input) -> Imported:
    """The catalogue in an OSCAL catalog (see the module docstring)."""
    catalog = source.mapping(source.data["catalog"], ("catalog",), "catalog")
    path: tuple[str | int, ...] = ("catalog", "metadata")
    metadata = source.mapping(catalog.get("metadata"), path, "metadata")
    title = clean_title(source.text(metadata.get("title"), (*path, "title"), "title"))
    version = source.optional_text(metadata.get("version"), (*path, "version"), "version")
    version = one_line(version or "") or "not stated"
    published = _date(source, metadata, path)
    reader = _Reader(source)
    reader.groups(catalog.get("groups"), ("catalog", "groups"), None, 1)
    reader.controls(catalog.get("controls"), ("catalog", "controls"), None, 1, False)
    requirements = finish(source, reader.nodes)
    name = title or "Untitled OSCAL catalog"
    return Imported(
        format="OSCAL catalog",
        default_id=slug(title),
        name=name,
        version=version,
        source=f"{name}, version {version}{published}; an OSCAL catalog",
        licence=_licence(source, metadata, path, reader),
        requirements=requirements,
        counts=tuple(reader.counts.items()),
        withdrawn=reader.withdrawn,
    )


def _date(source: Input, metadata: dict[str, Any], path: tuple[str | int, ...]) -> str:
    for key, said in (("published", "published"), ("last-modified", "last modified")):
        value = metadata.get(key)
        if value is not None:
            text = one_line(source.text(value, (*path, key), key))
            if text:
                return f", {said} {text[:10]}"
    return ""


_RIGHTS_PROPS = ("rights", "copyright", "license", "licence")
_RIGHTS_WORDS = re.compile(r"copyright|public domain|licen[cs]|rights", re.IGNORECASE)


def _licence(
    source: Input, metadata: dict[str, Any], path: Sequence[str | int], reader: _Reader
) -> str:
    for name, value, _ in reader.props(metadata, tuple(path)):
        if name.lower() in _RIGHTS_PROPS and one_line(value):
            return clean_title(value)
    remarks = metadata.get("remarks")
    if remarks is not None:
        text = clean_title(source.text(remarks, (*path, "remarks"), "remarks"))
        if _RIGHTS_WORDS.search(text):
            return text
    return NOT_STATED
