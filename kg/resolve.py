"""Turn what a user types (name, synonym, CURIE, IRI, typo) into one entity, or say why not."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from kg.errors import UsageError
from kg.graph import KnowledgeGraph
from kg.vocab import ENT, iri_to_curie

FUZZY_SUGGEST = 60  # a name must score at least this (0–100, token_sort_ratio) to be suggested
AMBIGUITY_MARGIN = 4  # two suggestions this close in score are both offered

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
    distance: int = 0  # edits between the typed name and the matched one (fuzzy matches only)

    @property
    def obvious(self) -> bool:
        """True when the name was the entity's own key or label (no need to tell the user)."""
        return self.matched in ("key", "label")

    def describe(self) -> str:
        """A one-line account, e.g. 'ketamin → ketamine (fuzzy match on "ketamine", 93)'."""
        if self.matched in ("key", "label") and self.matched_text.casefold() == self.query.casefold():
            return f"{self.query} → {self.label}"
        if self.matched == "fuzzy":
            edits = f"{self.distance} edit{'s' if self.distance != 1 else ''}"
            how = f'taken as a typo of "{self.matched_text}", {edits}'
        else:
            how = f'{self.matched} match on "{self.matched_text}"'
        return f"{self.query} → {self.label} ({how})"

    def to_dict(self) -> dict:
        """Plain data for JSON: what was typed, what it was taken to mean, and how."""
        return {
            "query": self.query,
            "key": self.key,
            "label": self.label,
            "matched": self.matched,
            "matched_text": self.matched_text,
            "distance": self.distance,
            "exact": self.obvious,
            "description": self.describe(),
        }


def typo_distance(typed: str, name: str) -> int | None:
    """The edits that turn `typed` into `name` (both normalized) when it reads as a typo of it, else None.

    A typo is one edit (a letter wrong, missing, extra, or two swapped), two in a name of 12 letters or more.
    Not a typo: another word that contains the name or is contained in it — letters added or removed at the
    start (es-ketamine, nor-epinephrine, un-happiness, d-anger) or two or more at the end —, a short name
    (under four letters) that differs at all, or a short word (under six) with another first letter (pain/gain).
    """
    from rapidfuzz.distance import OSA

    shorter, longer = sorted((typed, name), key=len)
    if len(shorter) < 4 or typed == name:
        return None
    if longer.endswith(shorter) or (longer.startswith(shorter) and len(longer) - len(shorter) >= 2):
        return None
    if len(shorter) < 6 and typed[0] != name[0]:
        return None
    allowed = 2 if len(shorter) >= 12 else 1
    d = OSA.distance(typed, name, score_cutoff=allowed)
    return d if d <= allowed else None


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
        """Names like `name` to suggest, as (entity key, matched text, score 0–100), best first, one per entity."""
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

    def typos(self, name: str) -> list[tuple[str, str, int]]:
        """Entities of which `name` reads as a typo, as (key, matched text, edits), fewest edits first."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        norm = normalize(name)
        found: dict[str, tuple[str, int]] = {}
        for choice, _, _ in process.extract(norm, self._choices, scorer=OSA.distance, score_cutoff=2, limit=None):
            d = typo_distance(norm, choice)
            if d is None:
                continue
            for key, (how, text) in self.exact[choice].items():
                text = self.names.labels[key] if how == "key" else text
                rank = (d, _STRENGTH[how])
                if key not in found or rank < found[key][1]:
                    found[key] = (text, rank)
        return sorted(((k, t, r[0]) for k, (t, r) in found.items()), key=lambda x: (x[2], x[0]))

    def resolve(self, name: str) -> Resolution:
        """The one entity `name` means; UsageError (exit 2) if unknown or ambiguous, with candidates.

        Exact matches (key, label, synonym, CURIE, IRI) are taken; otherwise a name is taken only as a typo of
        exactly one entity's name (see typo_distance); anything else is refused with suggestions, never guessed.
        """
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
        typos = self.typos(query)
        if typos:
            fewest = [t for t in typos if t[2] == typos[0][2]]
            if len(fewest) == 1:
                key, text, d = fewest[0]
                return self._hit(query, key, "fuzzy", text, d)
            keys = [t[0] for t in fewest]
            edits = f"{fewest[0][2]} edit{'s' if fewest[0][2] > 1 else ''}"
            message = f"'{query}' is ambiguous: did you mean {self._list(keys, ' or ')}? ({edits} from each)"
            raise ResolveError(message, "ambiguous", keys)
        cands = self.candidates(query)
        close = [c for c in cands if c[2] >= FUZZY_SUGGEST][:5]
        if close:
            hint = f"; did you mean {' or '.join(self._named(k, t) for k, t, _ in close)}?"
        else:
            close = cands[:3]
            hint = f"; nothing close — the nearest names are {', '.join(self._named(k, t) for k, t, _ in close)}"
            hint = hint if close else ""
        raise ResolveError(f"unknown entity '{query}'{hint}", "unknown", [c[0] for c in close])

    def _hit(self, query: str, key: str, how: str, text: str, distance: int = 0) -> Resolution:
        return Resolution(query, key, self.names.labels[key], how, text, distance)

    def _named(self, key: str, text: str) -> str:
        label = self.names.labels[key]
        named = label if normalize(key) == normalize(label) else f"{label} ({key})"
        return named if normalize(text) in (normalize(label), normalize(key)) else f'"{text}" (= {named})'

    def _list(self, keys: list[str], sep: str = ", ") -> str:
        return sep.join(self._named(k, self.names.labels[k]) for k in keys)
