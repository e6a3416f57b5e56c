"""Answer 'how does X affect Y?' from names, as one report that text, Markdown, JSON and HTML share."""

from __future__ import annotations

from kg.describe import statement_view
from kg.graph import KnowledgeGraph
from kg.paths import (
    AMBIGUOUS_OBJECT,
    AMBIGUOUS_SUBJECT,
    NO_LINK,
    UNKNOWN_OBJECT,
    UNKNOWN_SUBJECT,
    HowAnswer,
    MechanismPath,
    Reached,
    how,
    reach,
)
from kg.resolve import NameIndex, Resolution, ResolveError, Resolver

EXIT_CODES = {"found": 0, "no-path": 1, "same-entity": 1}  # everything else (unknown, ambiguous) is 2


def ask(
    graph: KnowledgeGraph, subject: str, obj: str, *, names: NameIndex | None = None, **options
) -> tuple[HowAnswer, list[Resolution], dict]:
    """Resolve both names (through `names`, the build's saved index, if given), then answer.

    Resolution failures become result codes with candidates.
    """
    resolver = Resolver(graph if names is None else names)
    resolutions: list[Resolution] = []
    for name, (unknown, ambiguous) in (
        (subject, (UNKNOWN_SUBJECT, AMBIGUOUS_SUBJECT)),
        (obj, (UNKNOWN_OBJECT, AMBIGUOUS_OBJECT)),
    ):
        try:
            resolutions.append(resolver.resolve(name))
        except ResolveError as exc:
            code = unknown if exc.kind == "unknown" else ambiguous
            answer = HowAnswer(code=code, subject=None, object=None, effect=NO_LINK, message=exc.message)
            return answer, resolutions, {"candidates": exc.candidates}
    answer = how(graph, resolutions[0].key, resolutions[1].key, **options)
    return answer, resolutions, {}


def path_report(graph: KnowledgeGraph, path: MechanismPath) -> dict:
    """A path as plain data: nodes, effect, cost, reasons, and every hop with sentence and evidence."""
    hops = []
    for h in path.hops:
        view = statement_view(graph, graph.statements[h.statement])
        hops.append({"from": h.source, "to": h.target, **view.__dict__})
    return {
        "nodes": path.nodes,
        "labels": [graph.entities[n].label for n in path.nodes],
        "effect": path.effect,
        "cost": path.cost,
        "reasons": path.reasons,
        "disputed": path.disputed,
        "mechanism": path.mechanism,
        "hops": hops,
    }


def how_report(
    graph: KnowledgeGraph, answer: HowAnswer, resolutions: list[Resolution], extra: dict | None = None
) -> dict:
    """Everything the answer shows, as JSON-ready data with its result code."""
    report = {
        "code": answer.code,
        "effect": answer.effect,
        "subject": _entity(graph, answer.subject),
        "object": _entity(graph, answer.object),
        "resolved": [r.describe() for r in resolutions],
        "counts": answer.counts,
        "limited": answer.limited,
        "message": answer.message,
        "paths": [path_report(graph, p) for p in answer.paths],
    }
    if answer.code == "no-path":
        report["why_not"] = {
            "subject_affects": [{"key": k, "label": graph.entities[k].label, "hops": d} for k, d in answer.downstream],
            "object_affected_by": [{"key": k, "label": graph.entities[k].label, "hops": d} for k, d in answer.upstream],
        }
    if extra and extra.get("candidates"):
        report["candidates"] = [_entity(graph, k) for k in extra["candidates"]]
    return report


def _entity(graph: KnowledgeGraph, key: str | None) -> dict | None:
    if key is None or key not in graph.entities:
        return None
    ent = graph.entities[key]
    return {"key": key, "label": ent.label, "type": ent.type, "ids": [x.curie for x in ent.xrefs]}


def open_search(
    graph: KnowledgeGraph,
    name: str,
    *,
    names: NameIndex | None = None,
    upstream: bool = False,
    types: tuple[str, ...] = (),
    **options,
) -> tuple[Resolution, list[Reached]]:
    """Everything downstream (effects) or upstream (causes) of a named entity, filtered by type."""
    res = Resolver(graph if names is None else names).resolve(name)
    unknown = [t for t in types if t not in graph.vocab.classes]
    if unknown:
        from kg.errors import UsageError

        raise UsageError(f"unknown type '{unknown[0]}'; known types: {', '.join(graph.vocab.classes)}")
    return res, reach(graph, res.key, upstream=upstream, types=types, **options)


def reach_report(graph: KnowledgeGraph, res: Resolution, rows: list[Reached], upstream: bool) -> dict:
    """Open-search results as JSON-ready data."""
    return {
        "entity": _entity(graph, res.key),
        "direction": "upstream" if upstream else "downstream",
        "resolved": res.describe(),
        "results": [
            {
                **_entity(graph, r.key),
                "effect": r.effect,
                "disputed_only": r.disputed_only,
                "best_path": path_report(graph, r.path),
            }
            for r in rows
        ],
    }
