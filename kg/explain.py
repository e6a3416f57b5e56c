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
    WhyNot,
    how,
    reach,
)
from kg.resolve import NameIndex, Resolution, ResolveError, Resolver

# found: 0; "ran, but the answer is no" (no link, only disputed links, same entity): 1; unknown or ambiguous name: 2
EXIT_CODES = {"found": 0, "no-path": 1, "disputed-only": 1, "same-entity": 1}

# What an answer's support level means, in words (kg.paths.SUPPORT_LEVELS).
SUPPORT_TEXT = {
    "asserted": "stated plainly in the documents",
    "hedged": "the documents state it only with reservation (may, can, is believed to)",
    "speculative": "only through a hypothesis the documents put forward",
    "inferred": "only through the curator's inference, not a document's own claim",
}
DISPUTED_TEXT = "only through claims the documents' own curation disputes"


def headline(report: dict) -> str:
    """The one-line verdict of a how report, e.g. 'ketamine → fatigue: DECREASES — stated plainly in the documents'."""
    s, o = report["subject"]["label"], report["object"]["label"]
    line = f"{s} → {o}: {report['effect'].upper()}"
    if report["code"] == "disputed-only":
        return f"{line} — {DISPUTED_TEXT} (those alone would say: {report['disputed_effect']})"
    if report.get("support"):
        line = f"{line} — {SUPPORT_TEXT[report['support']]}"
    best = next((p for p in report["paths"] if not p["disputed"] and p["effect"] == report["effect"]), None)
    read = sorted({h["predicate_label"] for h in best["hops"] if h.get("sign_basis")}) if best else []
    if read:
        line += f"; the sign of '{', '.join(read)}' is read by rule (see 'sign by reading')"
    return line


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
        basis = graph.vocab.predicates[h.predicate].sign_basis
        hops.append({"from": h.source, "to": h.target, **view.__dict__, "sign_basis": basis})
    return {
        "nodes": path.nodes,
        "labels": [graph.entities[n].label for n in path.nodes],
        "effect": path.effect,
        "support": path.support,
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
        "support": answer.support,
        "disputed_effect": answer.disputed_effect,
        "subject": _entity(graph, answer.subject),
        "object": _entity(graph, answer.object),
        "resolved": [r.to_dict() for r in resolutions],
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
    if answer.why_not is not None:
        report.setdefault("why_not", {}).update(why_not_report(graph, answer.why_not))
    if extra and extra.get("candidates"):
        report["candidates"] = [_entity(graph, k) for k in extra["candidates"]]
    return report


def why_not_report(graph: KnowledgeGraph, why: WhyNot) -> dict:
    """What links the two entities outside the signed, undisputed chains, as JSON-ready data."""
    return {
        "no_claims": [_entity(graph, k) for k in why.no_claims],
        "only_context_claims": [_entity(graph, k) for k in why.no_steps],
        "associative_paths": [path_report(graph, p) for p in why.associative],
        "disputed_paths": [path_report(graph, p) for p in why.disputed],
        "context_link": [
            {
                "from": h.source,
                "to": h.target,
                "statement": h.statement,
                "sentence": graph.sentence(graph.statements[h.statement]),
                "kind": graph.vocab.predicates[h.predicate].kind,
                "status": h.status,
            }
            for h in why.context
        ],
        "max_length": why.max_length,
    }


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
    types = class_keys(graph, types)
    return res, reach(graph, res.key, upstream=upstream, types=types, **options)


def class_keys(graph: KnowledgeGraph, types: tuple[str, ...]) -> tuple[str, ...]:
    """Type names as typed (any case, key or label) → class keys; an unknown one is a usage error listing them."""
    try:
        return graph.vocab.class_keys(types)
    except KeyError as exc:
        from kg.errors import UsageError

        raise UsageError(f"unknown type '{exc.args[0]}'; known types: {', '.join(graph.vocab.classes)}") from None


def reach_report(graph: KnowledgeGraph, res: Resolution, rows: list[Reached], upstream: bool) -> dict:
    """Open-search results as JSON-ready data."""
    return {
        "entity": _entity(graph, res.key),
        "direction": "upstream" if upstream else "downstream",
        "resolved": res.to_dict(),
        "results": [
            {
                **_entity(graph, r.key),
                "effect": r.effect,
                "support": "" if r.disputed_only else r.support,
                "disputed_only": r.disputed_only,
                "disputed_effect": r.disputed_effect,
                "best_path": path_report(graph, r.path),
            }
            for r in rows
        ],
    }
