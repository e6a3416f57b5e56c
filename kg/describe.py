"""The entity card: who an entity is and every claim in and out of it, with evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from kg.graph import KnowledgeGraph
from kg.model import Statement


@dataclass(frozen=True)
class StatementView:
    """A statement as shown to a reader: sentence, sign, status, qualifiers and quotes."""

    id: str
    subject: str
    predicate: str
    object: str
    predicate_label: str
    sentence: str
    sign: int
    kind: str
    status: str
    note: str
    qualifiers: list[str]
    evidence: list[dict[str, str]]
    conflicts_with: list[str]


@dataclass(frozen=True)
class EntityCard:
    """Everything known about one entity."""

    key: str
    label: str
    type: str
    category: str
    ids: list[dict[str, str]]
    synonyms: list[str]
    definition: str
    plain: str  # the definition in plain words (curated beside the technical one)
    best_quote: dict[str, str] | None  # the document sentence that best says what the entity is or does
    outgoing: list[StatementView]
    incoming: list[StatementView]

    def to_dict(self) -> dict:
        """Plain data for JSON output."""
        return asdict(self)


def statement_view(graph: KnowledgeGraph, st: Statement) -> StatementView:
    """Present one statement with its source titles."""
    pred = graph.vocab.predicates[st.predicate]
    return StatementView(
        id=st.id,
        subject=st.subject,
        predicate=st.predicate,
        object=st.object,
        predicate_label=pred.label,
        sentence=graph.sentence(st),
        sign=pred.sign,
        kind=pred.kind,
        status=st.status,
        note=st.note,
        qualifiers=[q.display() for q in st.qualifiers],
        evidence=[
            {"source": e.source, "title": graph.data.sources[e.source].title, "quote": e.quote} for e in st.evidence
        ],
        conflicts_with=list(st.conflicts_with),
    )


def entity_card(graph: KnowledgeGraph, key: str) -> EntityCard:
    """The card of entity `key` (which must exist)."""
    ent = graph.entities[key]
    return EntityCard(
        key=ent.key,
        label=ent.label,
        type=ent.type,
        category=graph.vocab.classes[ent.type].category,
        ids=[{"curie": x.curie, "match": x.match, "checked": x.checked} for x in ent.xrefs],
        synonyms=list(ent.synonyms),
        definition=ent.definition,
        plain=ent.plain,
        best_quote=best_quote(graph, key),
        outgoing=[statement_view(graph, s) for s in graph.outgoing(key)],
        incoming=[statement_view(graph, s) for s in graph.incoming(key)],
    )


STATUS_RANK = {"asserted": 0, "hedged": 1, "speculative": 2, "inferred": 3}  # disputed, negated: never chosen


def best_quote(graph: KnowledgeGraph, key: str) -> dict[str, str] | None:
    """The quote that best says what an entity is or does: from an undisputed claim about it, naming it, stated as
    plainly and by as many documents as possible, of a readable length; None when no claim has one."""
    ent = graph.entities[key]
    names = [n.lower() for n in (ent.label, *ent.synonyms) if len(n) >= 3]
    best, best_rank = None, None
    for st in (*graph.outgoing(key), *graph.incoming(key)):
        if st.status not in STATUS_RANK:
            continue
        for ev in st.evidence:
            text = ev.quote.lower()
            rank = (
                not any(n in text for n in names),  # names the entity
                STATUS_RANK[st.status],
                st.subject != key,  # says what the entity does, before what is done to it
                -len(st.sources),
                abs(len(ev.quote) - 120) // 40,  # a sentence, not a fragment nor a paragraph
                st.id,
                ev.quote,
            )
            if best_rank is None or rank < best_rank:
                best_rank = rank
                title = graph.data.sources[ev.source].title if ev.source in graph.data.sources else ev.source
                best = {"quote": ev.quote, "source": ev.source, "title": title, "statement": st.id}
    return best


def conflicts(graph: KnowledgeGraph) -> list[dict]:
    """Every conflicting pair (with both sides' quotes) and every disputed or negated claim not in a pair."""
    out: list[dict] = []
    paired: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for st in graph.statements.values():
        for other in st.conflicts_with:
            pair = tuple(sorted((st.id, other)))
            if pair in seen:
                continue
            seen.add(pair)
            paired.update(pair)
            a, b = (graph.statements[k] for k in pair)
            out.append({"kind": "conflict", "statements": [asdict(statement_view(graph, x)) for x in (a, b)]})
    for st in graph.statements.values():
        if st.status in ("disputed", "negated") and st.id not in paired:
            out.append({"kind": st.status, "statements": [asdict(statement_view(graph, st))]})
    return out
