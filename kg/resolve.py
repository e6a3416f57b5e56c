"""Turn what a user types (name, synonym, CURIE, IRI, typo) into one entity, or say why not."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from kg.errors import UsageError
from kg.graph import KnowledgeGraph
from kg.vocab import ENT, iri_to_curie

FUZZY_ACCEPT = 86  # a fuzzy match must score at least this (0–100) to be taken
FUZZY_SUGGEST = 60  # … and at least this to be suggested
AMBIGUITY_MARGIN = 4  # two entities this close in score are ambiguous

# Rank of how a name matched: lower is stronger.
_STRENGTH = {"key": 0, "id": 0, "iri": 0, "label": 1, "synonym": 2, "fuzzy": 3}


class ResolveError(UsageError):
    """A name that does not resolve to exactly one entity; carries the candidates to offer."""

    def __init__(self, message: str, kind: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.kind = kind  # "unknown" | "ambiguous"
        self.candidates = candidates


@dataclass(frozen=True, slots=True)
class Resolution:
    """Which entity a name was resolved to, and how."""

    query: str
    key: str
    label: str
    matched: str  # key | id | iri | label | synonym | fuzzy
    matched_text: str
    score: float = 100.0

    @property
    def obvious(self) -> bool:
        """True when the name was the entity's own key or label (no need to tell the user)."""
        return self.matched in ("key", "label")

    def describe(self) -> str:
        """A one-line account, e.g. 'ketamin → ketamine (fuzzy match on "ketamine", 93)'."""
        if self.matched in ("key", "label") and self.matched_text.casefold() == self.query.casefold():
            return f"{self.query} → {self.label}"
        how = f'{self.matched} match on "{self.matched_text}"'
        if self.matched == "fuzzy":
            how += f", score {self.score:.0f}"
        return f"{self.query} → {self.label} ({how})"


def normalize(name: str) -> str:
    """Fold case, accents, hyphens, apostrophes and simple plurals so that spellings meet."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"['\u2019`]s\b", "", text)  # possessive or apostrophe plural: SSRI's → ssri
    text = re.sub(r"[\s\-_/,.()'\u2019`]+", " ", text).strip()
    words = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in text.split()]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class NameIndex:
    """Every name an entity answers to, normalized, with labels: all the resolver needs, small enough to cache."""

    exact: dict[str, dict[str, tuple[str, str]]]  # normalized name → key → (how, text)
    by_curie: dict[str, str]  # casefolded CURIE → key
    labels: dict[str, str]  # key → label
    sources: dict[str, str]  # source key → title

    @classmethod
    def of(cls, graph: KnowledgeGraph) -> NameIndex:
        """The index of a graph's entities."""
        exact: dict[str, dict[str, tuple[str, str]]] = {}
        for ent in graph.entities.values():
            names = [("key", ent.key), ("label", ent.label)] + [("synonym", s) for s in ent.synonyms]
            for how, text in names:
                slot = exact.setdefault(normalize(text), {})
                if ent.key not in slot or _STRENGTH[how] < _STRENGTH[slot[ent.key][0]]:
                    slot[ent.key] = (how, text)
        by_curie = {x.curie.casefold(): e.key for e in graph.entities.values() for x in e.xrefs}
        labels = {k: e.label for k, e in graph.entities.items()}
        return cls(exact, by_curie, labels, {k: s.title for k, s in graph.data.sources.items()})


class Resolver:
    """Name → entity over keys, labels, synonyms, CURIEs and IRIs, with fuzzy fallback."""

    def __init__(self, names: KnowledgeGraph | NameIndex) -> None:
        self.names = names if isinstance(names, NameIndex) else NameIndex.of(names)
        self.exact = self.names.exact

    @cached_property
    def _choices(self) -> list[str]:
        return list(self.exact)

    def candidates(self, name: str, limit: int = 5) -> list[tuple[str, str, float]]:
        """Fuzzy candidates as (entity key, matched text, score), best first, one per entity."""
        from rapidfuzz import fuzz, process

        norm = normalize(name)
        if not norm:
            return []
        found: dict[str, tuple[str, float]] = {}
        # token_sort_ratio: whole-name similarity, word order free; no partial matching, so a short
        # name is not "found" inside a long one.
        for choice, score, _ in process.extract(norm, self._choices, scorer=fuzz.token_sort_ratio, limit=limit * 4):
            for key, (_, text) in self.exact[choice].items():
                if key not in found or score > found[key][1]:
                    found[key] = (text, score)
        ranked = sorted(found.items(), key=lambda kv: (-kv[1][1], kv[0]))
        return [(k, t, s) for k, (t, s) in ranked[:limit]]

    def resolve(self, name: str) -> Resolution:
        """The one entity `name` means; UsageError (exit 2) if unknown or ambiguous, with candidates."""
        query = name.strip()
        if not query:
            raise ResolveError("empty entity name", "unknown", [])
        labels, by_curie = self.names.labels, self.names.by_curie
        if query.startswith(("http://", "https://")):
            if query.startswith(ENT) and query[len(ENT) :] in labels:
                return self._hit(query, query[len(ENT) :], "iri", query)
            curie = iri_to_curie(query)
            if curie.casefold() in by_curie:
                return self._hit(query, by_curie[curie.casefold()], "iri", query)
        if ":" in query and query.casefold() in by_curie:
            return self._hit(query, by_curie[query.casefold()], "id", query)
        if query.casefold().startswith("ent:") and query[4:] in labels:
            return self._hit(query, query[4:], "key", query[4:])
        slot = self.exact.get(normalize(query))
        if slot:
            best = min(_STRENGTH[how] for how, _ in slot.values())
            keys = sorted(k for k, (how, _) in slot.items() if _STRENGTH[how] == best)
            if len(keys) == 1:
                how, text = slot[keys[0]]
                return self._hit(query, keys[0], how, text)
            message = f"'{query}' is ambiguous: it names {self._list(keys)}; use a key or an ID"
            raise ResolveError(message, "ambiguous", keys)
        cands = self.candidates(query)
        if cands and cands[0][2] >= FUZZY_ACCEPT:
            close = [c for c in cands[1:] if c[2] >= cands[0][2] - AMBIGUITY_MARGIN and c[2] >= FUZZY_ACCEPT]
            if not close:
                key, text, score = cands[0]
                return self._hit(query, key, "fuzzy", text, score)
            keys = [cands[0][0]] + [c[0] for c in close]
            raise ResolveError(f"'{query}' is ambiguous: it could be {self._list(keys)}", "ambiguous", keys)
        suggestions = [c[0] for c in cands if c[2] >= FUZZY_SUGGEST][:5]
        if suggestions:
            hint = f"; did you mean {self._list(suggestions, ' or ')}?"
        else:
            suggestions = [c[0] for c in cands[:3]]
            hint = f"; nothing close — the nearest names are {self._list(suggestions)}" if suggestions else ""
        raise ResolveError(f"unknown entity '{query}'{hint}", "unknown", suggestions)

    def _hit(self, query: str, key: str, how: str, text: str, score: float = 100.0) -> Resolution:
        return Resolution(query, key, self.names.labels[key], how, text, score)

    def _list(self, keys: list[str], sep: str = ", ") -> str:
        return sep.join(f"{self.names.labels[k]} ({k})" for k in keys)
