"""Typed, frozen records for what curators write and what the vocabulary defines."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property


def _positional_pickle(cls):
    """Pickle a frozen record as (class, field values): several times faster to load than the default."""
    names = tuple(f.name for f in fields(cls))

    def __reduce__(self):
        return cls, tuple(getattr(self, n) for n in names)

    cls.__reduce__ = __reduce__
    return cls


# What the text does with a claim, strongest first: asserted (states it), hedged (states it with reservation),
# speculative (presents a hypothesis), inferred (the curator's reading connecting sentences, not a document's
# claim), disputed (contradicted by another document or established pharmacology), negated (says it does not hold).
STATUSES = ("asserted", "hedged", "speculative", "inferred", "disputed", "negated")
NOTE_REQUIRED = ("speculative", "inferred", "disputed", "negated")  # statuses a curator must explain in a note
KINDS = ("causal", "clinical", "associative", "structural")
NO_ID_KINDS = ("no-term", "unverified")  # why an entity has no standard ID: none exists, or none could be verified
QUALIFIERS = ("dose", "onset", "duration", "frequency", "location", "count", "period", "population", "prevalence")


@_positional_pickle
@dataclass(frozen=True, slots=True)
class Source:
    """A document statements were curated from."""

    key: str
    title: str
    file: str
    kind: str = "web article"
    date: str | None = None
    where: str = field(default="", compare=False)


@_positional_pickle
@dataclass(frozen=True, slots=True)
class Xref:
    """A standard identifier for an entity, and how a curator checked it."""

    curie: str
    match: str = "exact"  # exact | close
    checked: str = ""
    obsolete: bool = False  # the ontology's own record marks the term obsolete
    replaced_by: str = ""  # the CURIE the ontology names as its replacement


@_positional_pickle
@dataclass(frozen=True, slots=True)
class MissingId:
    """Why an entity carries no standard ID: no term exists (no-term) or none could be verified (unverified)."""

    kind: str
    note: str


@_positional_pickle
@dataclass(frozen=True, slots=True)
class Entity:
    """A thing claims talk about: drug, receptor, process, condition, symptom …"""

    key: str
    label: str
    type: str
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[Xref, ...] = ()
    definition: str = ""
    no_id: MissingId | None = None  # set when xrefs is empty: the curator's reason
    plain: str = ""  # the same in plain words a 16-year-old understands: first sentence a noun phrase
    where: str = field(default="", compare=False)


@_positional_pickle
@dataclass(frozen=True, slots=True)
class Evidence:
    """A verbatim quote from a source; '...' separates fragments that appear in this order."""

    source: str
    quote: str


@_positional_pickle
@dataclass(frozen=True, slots=True)
class Qualifier:
    """A condition or quantity on a statement: a number or range with a unit, a text, or a place."""

    name: str
    value: float | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    text: str | None = None
    approximate: bool = False
    entity: str | None = None  # for location: an entity key

    def display(self) -> str:
        """A short human reading, e.g. 'onset: 4 hour', 'period: 2–3 week' or 'dose: sub-anesthetic'."""
        if self.entity:
            return f"{self.name}: {self.entity}"
        if self.value is not None:
            num = f"{'~' if self.approximate else ''}{_num(self.value)}"
        elif self.min is not None or self.max is not None:
            lo = _num(self.min) if self.min is not None else "?"
            hi = _num(self.max) if self.max is not None else "?"
            num = f"{'~' if self.approximate else ''}{lo}–{hi}"
        else:
            return f"{self.name}: {self.text}"
        text = f" ({self.text})" if self.text else ""
        return f"{self.name}: {num}{' ' + self.unit if self.unit else ''}{text}"


def _num(x: float | None) -> str:
    return "" if x is None else (str(int(x)) if float(x).is_integer() else f"{x:g}")


@_positional_pickle
@dataclass(frozen=True, slots=True)
class Statement:
    """One claim with its evidence, qualifiers, status and curator note."""

    id: str
    subject: str
    predicate: str
    object: str
    evidence: tuple[Evidence, ...]
    qualifiers: tuple[Qualifier, ...] = ()
    status: str = "asserted"
    note: str = ""
    conflicts_with: tuple[str, ...] = ()
    where: str = field(default="", compare=False)

    @property
    def sources(self) -> tuple[str, ...]:
        """Distinct source keys, in first-seen order."""
        return tuple(dict.fromkeys(e.source for e in self.evidence))


@_positional_pickle
@dataclass(frozen=True, slots=True)
class EntityClass:
    """An entity type from the ontology."""

    key: str
    label: str
    parents: tuple[str, ...] = ()
    category: str = "biolink:NamedThing"
    definition: str = ""


@_positional_pickle
@dataclass(frozen=True, slots=True)
class Predicate:
    """A relation type from the ontology, with its sign and kind."""

    key: str
    label: str
    sign: int = 0
    kind: str = "associative"
    phrase: str = ""
    parents: tuple[str, ...] = ()
    inverse: str | None = None
    domain: tuple[str, ...] = ()
    range: tuple[str, ...] = ()
    biolink: str = "biolink:related_to"
    mappings: tuple[str, ...] = ()
    sign_basis: str = ""  # why the sign holds when no document says increases/decreases, and where it does not

    @property
    def is_step(self) -> bool:
        """Whether paths may walk this relation (causal, clinical or associative; not structural)."""
        return self.kind != "structural"


@dataclass(frozen=True)
class Vocabulary:
    """Classes and predicates of the ontology, with their hierarchies."""

    classes: dict[str, EntityClass]
    predicates: dict[str, Predicate]

    @cached_property
    def _class_ancestors(self) -> dict[str, tuple[str, ...]]:
        return {k: _ancestors(k, lambda c: self.classes[c].parents if c in self.classes else ()) for k in self.classes}

    @cached_property
    def _predicate_ancestors(self) -> dict[str, tuple[str, ...]]:
        preds = self.predicates
        return {k: _ancestors(k, lambda p: preds[p].parents if p in preds else ()) for k in preds}

    def class_ancestors(self, key: str) -> tuple[str, ...]:
        """The class and all its superclasses, nearest first."""
        return self._class_ancestors.get(key, (key,))

    def predicate_ancestors(self, key: str) -> tuple[str, ...]:
        """The predicate and all its super-properties, nearest first."""
        return self._predicate_ancestors.get(key, (key,))

    def class_keys(self, names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """The class keys for type names given in any case, by key or label ('symptom', 'Biological process');
        a KeyError names the first that is no class."""
        index = {k.casefold(): k for k in self.classes} | {c.label.casefold(): k for k, c in self.classes.items()}
        found = []
        for name in names:
            key = index.get(name.strip().casefold()) or index.get(name.replace("_", " ").strip().casefold())
            if key is None:
                raise KeyError(name)
            found.append(key)
        return tuple(found)

    def is_a(self, cls: str, ancestor: str) -> bool:
        """Whether class `cls` is `ancestor` or a subclass of it."""
        return ancestor in self.class_ancestors(cls)


def _ancestors(key: str, parents) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    todo = [key]
    while todo:
        k = todo.pop(0)
        if k not in seen:
            seen[k] = None
            todo.extend(parents(k))
    return tuple(seen)


@dataclass(frozen=True)
class Dataset:
    """Everything curators wrote: sources, entities and statements, keyed."""

    sources: dict[str, Source]
    entities: dict[str, Entity]
    statements: dict[str, Statement]
    unreadable_keys: frozenset[str] = frozenset()  # keys seen in files that failed to parse

    def counts(self) -> dict[str, int]:
        """Number of sources, entities, statements and evidence items."""
        return {
            "sources": len(self.sources),
            "entities": len(self.entities),
            "statements": len(self.statements),
            "evidence": sum(len(s.evidence) for s in self.statements.values()),
        }
