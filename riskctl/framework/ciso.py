"""CISO Assistant library files (YAML) as catalogues: the framework's requirement nodes.

- Each of `objects.framework.requirement_nodes` is a requirement: `assessable: false` ones are
  groupings; the parent is the node its `parent_urn` names (which must be in the file).
- Id: `ref_id` (outer spaces removed); without one, the node's own part of its urn: what follows
  `req_node:FRAMEWORK:` (`urn:intuitem:risk:req_node:dora:article-3:2` gives `article-3:2`),
  or the urn's last `:` segment when it has another shape. CISO Assistant's libraries often
  leave `ref_id` out on sub-points, whose urns end in `:1`, `:2`, ...; their urns' own parts are
  unique where the last segments are not.
- Title: `name`, else `description`, else the id; on one line.
- name: the framework's `name`; version: the library's `version`; source: the library's name,
  reference, provider, urn and publication date; licence: the library's `copyright`, else a
  sentence saying the file states none.
- Default framework id: the framework urn's last segment, lower-cased, other characters than
  letters, digits and `.` as `-` (`urn:intuitem:risk:framework:nist-csf-2.0` → `nist-csf-2.0`).
"""

from __future__ import annotations

from typing import Any

from riskctl.framework.importing import (
    NOT_STATED,
    Imported,
    Input,
    Node,
    finish,
    one_line,
    requirement_id,
    slug,
)


def local_part(urn: str) -> str:
    """The node's own part of its urn (see the module docstring)."""
    parts = urn.split(":")
    if len(parts) > 5 and parts[3] == "req_node":
        return ":".join(parts[5:])
    return parts[-1]


def read_ciso(source: Input) -> Imported:
    """The catalogue in a CISO Assistant library (see the module docstring)."""
    library = source.data
    path: tuple[str | int, ...] = ("objects", "framework")
    framework = source.mapping(library["objects"]["framework"], path, "objects.framework")
    urn = source.text(framework.get("urn"), (*path, "urn"), "the framework's urn")
    name = one_line(source.text(framework.get("name"), (*path, "name"), "the framework's name"))
    nodes_path = (*path, "requirement_nodes")
    items = source.sequence(framework.get("requirement_nodes"), nodes_path, "requirement_nodes")
    nodes: list[Node] = []
    for index, item in enumerate(items):
        where = (*nodes_path, index)
        nodes.append(_node(source, source.mapping(item, where, "a requirement node"), where))
    requirements = finish(source, nodes)
    text = {
        key: one_line(value) if value is not None else ""
        for key in ("name", "ref_id", "provider", "packager", "copyright", "urn")
        for value in [source.optional_text(library.get(key), (key,), key)]
    }
    version = one_line(source.optional_text(library.get("version"), ("version",), "version") or "")
    published = source.optional_text(
        library.get("publication_date"), ("publication_date",), "publication_date"
    )
    date = f", published {one_line(published)[:10]}" if published else ""
    described = ", ".join(
        part
        for part in (
            text["name"] or name,
            text["ref_id"],
            f"provided by {text['provider']}" if text["provider"] else "",
        )
        if part
    )
    library_part = ", ".join(
        part
        for part in (
            f"CISO Assistant library {text['urn']}".rstrip(),
            f"version {version}" if version else "",
            date.removeprefix(", "),
            f"packaged by {text['packager']}" if text["packager"] else "",
        )
        if part
    )
    return Imported(
        format="CISO Assistant library",
        default_id=slug(urn.rsplit(":", 1)[-1]),
        name=name or one_line(urn) or "Untitled CISO Assistant framework",
        version=version or "not stated",
        source=f"{described}; {library_part}",
        licence=text["copyright"] or NOT_STATED,
        requirements=requirements,
        counts=(
            ("groupings", sum(not each.assessable for each in requirements)),
            ("assessable requirements", sum(each.assessable for each in requirements)),
        ),
    )


def _node(source: Input, item: dict[str, Any], where: tuple[str | int, ...]) -> Node:
    urn = source.text(item.get("urn"), (*where, "urn"), "a requirement node's urn")
    ref_id = source.optional_text(item.get("ref_id"), (*where, "ref_id"), "ref_id")
    if ref_id is not None and ref_id.strip():
        node_id = requirement_id(source, ref_id, (*where, "ref_id"))
    else:
        node_id = requirement_id(source, local_part(urn), (*where, "urn"))
    title = ""
    for key in ("name", "description"):
        value = source.optional_text(item.get(key), (*where, key), key)
        title = one_line(value or "")
        if title:
            break
    parent = item.get("parent_urn")
    if parent is not None:
        parent = source.text(parent, (*where, "parent_urn"), "parent_urn")
    assessable = item.get("assessable", True)
    if not isinstance(assessable, bool):
        raise source.fail((*where, "assessable"), "assessable: expected true or false")
    return Node(urn, node_id, title or node_id, parent, assessable, where)
