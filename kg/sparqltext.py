"""Lexical facts about SPARQL text, without a full parser: its form, SERVICE use, variables, VALUES binding.

The lexer knows just enough of the SPARQL 1.1 grammar (IRIs, the four kinds of string, comments,
variables, prefixed names, keywords and punctuation) that a keyword inside a string, an IRI or a
comment is never taken for a keyword. The engine still parses every query; these helpers only decide
what to refuse and where a VALUES block may go.

A query is lexed once, by `parse`, into a `Query` value (its text, tokens, form, SERVICE use, variables,
declared prefixes, nesting) that flows from the CLI, the API or the endpoint down to the local or remote
engine; the functions of one text below (`query_form`, `bind_values` …) are that value's fields and methods.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from kg.errors import UsageError

# Name characters: ASCII ones exactly, and any non-ASCII character but a space. The grammar's exact Unicode
# ranges took 20 ms to compile at every `kg sparql` start; the looser match changes nothing for a valid query, where
# a non-ASCII character outside strings, IRIs and comments can only belong to a name (the engine rejects others).
_NA = r"(?![\x00-\x7f]|\s)."  # one non-ASCII character that is not a space
_U = rf"(?:[A-Za-z_0-9]|{_NA})"  # a variable's characters (PN_CHARS_U, digits, and the non-ASCII extras)
_C = rf"(?:[A-Za-z_0-9-]|{_NA})"  # PN_CHARS
_LOCAL = rf"(?:[A-Za-z_0-9:-]|{_NA}|%[0-9A-Fa-f]{{2}}|\\[-_~.!$&'()*+,;=/?#@%]|\.(?=[A-Za-z_0-9:%\\-]|{_NA}))*"

_TOKEN = re.compile(
    "|".join(
        (
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\')',
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            rf"(?P<var>[?$]{_U}+)",
            rf"(?P<bnode>_:{_C}+(?:\.+{_C}+)*)",
            rf"(?P<pname>(?:(?:[A-Za-z]|{_NA})(?:(?:{_C}|\.)*{_C})?)?:{_LOCAL})",
            r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            rf"(?P<name>(?:[A-Za-z_]|{_NA}){_U}*)",
            r"(?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|.)",
        )
    ),
    re.DOTALL,
)

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_VAR_NAME = rf"[{_PN_CHARS_BASE}_0-9][{_PN_CHARS_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*"  # exact; compiled on use
_SAFE_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical token: its kind (ws, comment, string, iri, var, pname, name, punct …), text and offset."""

    kind: str
    text: str
    start: int

    @property
    def upper(self) -> str:
        """The text in upper case (SPARQL keywords are case-insensitive)."""
        return self.text.upper()


def tokens(text: str) -> Iterator[Token]:
    """All tokens of `text`, whitespace and comments included, in order."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "punct"
        yield Token(kind, m.group(), m.start())


def significant(text: str) -> list[Token]:
    """The tokens that carry meaning (no whitespace, no comments)."""
    return [t for t in tokens(text) if t.kind not in ("ws", "comment")]


@dataclass(frozen=True, eq=False)
class Query:
    """A SPARQL request lexed once: its text, the tokens that carry meaning, and what they say."""

    text: str
    tokens: tuple[Token, ...]  # no whitespace, no comments
    form: str | None  # SELECT, CONSTRUCT, DESCRIBE, ASK, UPDATE (any update operation) or None if unrecognized
    uses_service: bool  # whether it calls out to another endpoint (a SERVICE clause)
    variables: frozenset[str]  # the names of the variables it mentions (without ? or $)
    declared_prefixes: frozenset[str]  # the prefixes it declares itself
    nesting: int  # how deeply its groups, brackets and parentheses nest

    def bound(self, bindings: Mapping[str, object], prefixes: Mapping[str, str] | None = None) -> str:
        """The text with parameters bound as a VALUES block (see `bind_values`)."""
        return _bind(self, bindings, prefixes)

    def with_prologue(self, prefixes: Mapping[str, str], text: str | None = None) -> tuple[str, int, dict[str, str]]:
        """`text` (default: the query's) with the `prefixes` it does not declare itself declared in front, on one
        line; the lines added in front (0 or 1) and the prefixes added."""
        missing = {p: ns for p, ns in prefixes.items() if p not in self.declared_prefixes}
        text = self.text if text is None else text
        return (f"{prologue(missing)}\n{text}", 1, missing) if missing else (text, 0, missing)


def parse(text: str) -> Query:
    """`text` lexed into a Query value."""
    toks = tuple(significant(text))
    depth = deepest = 0
    for tok in toks:
        if tok.text in ("{", "(", "["):
            depth += 1
            deepest = max(deepest, depth)
        elif tok.text in ("}", ")", "]"):
            depth -= 1
    return Query(
        text,
        toks,
        _form(toks),
        any(t.kind == "name" and t.upper == "SERVICE" for t in toks),
        frozenset(t.text[1:] for t in toks if t.kind == "var"),
        frozenset(
            toks[i + 1].text.split(":", 1)[0]
            for i, t in enumerate(toks[:-1])
            if t.kind == "name" and t.upper == "PREFIX" and toks[i + 1].kind == "pname"
        ),
        deepest,
    )


def _as_query(query: str | Query) -> Query:
    return query if isinstance(query, Query) else parse(query)


def _after_prologue(toks: Sequence[Token]) -> int:
    i = 0
    while i < len(toks):
        word = toks[i].upper if toks[i].kind == "name" else ""
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        else:
            break
    return i


def _form(toks: Sequence[Token]) -> str | None:
    i = _after_prologue(toks)
    if i >= len(toks) or toks[i].kind != "name":
        return None
    word = toks[i].upper
    if word in QUERY_FORMS:
        return word
    return "UPDATE" if word in UPDATE_KEYWORDS else None


def query_form(text: str | Query) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE, ASK, UPDATE (any update operation) or None if unrecognized."""
    return _as_query(text).form


def uses_service(text: str | Query) -> bool:
    """Whether the query calls out to another endpoint (a SERVICE clause)."""
    return _as_query(text).uses_service


def variables(text: str | Query) -> set[str]:
    """The names of the variables the query mentions (without ? or $)."""
    return set(_as_query(text).variables)


def declared_prefixes(text: str | Query) -> set[str]:
    """The prefixes the query declares itself."""
    return set(_as_query(text).declared_prefixes)


def prologue(prefixes: Mapping[str, str]) -> str:
    """PREFIX declarations for a prefix map, on one line."""
    return " ".join(f"PREFIX {p}: <{ns}>" for p, ns in prefixes.items())


def is_valid_variable(name: str) -> bool:
    """Whether `name` is a legal SPARQL variable name (without ? or $)."""
    return bool(re.fullmatch(_VAR_NAME, name))


def term_text(term, prefixes: Mapping[str, str] | None = None) -> str:
    """A pyoxigraph NamedNode or Literal written as SPARQL (a CURIE when it compacts cleanly)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        for prefix, ns in (prefixes or {}).items():
            local = term.value[len(ns) :]
            if term.value.startswith(ns) and _SAFE_LOCAL.fullmatch(local):
                return f"{prefix}:{local}"
        return str(term)
    if isinstance(term, ox.Literal):
        return str(term)  # N-Triples syntax: quotes, backslashes and newlines escaped; valid SPARQL
    raise UsageError(f"cannot bind a {type(term).__name__} as a query parameter")


def _outer_group(toks: Sequence[Token]) -> int:
    """Index of the '{' that opens the query's WHERE group."""
    i = _after_prologue(toks)
    form = toks[i].upper if i < len(toks) and toks[i].kind == "name" else ""
    if form not in QUERY_FORMS:
        raise UsageError("parameters can be bound only in a SELECT, CONSTRUCT, DESCRIBE or ASK query")
    depth = 0
    j = i + 1
    if form == "CONSTRUCT":
        nxt = toks[j] if j < len(toks) else None
        if nxt is not None and nxt.kind == "name" and nxt.upper == "WHERE":
            raise UsageError(
                "cannot bind parameters in the short form CONSTRUCT WHERE {…}; write CONSTRUCT {…} WHERE {…}"
            )
        if nxt is not None and nxt.text == "{":  # skip the template
            level = 0
            while j < len(toks):
                level += {"{": 1, "}": -1}.get(toks[j].text, 0) if toks[j].kind == "punct" else 0
                j += 1
                if level == 0:
                    break
    for k in range(j, len(toks)):
        t = toks[k]
        if t.kind != "punct":
            continue
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif t.text == "{" and depth == 0:
            return k
    raise UsageError("cannot bind parameters: the query has no WHERE group")


def bind_values(text: str | Query, bindings: Mapping[str, object], prefixes: Mapping[str, str] | None = None) -> str:
    """The query with `VALUES (?a ?b) { (t1 t2) }` opening its WHERE group: parameters bound as RDF terms. A
    variable bound to a tuple of terms gets a block of its own, `VALUES ?k { t1 t2 … }` (a page's keys).

    A subquery that uses a bound variable gets the same block (it would not see the outer one), so a
    parameter binds everywhere, as an engine substitution would. Where a bound variable is the subject or
    object of a transitive property path (`?drug mk:affects* ?x`), the IRI is also written in its place:
    Virtuoso 7.2 does not take a path's start from VALUES (wrong rows or "transitive start not given"), and
    for every engine it means the same. Used locally and for remote endpoints alike, so they run one text.
    """
    return _bind(_as_query(text), bindings, prefixes)


def _bind(query: Query, bindings: Mapping[str, object], prefixes: Mapping[str, str] | None) -> str:
    text = query.text
    if not bindings:
        return text
    for name in bindings:
        if not is_valid_variable(name):
            raise UsageError(f"'{name}' is not a valid variable name")
    single = {n: t for n, t in bindings.items() if not isinstance(t, (tuple, list))}
    several = {n: tuple(t) for n, t in bindings.items() if isinstance(t, (tuple, list))}
    toks = query.tokens
    outer = _outer_group(toks)
    selects = [i for i in range(outer + 1, len(toks)) if toks[i].upper == "SELECT"]
    transitive = _transitive_path_ends(toks)
    edits = []  # (start, end, replacement)
    for k, select in [(outer, None), *((_group_after(toks, i), i) for i in selects)]:
        end = _closing(toks, k)
        used = {t.text[1:] for t in toks[k:end] if t.kind == "var"}
        bound = {n: t for n, t in single.items() if select is None or n in used}
        blocks = []
        if bound:
            names = " ".join(f"?{n}" for n in bound)
            values = " ".join(term_text(t, prefixes) for t in bound.values())
            blocks.append(f" VALUES ({names}) {{ ({values}) }}")
        # A variable with several values (the keys of a page) restricts a subquery only where that means the same as
        # restricting its rows: where the subquery projects it; and not where a transitive path would then be walked
        # from both ends, once per value.
        projected = {t.text[1:] for t in toks[select + 1 : k] if t.kind == "var"} if select is not None else set()
        walks = any(k < i < end for i in transitive)
        for n, terms in several.items():
            if select is None or (n in projected and not walks):
                blocks.append(f" VALUES ?{n} {{ {' '.join(term_text(t, prefixes) for t in terms)} }}")
        if blocks:
            at = toks[k].start + 1
            edits.append((at, at, "".join(blocks)))
    for i in transitive:
        term = single.get(toks[i].text[1:]) if toks[i].kind == "var" else None
        if term is not None and type(term).__name__ == "NamedNode":
            edits.append((toks[i].start, toks[i].start + len(toks[i].text), term_text(term, prefixes)))
    for start, stop, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[stop:]
    return text


_PATH_ELEMENT = ("iri", "pname")


def _transitive_path_ends(toks: Sequence[Token]) -> list[int]:
    """Indexes of the subject and object tokens of each triple pattern whose property path has a * or +."""
    ends = []
    for k, t in enumerate(toks):
        if t.kind != "punct" or t.text not in "*+" or k == 0 or not _ends_path_unit(toks, k - 1):
            continue
        start = _unit_start(toks, k - 1)
        while start is not None and start >= 2 and toks[start - 1].text in ("/", "|"):
            start = _unit_start(toks, start - 2) if _ends_path_unit(toks, start - 2) else None
        if start is not None and start >= 1:
            ends.append(start - 1)
        stop = k + 1
        while stop is not None and stop < len(toks) and toks[stop].text in ("/", "|", "*", "+", "?"):
            stop = _unit_end(toks, stop + 1) + 1 if toks[stop].text in ("/", "|") else stop + 1
        if stop is not None and stop < len(toks):
            ends.append(stop)
    return ends


def _ends_path_unit(toks: Sequence[Token], i: int) -> bool:
    """Whether token i closes a path primary: an IRI, `a`, or a group of path tokens only."""
    t = toks[i]
    if t.kind in _PATH_ELEMENT or (t.kind == "name" and t.text == "a"):
        return True
    if t.text != ")":
        return False
    j = _unit_start(toks, i)
    return j is not None and all(
        x.kind in _PATH_ELEMENT or x.text in ("a", "/", "|", "^", "!", "(", ")", "*", "+", "?") for x in toks[j:i]
    )


def _unit_start(toks: Sequence[Token], i: int) -> int | None:
    """Index where the path primary ending at token i starts, with its ^ or ! in front."""
    if toks[i].text == ")":
        level = 0
        while i >= 0:
            level += {")": 1, "(": -1}.get(toks[i].text, 0) if toks[i].kind == "punct" else 0
            if level == 0:
                break
            i -= 1
        if i < 0:
            return None
    while i >= 1 and toks[i - 1].text in ("^", "!"):
        i -= 1
    return i


def _unit_end(toks: Sequence[Token], i: int) -> int:
    """Index of the last token of the path primary starting at token i (after any ^ or !)."""
    while i < len(toks) and toks[i].text in ("^", "!"):
        i += 1
    if i < len(toks) and toks[i].text == "(":
        level = 0
        for j in range(i, len(toks)):
            level += {"(": 1, ")": -1}.get(toks[j].text, 0) if toks[j].kind == "punct" else 0
            if level == 0:
                return j
    return i


def rebound_variables(text: str | Query) -> list[Token]:
    """Variables that a BIND (… AS ?v) introduces after its group already mentions them, as tokens of `text`.

    SPARQL forbids binding a variable the group has used before the BIND (a mention in a FILTER does not
    count, which this text-level scan cannot tell: the engine's parse has the last word).
    """
    toks = _as_query(text).tokens
    found = []
    for i, t in enumerate(toks[:-1]):
        if t.upper != "BIND" or toks[i + 1].text != "(":
            continue
        depth, end = 0, None
        for k in range(i + 1, len(toks)):
            if toks[k].kind == "punct" and toks[k].text in "()":
                depth += 1 if toks[k].text == "(" else -1
                if depth == 0:
                    end = k
                    break
        if end is None or end < 2 or toks[end - 2].upper != "AS" or toks[end - 1].kind != "var":
            continue
        var, level, j = toks[end - 1], 0, i - 1
        while j >= 0:  # back to the '{' that opens the BIND's group
            if toks[j].kind == "punct" and toks[j].text in "{}":
                level += 1 if toks[j].text == "}" else -1
                if level < 0:
                    break
            j -= 1
        if any(x.kind == "var" and x.text[1:] == var.text[1:] for x in toks[j + 1 : i]):
            found.append(var)
    return found


def ask_as_construct(text: str | Query) -> str:
    """`text` with its ASK keyword written as `CONSTRUCT {}`: the same pattern, answered lazily by pyoxigraph."""
    query = _as_query(text)
    toks, text = query.tokens, query.text
    i = _after_prologue(toks)
    if i < len(toks) and toks[i].upper == "ASK":
        return text[: toks[i].start] + "CONSTRUCT {}" + text[toks[i].start + 3 :]
    return text


def _group_after(toks: Sequence[Token], i: int) -> int:
    """Index of the first '{' after token i outside parentheses: the WHERE group of a (sub)query."""
    depth = 0
    for k in range(i + 1, len(toks)):
        t = toks[k]
        if t.kind == "punct" and t.text in "()":
            depth += 1 if t.text == "(" else -1
        elif t.kind == "punct" and t.text == "{" and depth == 0:
            return k
    raise UsageError("cannot bind parameters: a subquery has no WHERE group")


def _closing(toks: Sequence[Token], k: int) -> int:
    """Index of the '}' that closes the '{' at index k."""
    level = 0
    for j in range(k, len(toks)):
        if toks[j].kind == "punct" and toks[j].text in "{}":
            level += 1 if toks[j].text == "{" else -1
            if level == 0:
                return j
    return len(toks)


_ERROR_AT = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)
_POSITION = re.compile(r"error at (\d+):(\d+)")


def shift_error_lines(message: str, lines: int) -> str:
    """An engine message with 'error at L:C' moved up by `lines` (the prologue a client or server added)."""
    if not lines:
        return message
    return _POSITION.sub(lambda m: f"error at {max(int(m.group(1)) - lines, 1)}:{m.group(2)}", message)


def syntax_error_message(message: str, text: str, line_offset: int = 0) -> str:
    """An engine's 'error at L:C: expected …' as one line naming line and column, with the text near it."""
    m = _ERROR_AT.search(message)
    if not m:
        return "syntax error: " + " ".join(message.split())[:200]
    line, col = int(m.group(1)) - line_offset, int(m.group(2))
    expected = " ".join(m.group(3).split())
    if len(expected) > 120:
        cut = expected[:120]
        expected = cut[: cut.rfind(",")] + ", …" if "," in cut else cut + "…"
    lines = text.splitlines() or [""]
    near = lines[line - 1][max(col - 1, 0) : col + 24].strip() if 0 < line <= len(lines) else ""
    if near:
        context = f' (near "{near}")'
    else:
        context = " (at the end of the query)" if line >= len(lines) else " (at the end of the line)"
    return f"syntax error at line {line}, column {col}{context}: {expected}"
