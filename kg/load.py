"""Read curators' YAML into typed records, reporting every malformed record at file:line."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import DataError, Problem
from kg.model import NO_ID_KINDS, QUALIFIERS, Dataset, Entity, Evidence, MissingId, Qualifier, Source, Statement, Xref

_LINE = "__line__"
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


MAX_DEPTH = 64  # mappings and lists inside one another; the data format needs about six
MAX_ALIAS_GROWTH = 100_000  # nodes that YAML aliases may add to a file beyond the ones it holds


class _YamlInt(int):
    """An integer written in a form that does not read back as the same text (0x1F, 017, 1_000, +5)."""

    text: str


class _YamlFloat(float):
    """A number written in a form that does not read back as the same text (1.10, 1e3, .5)."""

    text: str


@lru_cache(maxsize=1)
def _loader_class():
    """A safe YAML loader (C-accelerated when available) that records lines and duplicate keys, keeps the written
    form of numbers that would not read back as the same text, and reports impossible dates at their line."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        duplicates: list[tuple[int, str]]

        def construct_mapping(self, node, deep=False):
            seen: set = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, str) and key in seen:
                    self.duplicates.append((key_node.start_mark.line + 1, key))
                seen.add(key)
            mapping = super().construct_mapping(node, deep=True)
            mapping[_LINE] = node.start_mark.line + 1
            return mapping

        def construct_yaml_int(self, node):
            return _as_written(super().construct_yaml_int(node), node.value, _YamlInt)

        def construct_yaml_float(self, node):
            return _as_written(super().construct_yaml_float(node), node.value, _YamlFloat)

        def construct_yaml_timestamp(self, node):
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError as exc:
                raise yaml.constructor.ConstructorError(
                    None, None, f"'{node.value}' is not a real date or time ({exc})", node.start_mark
                ) from None

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    Loader.add_constructor("tag:yaml.org,2002:float", Loader.construct_yaml_float)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    return Loader


def _as_written(value, text: str, kind: type):
    if isinstance(value, bool) or str(value) == text:
        return value
    number = kind(value)
    number.text = text
    return number


def _node_limits(node) -> tuple[int, str] | None:
    """(line, what) of the first place a YAML node tree nests too deeply or its aliases expand too far, else None.
    Aliases share nodes, so sizes are counted once per node (linear in the file, however far it expands)."""
    from yaml import MappingNode, SequenceNode

    def children(n) -> list:
        if isinstance(n, SequenceNode):
            return n.value
        if isinstance(n, MappingNode):
            return [x for pair in n.value for x in pair]
        return []

    size: dict[int, int] = {}
    height: dict[int, int] = {}
    stack = [(node, False)]
    while stack:
        n, done = stack.pop()
        if id(n) in size:
            continue
        kids = children(n)
        if not done:
            if id(n) in height:  # reached again while its children are open: it contains itself
                return n.start_mark.line + 1, "a YAML alias refers to a node that contains it"
            height[id(n)] = -1
            stack.append((n, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
            continue
        size[id(n)] = 1 + sum(size[id(k)] for k in kids)
        height[id(n)] = 1 + max((height[id(k)] for k in kids), default=0)
        if height[id(n)] > MAX_DEPTH:
            return n.start_mark.line + 1, f"data nested more than {MAX_DEPTH} levels deep"
        if size[id(n)] - len(size) > MAX_ALIAS_GROWTH:
            return n.start_mark.line + 1, f"YAML aliases expand this to {size[id(n)]:,} nodes (an alias bomb?)"
    return None


DATA_SUFFIXES = (".yaml", ".yml", ".json")


def data_files(directory: Path) -> list[Path]:
    """The data files of a dataset (YAML for curators; JSON, same structure, for generated data), sorted."""
    if not directory.is_dir():
        raise DataError("no such data directory", where=str(directory))
    return sorted(p for p in directory.rglob("*") if p.suffix in DATA_SUFFIXES and p.is_file())


def load_dataset(directory: Path) -> tuple[Dataset, list[Problem]]:
    """Load every YAML file under `directory`; return the dataset and the problems found."""
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    entities: dict[str, Entity] = {}
    statements: dict[str, Statement] = {}
    files = data_files(directory)
    if not files:
        problems.append(Problem(str(directory), "no .yaml files in the data directory", "empty"))
    unreadable: set[str] = set()
    singular = {"sources": "source", "entities": "entity", "statements": "statement"}
    for path in files:
        doc = _read_json(path, problems) if path.suffix == ".json" else _read_yaml(path, problems)
        if doc is None:
            unreadable |= _salvage_keys(path)
            continue
        rel = _display(path)
        for section, parse, target in (
            ("sources", _source, sources),
            ("entities", _entity, entities),
            ("statements", _statement, statements),
        ):
            records = doc.get(section) or []
            if not isinstance(records, list):
                problems.append(Problem(f"{rel}:{doc.get(_LINE, 1)}", f"'{section}' must be a list"))
                continue
            for i, raw in enumerate(records):
                if not isinstance(raw, dict):
                    problems.append(
                        Problem(f"{rel}:{doc.get(_LINE, 1)}", f"each item of '{section}' must be a mapping")
                    )
                    continue
                where = f"{rel}:{raw[_LINE]}" if _LINE in raw else f"{rel}#{section}[{i}]"
                try:
                    record = parse(raw, where)
                except _Bad as bad:
                    problems.append(Problem(where, str(bad), "malformed"))
                    continue
                key = record.id if isinstance(record, Statement) else record.key
                if key in target:
                    problems.append(
                        Problem(
                            where,
                            f"duplicate {singular[section]} key '{key}' (first at {target[key].where})",
                            "duplicate",
                        )
                    )
                    continue
                target[key] = record
        unknown = sorted(k for k in doc if k not in ("sources", "entities", "statements", _LINE))
        for k in unknown:
            problems.append(Problem(f"{rel}:{doc.get(_LINE, 1)}", f"unknown top-level section '{k}'"))
    dataset = Dataset(sources, entities, statements, unreadable_keys=frozenset(unreadable))
    return dataset, problems


_KEY_LINE = re.compile(r"""(?:^|[{,\s])key:\s*["']?([A-Za-z0-9][A-Za-z0-9_.\-]*)""", re.M)


def _salvage_keys(path: Path) -> set[str]:
    """Keys a file that failed to parse seems to define, so that references to them are not reported twice."""
    try:
        return set(_KEY_LINE.findall(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return set()


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _JsonRefused(ValueError):
    """A duplicate key or a non-finite number in JSON data; `pos` is where, when known."""

    def __init__(self, message: str, pos: int = -1) -> None:
        super().__init__(message)
        self.pos = pos


def _unique_pairs(pairs: list[tuple[str, Any]], _dict=dict, _len=len) -> dict:
    obj = _dict(pairs)
    if _len(obj) != _len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _JsonRefused(f"key '{short_repr(key)[1:-1]}' appears twice in one object")
    return obj


def _no_constant(name: str) -> None:
    raise _JsonRefused(f"{name} is not a number JSON data may hold")


def _locate_json(text: str) -> int:
    """Where the first duplicate key or non-finite number of `text` is, found again by the pure-Python scanner (which
    knows positions); only called once the fast decoder has refused the text."""
    import json
    import json.decoder
    import json.scanner

    def checked(scan_once):
        def scan(s: str, idx: int):
            if s.startswith(("NaN", "Infinity", "-Infinity"), idx):
                raise _JsonRefused("", idx)
            return scan_once(s, idx)

        return scan

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        s, end = s_and_end

        def pairs_hook(pairs):
            keys = [k for k, _ in pairs]
            if len(set(keys)) != len(keys):
                written = json.dumps(next(k for i, k in enumerate(keys) if k in keys[:i]), ensure_ascii=False)
                first = s.find(written, end)
                second = s.find(written, first + 1) if first >= 0 else -1
                raise _JsonRefused("", second if second >= 0 else first)
            return dict(pairs)

        return json.decoder.JSONObject((s, end), strict, checked(scan_once), None, pairs_hook, memo)

    def parse_array(s_and_end, scan_once):
        return json.decoder.JSONArray(s_and_end, checked(scan_once))

    decoder = json.JSONDecoder()
    decoder.parse_object, decoder.parse_array = parse_object, parse_array
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        decoder.decode(text)
    except _JsonRefused as found:
        return found.pos
    except (ValueError, RecursionError):
        pass
    return -1


def _read_json(path: Path, problems: list[Problem]) -> dict | None:
    import json

    rel = _display(path)
    try:
        raw = path.read_bytes()
        doc = json.loads(raw, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
    except OSError as exc:
        problems.append(Problem(rel, f"cannot read: {exc}", "io"))
        return None
    except json.JSONDecodeError as exc:
        problems.append(Problem(f"{rel}:{exc.lineno}", f"malformed JSON: {exc.msg} (column {exc.colno})", "json"))
        return None
    except _JsonRefused as exc:
        text = raw.decode("utf-8", "replace")
        pos = _locate_json(text)
        line = f":{text.count(chr(10), 0, pos) + 1}" if pos >= 0 else ""
        problems.append(Problem(f"{rel}{line}", str(exc), "json"))
        return None
    except RecursionError:
        problems.append(Problem(rel, "data nested too deeply to read", "json"))
        return None
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, f"cannot read: {exc}", "io"))
        return None
    if not isinstance(doc, dict):
        problems.append(Problem(f"{rel}:1", "a data file must be an object with sources/entities/statements", "json"))
        return None
    return doc


def _read_yaml(path: Path, problems: list[Problem]) -> dict | None:
    rel = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, f"cannot read: {exc}", "io"))
        return None
    import yaml

    loader = _loader_class()(text)
    loader.duplicates = []
    try:
        node = loader.get_single_node()
        doc = limit = None
        if node is not None and "*" in text:  # aliases: how far they expand is checked before anything is built
            limit = _node_limits(node)
        if node is not None and limit is None:
            try:
                doc = loader.construct_document(node)
            except RecursionError:
                limit = _node_limits(node) or (1, f"data nested more than {MAX_DEPTH} levels deep")
        if limit is not None:
            problems.append(Problem(f"{rel}:{limit[0]}", limit[1], "yaml"))
            return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(f"{rel}{line}", f"malformed YAML: {what}", "yaml"))
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        problems.append(Problem(f"{rel}:{line}", f"key '{key}' appears twice in one record", "duplicate"))
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        problems.append(Problem(f"{rel}:1", "a data file must be a mapping with sources/entities/statements", "yaml"))
        return None
    return doc


class _Bad(ValueError):
    """A malformed record; the message says which field and why."""


def short_repr(value: Any, limit: int = 60) -> str:
    """A value as it may appear in a one-line message: its repr, cut short."""
    text = repr(getattr(value, "text", value)) if not isinstance(value, (list, dict)) else type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(val: Any, name: str) -> str:
    """A scalar used as text; a number YAML read from a form it would not write back (0x1F, 017, 1.10) is refused."""
    if isinstance(val, bool):
        raise _Bad(f"field '{name}' must be text, not {'true' if val else 'false'}; put it in quotes")
    if isinstance(val, (_YamlInt, _YamlFloat)):
        raise _Bad(
            f"field '{name}' is written {val.text}, which YAML reads as the number {val!r}, not as the text; "
            f"put it in quotes: '{val.text}'"
        )
    if isinstance(val, float) and not math.isfinite(val):
        raise _Bad(f"field '{name}' must be text, not {val}")
    if isinstance(val, (int, float)):
        return str(val)
    if not isinstance(val, str):
        raise _Bad(f"field '{name}' must be text, not {type(val).__name__}")
    return val


def _str(raw: dict, name: str, required: bool = True) -> str | None:
    val = raw.get(name)
    if type(val) is str and val:  # the common case, first: a million fields at 100k statements
        return val.strip()
    if val is None or val == "":
        if required:
            raise _Bad(f"missing required field '{name}'")
        return None
    return _text(val, name).strip()


def _key(raw: dict, name: str) -> str:
    val = _str(raw, name)
    if not KEY_RE.match(val):
        raise _Bad(f"'{name}' {short_repr(val)} must be a key of letters, digits, '_', '-' or '.'")
    return val


def _strs(raw: dict, name: str) -> tuple[str, ...]:
    val = raw.get(name) or []
    if isinstance(val, str):
        val = [val]
    if not isinstance(val, list) or not all(isinstance(v, (str, int, float)) for v in val):
        raise _Bad(f"field '{name}' must be a list of text")
    return tuple(_text(v, name).strip() for v in val)


def _check_fields(raw: dict, allowed: set[str]) -> None:
    extra = sorted((short_repr(k) for k in raw if k not in allowed and k != _LINE), key=str)
    if extra:
        raise _Bad(f"unknown field(s) {', '.join(extra)}; allowed: {', '.join(sorted(allowed))}")


def _source(raw: dict, where: str) -> Source:
    _check_fields(raw, {"key", "title", "file", "kind", "date"})
    date = raw.get("date")
    return Source(
        key=_key(raw, "key"),
        title=_str(raw, "title"),
        file=_str(raw, "file"),
        kind=_str(raw, "kind", required=False) or "web article",
        date=(str(date) if hasattr(date, "isoformat") else _text(date, "date")) if date is not None else None,
        where=where,
    )


def _entity(raw: dict, where: str) -> Entity:
    _check_fields(raw, {"key", "label", "type", "synonyms", "ids", "no_id", "definition", "plain"})
    ids = raw.get("ids") or []
    if not isinstance(ids, list):
        raise _Bad("field 'ids' must be a list")
    return Entity(
        key=_key(raw, "key"),
        label=_str(raw, "label"),
        type=_str(raw, "type"),
        synonyms=_strs(raw, "synonyms"),
        xrefs=tuple(_xref(item) for item in ids),
        definition=_str(raw, "definition", required=False) or "",
        no_id=_missing_id(raw["no_id"]) if raw.get("no_id") is not None else None,
        plain=_str(raw, "plain", required=False) or "",
        where=where,
    )


def _xref(item: Any) -> Xref:
    if isinstance(item, str):
        return Xref(curie=item.strip())
    if not isinstance(item, dict):
        raise _Bad("each id must be a CURIE or a mapping with 'curie'")
    _check_fields(item, {"curie", "match", "checked", "obsolete", "replaced_by"})
    match = _str(item, "match", required=False) or "exact"
    if match not in ("exact", "close"):
        raise _Bad(f"id match must be 'exact' or 'close', not {match!r}")
    obsolete = item.get("obsolete", False)
    if not isinstance(obsolete, bool):
        raise _Bad(f"id field 'obsolete' must be true or false, not {obsolete!r}")
    return Xref(
        curie=_str(item, "curie"),
        match=match,
        checked=_str(item, "checked", False) or "",
        obsolete=obsolete,
        replaced_by=_str(item, "replaced_by", False) or "",
    )


def _missing_id(val: Any) -> MissingId:
    if not isinstance(val, dict):
        raise _Bad("field 'no_id' must be a mapping {kind: no-term|unverified, note: 'what was searched'}")
    _check_fields(val, {"kind", "note"})
    kind = _str(val, "kind")
    if kind not in NO_ID_KINDS:
        raise _Bad(f"no_id kind must be one of {', '.join(NO_ID_KINDS)}, not {kind!r}")
    return MissingId(kind=kind, note=_str(val, "note"))


def _statement(raw: dict, where: str) -> Statement:
    _check_fields(
        raw, {"id", "subject", "predicate", "object", "evidence", "qualifiers", "status", "note", "conflicts_with"}
    )
    subject, predicate, obj = _key(raw, "subject"), _key(raw, "predicate"), _key(raw, "object")
    sid = _key(raw, "id") if raw.get("id") else f"{subject}-{predicate}-{obj}"
    evidence = []
    items = raw.get("evidence")
    if not items:
        raise _Bad("a statement needs at least one evidence item (source + verbatim quote)")
    if not isinstance(items, list):
        raise _Bad("field 'evidence' must be a list")
    for item in items:
        if not isinstance(item, dict):
            raise _Bad("each evidence item must be a mapping with 'source' and 'quote'")
        _check_fields(item, {"source", "quote"})
        quote = _str(item, "quote")
        if not any(c.isalnum() for c in quote):  # "...", or spaces: it would be found in any document
            raise _Bad(f"the quote {short_repr(quote)} has no words; quote the document's own words")
        evidence.append(Evidence(source=_key(item, "source"), quote=quote))
    quals = raw.get("qualifiers") or {}
    if not isinstance(quals, dict):
        raise _Bad("field 'qualifiers' must be a mapping, e.g. {onset: {value: 4, unit: hour}}")
    status = _str(raw, "status", required=False) or "asserted"
    return Statement(
        id=sid,
        subject=subject,
        predicate=predicate,
        object=obj,
        evidence=tuple(evidence),
        qualifiers=tuple(_qualifier(k, v) for k, v in quals.items() if k != _LINE),
        status=status,
        note=_str(raw, "note", required=False) or "",
        conflicts_with=_strs(raw, "conflicts_with"),
        where=where,
    )


def _number(val: Any, what: str) -> float | None:
    if val is None:
        return None
    if isinstance(val, bool) or not isinstance(val, (int, float)):
        raise _Bad(f"qualifier {what} must be a number, not {short_repr(val)}")
    try:
        number = float(val)
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise _Bad(f"qualifier {what} must be a finite number, not {short_repr(val)}")
    return number


def _qualifier(name: str, val: Any) -> Qualifier:
    if name not in QUALIFIERS:
        raise _Bad(f"unknown qualifier '{name}'; allowed: {', '.join(QUALIFIERS)}")
    if name == "location":
        if not isinstance(val, str):
            raise _Bad("qualifier 'location' must be an entity key")
        return Qualifier(name=name, entity=val.strip())
    if isinstance(val, str):
        return Qualifier(name=name, text=val.strip())
    if isinstance(val, (int, float)) and not isinstance(val, bool):
        return Qualifier(name=name, value=_number(val, f"'{name}'"))
    if not isinstance(val, dict):
        raise _Bad(f"qualifier '{name}' must be text, a number or a mapping with value/min/max/unit/text")
    _check_fields(val, {"value", "min", "max", "unit", "text", "approximate"})
    q = Qualifier(
        name=name,
        value=_number(val.get("value"), f"'{name}' value"),
        min=_number(val.get("min"), f"'{name}' min"),
        max=_number(val.get("max"), f"'{name}' max"),
        unit=_str(val, "unit", required=False),
        text=_str(val, "text", required=False),
        approximate=bool(val.get("approximate", False)),
    )
    if q.value is None and q.min is None and q.max is None and not q.text:
        raise _Bad(f"qualifier '{name}' needs a value, a min/max or a text")
    return q
