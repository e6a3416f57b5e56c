"""The Python API by names: the same answers as the CLI, resolved by the same rules, as typed records.

    import kg
    answer = kg.how("ketamine", "fatigue")      # names, synonyms, CURIEs or typos of one name
    answer.effect, answer.support                # 'decreases', 'asserted'
    kg.sparql("mechanism-chain", drug="ketamine").rows[0]

Every function takes `graph=` (from `load_graph(data_dir)`); without it, the embedded dataset is used, built
once per process. A name that resolves to no entity, or to several, raises `ResolveError` (a `UsageError`)
with the candidates, never a guess.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.describe import EntityCard
    from kg.graph import KnowledgeGraph
    from kg.paths import HowAnswer, MechanismPath, Reached
    from kg.resolve import Resolution


def load_graph(data_dir: str | Path | None = None, *, rebuild: bool = False) -> KnowledgeGraph:
    """The knowledge graph of `data_dir` (default: the embedded ketamine data), built once then read from cache."""
    from kg.build import load_graph as load

    return load(Path(data_dir) if data_dir else None, rebuild=rebuild)


@lru_cache(maxsize=1)
def _default_graph() -> KnowledgeGraph:
    return load_graph()


def _graph(graph: KnowledgeGraph | None) -> KnowledgeGraph:
    return graph if graph is not None else _default_graph()


def resolve(name: str, *, graph: KnowledgeGraph | None = None) -> Resolution:
    """The entity `name` means and how it was matched; ResolveError with candidates when it means none or many."""
    from kg.resolve import Resolver

    return Resolver(_graph(graph)).resolve(name)


@dataclass(frozen=True)
class Answer:
    """'How does subject affect object?': the verdict, what it rests on, the ranked chains and the names' readings."""

    subject: Resolution
    object: Resolution
    answer: HowAnswer
    report: dict = field(repr=False)  # what `kg how -f json` prints

    @property
    def code(self) -> str:
        """found | disputed-only | no-path | same-entity."""
        return self.answer.code

    @property
    def effect(self) -> str:
        """increases | decreases | mixed | unknown | no undisputed link | no known link."""
        return self.answer.effect

    @property
    def support(self) -> str:
        """How the documents back the verdict: asserted | hedged | speculative | inferred ('' when no verdict)."""
        return self.answer.support

    @property
    def paths(self) -> tuple[MechanismPath, ...]:
        """The chains shown, best first."""
        return self.answer.paths

    def __str__(self) -> str:
        from kg.render import how_text

        return how_text(self.report)


def how(
    subject: str,
    object: str,
    *,
    graph: KnowledgeGraph | None = None,
    max_length: int = 6,
    top: int = 5,
    exclude_disputed: bool = False,
    associative: bool = False,
) -> Answer:
    """How does `subject` affect `object` (names, as on the command line)? Raises ResolveError for a bad name."""
    from kg.explain import how_report
    from kg.paths import how as find
    from kg.resolve import Resolver

    g = _graph(graph)
    resolver = Resolver(g)
    subj, obj = resolver.resolve(subject), resolver.resolve(object)
    options = dict(max_length=max_length, top=top, exclude_disputed=exclude_disputed, associative=associative)
    answer = find(g, subj.key, obj.key, **options)
    return Answer(subj, obj, answer, how_report(g, answer, [subj, obj]))


def show(name: str, *, graph: KnowledgeGraph | None = None) -> EntityCard:
    """The entity card of `name`: IDs, synonyms, definition, every claim in and out with evidence."""
    from kg.describe import entity_card

    g = _graph(graph)
    return entity_card(g, resolve(name, graph=g).key)


def effects(
    name: str, *, types: tuple[str, ...] = (), graph: KnowledgeGraph | None = None, upstream: bool = False
) -> list[Reached]:
    """What `name` affects downstream (or, upstream=True, what affects it), with net effect and best chain."""
    from kg.explain import open_search

    return open_search(_graph(graph), name, types=tuple(types), upstream=upstream)[1]


def causes(name: str, *, types: tuple[str, ...] = (), graph: KnowledgeGraph | None = None) -> list[Reached]:
    """What raises or lowers `name`, with net effect and best chain."""
    return effects(name, types=types, graph=graph, upstream=True)


@dataclass(frozen=True)
class Rows:
    """A SELECT answer: column names and rows whose cells are Python values (IRIs as CURIEs, numbers as
    int / float, booleans as bool, other literals as str, unbound as None)."""

    columns: tuple[str, ...]
    rows: list[tuple]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as dictionaries keyed by column."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


_NUMBERS = {
    "http://www.w3.org/2001/XMLSchema#" + t: conv
    for conv, names in (
        (int, ("integer", "int", "long", "short", "nonNegativeInteger")),
        (float, ("decimal", "double", "float")),
    )
    for t in names
}


def _value(term: Mapping[str, str] | None) -> Any:
    """A SPARQL JSON term as a Python value."""
    from kg.vocab import iri_to_curie

    if term is None:
        return None
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        return iri_to_curie(value)
    datatype = term.get("datatype", "")
    if datatype in _NUMBERS:
        try:
            return _NUMBERS[datatype](value)
        except ValueError:
            return value
    if datatype.endswith("#boolean"):
        return value in ("true", "1")
    return value


def sparql(
    query: str, *, graph: KnowledgeGraph | None = None, timeout: float | None = 120.0, **params: str
) -> Rows | bool | list:
    """Run a named query (by name), a query file or query text, parameters by keyword (entity names resolve as
    on the command line): rows for SELECT, a bool for ASK, pyoxigraph triples for CONSTRUCT / DESCRIBE."""
    import json

    from kg.query import Binder, load_query_arg, run
    from kg.resolve import Resolver

    g = _graph(graph)
    q = load_query_arg(query)
    binder = Binder(lambda: g, resolve=lambda name: Resolver(g).resolve(name).key)
    bindings = binder.bind(q, [f"{k}={v}" for k, v in params.items()])
    form = (q.form or "SELECT").upper()
    fmt = "ttl" if form in ("CONSTRUCT", "DESCRIBE") else "json"
    result = run(q, bindings, fmt, graph=lambda: g, cache_dir=g.cache_dir, timeout=timeout)
    if result.form == "ask":
        return bool(result.boolean)
    if result.form == "graph":
        import pyoxigraph as ox

        return list(ox.parse(result.data, format=ox.RdfFormat.TURTLE))
    doc = json.loads(result.data)
    columns = tuple(doc["head"]["vars"])
    row = namedtuple("Row", columns, rename=True)
    return Rows(columns, [row(*(_value(b.get(c)) for c in columns)) for b in doc["results"]["bindings"]])
