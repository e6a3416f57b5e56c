"""YAML files of the reading tools: read one with a one-line error, and add records to curators' files as text,
so that every other line, comment and format stays as it was."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kg.errors import DataError


def read_yaml(path: Path, what: str):
    """A YAML file's content; DataError (file:line, what is wrong) if it cannot be read or parsed."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the {what}: {exc}", where=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise DataError(f"malformed {what}: {getattr(exc, 'problem', None) or exc}", where=where) from None


def scalar(value) -> str:
    """A YAML scalar: numbers and booleans bare, text double-quoted (JSON escapes are valid YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(value)
    text = str(value)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.\-]*", text) and text.casefold() not in _KEYWORDS:
        return text  # a key or a word: plain, as curators write them
    return json.dumps(text, ensure_ascii=False)


_KEYWORDS = {"yes", "no", "y", "n", "true", "false", "on", "off", "null", "nan", "inf"}


def flow(value) -> str:
    """A small mapping or list on one line: {value: 4, unit: hour}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def record(fields: dict, indent: int) -> str:
    """One list item in block style: '- key: value' lines; nested mappings of mappings and lists of mappings."""
    pad = " " * indent
    lines: list[str] = []
    for i, (key, val) in enumerate(fields.items()):
        lead = f"{pad}- " if i == 0 else f"{pad}  "
        if isinstance(val, list) and val and all(isinstance(v, dict) for v in val):
            lines.append(f"{lead}{key}:")
            lines += [record(v, indent + 4).rstrip("\n") for v in val]
        elif isinstance(val, dict) and val and all(isinstance(v, dict) for v in val.values()):
            lines.append(f"{lead}{key}:")
            lines += [f"{pad}    {k}: {flow(v)}" for k, v in val.items()]
        else:
            lines.append(f"{lead}{key}: {flow(val)}")
    return "\n".join(lines) + "\n"


def _compose(path: Path):
    import yaml

    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataError(f"cannot edit: {str(exc).splitlines()[0]}", where=str(path)) from None


def append_records(text: str | None, path: Path, section: str, items: list[dict], header: str) -> str:
    """The file's text with `items` added at the end of its top-level list `section` (a new file if None)."""
    if text is None:
        return f"{header}\n{section}:\n" + "".join(record(it, 2) for it in items)
    import yaml

    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    lines = text.splitlines(keepends=True)
    if root is None:
        return (
            text
            + ("" if text.endswith("\n") or not text else "\n")
            + f"{section}:\n"
            + "".join(record(it, 2) for it in items)
        )
    if not isinstance(root, yaml.MappingNode):
        raise DataError("a data file must be a mapping", where=str(path))
    for key, val in root.value:
        if key.value != section:
            continue
        if isinstance(val, yaml.SequenceNode) and not val.flow_style and val.value:
            indent = val.start_mark.column
            at = _line_after(val.value[-1])
        elif isinstance(val, yaml.ScalarNode) and val.value in ("", "~", "null"):
            indent, at = 2, key.start_mark.line + 1
            lines[key.start_mark.line] = f"{section}:\n"
        else:
            raise DataError(f"'{section}' is not a block list this tool can add to", where=str(path))
        new = "".join(record(it, indent) for it in items)
        if at > len(lines) and lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        return "".join(lines[:at]) + new + "".join(lines[at:])
    tail = "" if text.endswith("\n") or not text else "\n"
    return text + tail + f"{section}:\n" + "".join(record(it, 2) for it in items)


def _line_after(node) -> int:
    """The index of the line after a node's last character (where text goes after it)."""
    last = node
    while hasattr(last, "value") and isinstance(last.value, list) and last.value:
        tail = last.value[-1]
        last = tail[1] if isinstance(tail, tuple) else tail
    end = last.end_mark
    return end.line if end.column == 0 else end.line + 1


def add_evidence(text: str, path: Path, line: int, evidence: list[dict]) -> str:
    """The file's text with evidence items added to the statement that starts at `line` (1-based)."""
    import yaml

    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    stmts = next((v for k, v in root.value if k.value == "statements"), None) if root is not None else None
    node = next((n for n in (stmts.value if stmts is not None else []) if n.start_mark.line + 1 == line), None)
    if node is None:
        raise DataError(f"no statement starts at line {line}", where=str(path))
    ev = next((v for k, v in node.value if k.value == "evidence"), None)
    if not isinstance(ev, yaml.SequenceNode) or not ev.value:
        raise DataError(f"the statement at line {line} has no list of evidence to add to", where=str(path))
    if ev.flow_style:  # evidence: [{source: a, quote: "…"}]: add before the closing bracket
        close = ev.end_mark.index - 1
        if text[close] != "]":
            raise DataError(f"cannot find the end of the evidence list at line {line}", where=str(path))
        return text[:close] + "".join(f", {flow(e)}" for e in evidence) + text[close:]
    lines = text.splitlines(keepends=True)
    at = _line_after(ev.value[-1])
    if at > len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    new = "".join(record(e, ev.start_mark.column) for e in evidence)
    return "".join(lines[:at]) + new + "".join(lines[at:])


def add_to_list(text: str, path: Path, line: int, field: str, value: str) -> str:
    """The file's text with `value` added to the list `field` of the statement at `line` (the field is made,
    just before `evidence`, when the statement has none)."""
    import yaml

    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    stmts = next((v for k, v in root.value if k.value == "statements"), None) if root is not None else None
    node = next((n for n in (stmts.value if stmts is not None else []) if n.start_mark.line + 1 == line), None)
    if node is None:
        raise DataError(f"no statement starts at line {line}", where=str(path))
    found = next((v for k, v in node.value if k.value == field), None)
    if isinstance(found, yaml.SequenceNode) and found.flow_style:
        close = found.end_mark.index - 1
        sep = ", " if found.value else ""
        return text[:close] + f"{sep}{scalar(value)}" + text[close:]
    lines = text.splitlines(keepends=True)
    if isinstance(found, yaml.SequenceNode) and found.value:
        at = _line_after(found.value[-1])
        return "".join(lines[:at]) + " " * found.start_mark.column + f"- {scalar(value)}\n" + "".join(lines[at:])
    if found is not None:
        raise DataError(f"'{field}' of the statement at line {line} is not a list", where=str(path))
    anchor = next((k for k, _ in node.value if k.value == "evidence"), node.value[-1][0])
    at = anchor.start_mark.line
    return "".join(lines[:at]) + " " * anchor.start_mark.column + f"{field}: [{scalar(value)}]\n" + "".join(lines[at:])
