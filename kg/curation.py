"""The curation report: standard-ID coverage by entity type, the entities without an ID and why, conflicts."""

from __future__ import annotations

from collections import Counter

from kg.model import Dataset, Entity


def has_standard_term(ent: Entity) -> bool:
    """Whether a standard term exists for the entity as far as the curator knows.

    True when it carries an ID, when its no-ID reason says a term may exist but could not be verified, and
    when it gives no reason at all (unknown, so counted against coverage); False only for 'no-term'.
    """
    return bool(ent.xrefs) or ent.no_id is None or ent.no_id.kind != "no-term"


def _coverage(entities: list[Entity]) -> dict:
    with_id = sum(1 for e in entities if e.xrefs)
    with_term = sum(1 for e in entities if has_standard_term(e))
    return {
        "with_id": with_id,
        "with_term": with_term,
        "entities": len(entities),
        "percent": round(100 * with_id / with_term, 1) if with_term else None,
    }


def id_coverage(data: Dataset) -> dict:
    """Entities with an ID / entities that have a standard term / all entities, per type and in total."""
    by_type: dict[str, list[Entity]] = {}
    for ent in data.entities.values():
        by_type.setdefault(ent.type, []).append(ent)
    return {
        "total": _coverage(list(data.entities.values())),
        "by_type": {t: _coverage(ents) for t, ents in sorted(by_type.items())},
    }


def standard_ids(data: Dataset) -> dict:
    """How many IDs the entities carry, how many have a check note, by match and by prefix."""
    xrefs = [x for e in data.entities.values() for x in e.xrefs]
    return {
        "ids": len(xrefs),
        "checked": sum(1 for x in xrefs if x.checked.strip()),
        "by_match": dict(sorted(Counter(x.match for x in xrefs).items())),
        "by_prefix": dict(sorted(Counter(x.curie.partition(":")[0] for x in xrefs).items())),
    }


def without_id(data: Dataset) -> list[dict]:
    """Every entity without a standard ID, with the curator's reason (kind 'missing' when none was given)."""
    return [
        {
            "key": e.key,
            "label": e.label,
            "type": e.type,
            "kind": e.no_id.kind if e.no_id else "missing",
            "note": e.no_id.note if e.no_id else "",
        }
        for e in sorted(data.entities.values(), key=lambda e: (e.type, e.key))
        if not e.xrefs
    ]


def conflict_pairs(data: Dataset) -> int:
    """The number of distinct pairs of statements linked by conflicts_with (either direction counts once)."""
    return len(
        {
            frozenset((st.id, other))
            for st in data.statements.values()
            for other in st.conflicts_with
            if other in data.statements and other != st.id
        }
    )


def report(data: Dataset) -> dict:
    """The curation part of `kg stats`: ID coverage, the IDs themselves, the gaps and the conflicts."""
    return {
        "id_coverage": id_coverage(data),
        "standard_ids": standard_ids(data),
        "entities_without_id": without_id(data),
        "conflict_pairs": conflict_pairs(data),
    }
