"""The cue lexicon of `kg suggest` (ontology/cues.yaml and curators' own files): words → predicates, hedges …"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg import resources
from kg.errors import DataError

ORDERS = ("S cue O", "O cue S", "S O cue")


@dataclass(frozen=True, slots=True)
class Cue:
    """Words that say how a subject acts on an object, and the predicate they propose."""

    phrase: str  # as written in the lexicon
    predicate: str
    order: str = "S cue O"
    by_type: tuple[tuple[str, str], ...] = ()  # (entity type, predicate) for objects of that type
    confidence: float = 0.6
    gerund: bool = False  # an -ing form, whose subject is that of the clause it hangs on
    participle: bool = False  # an -ed form of a verb: passive unless a subject or 'have' stands before it
    verb: bool = False  # a form of one of the entry's verbs (not a phrase such as "increase in")
    opened_by: tuple[str, ...] = ()  # words one of which must open the cue's clause ("with X comes Y")
    object_unsaid: bool = False  # the object may go unsaid ("X may play a role."): the condition the text is about

    def predicate_for(self, object_type: str | None, is_a) -> str:
        """The predicate for an object of this type: the first `by_type` entry it falls under, else the default."""
        if object_type:
            for typ, pred in self.by_type:
                if is_a(object_type, typ):
                    return pred
        return self.predicate


@dataclass(frozen=True)
class Lexicon:
    """Everything `kg suggest` reads text with; every list is a list of phrases."""

    cues: tuple[Cue, ...]
    hedges: tuple[str, ...]
    negations: tuple[str, ...]
    inverters: tuple[str, ...]
    item_cues: dict[str, tuple[str, ...]]  # predicate → phrases that open a list item
    phrase_stops: frozenset[str]
    determiners: tuple[str, ...]
    generic: frozenset[str]
    places: frozenset[str]
    trailing: frozenset[str]
    types_by_head: dict[str, tuple[str, ...]]
    types_by_predicate: dict[str, dict[str, str]]
    default_type: str
    vehicles: tuple[str, ...] = ()
    anaphors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role (subject | object) → words
    quantities: dict = field(default_factory=dict)
    abbreviations: frozenset[str] = frozenset()
    joiners: tuple[str, ...] = ()  # words that join two names into one party, as 'and' does ("coupled with")
    sufferers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # people | verbs → words
    contrasts: tuple[str, ...] = ()  # words that open a sentence by setting something against its subject


def default_path() -> Path:
    """The lexicon shipped with mechkg."""
    return resources.ontology_dir() / "cues.yaml"


def verb_forms(verb: str) -> list[str]:
    """The regular forms of an English verb (or a verb + particle): reduce → reduce, reduces, reduced, reducing."""
    head, _, rest = verb.partition(" ")
    tail = f" {rest}" if rest else ""
    if head.endswith("e") and not head.endswith(("ee", "ye", "oe")):
        forms = [head, head + "s", head + "d", head[:-1] + "ing"]
    elif head.endswith("y") and head[-2:-1] not in "aeiou":
        forms = [head, head[:-1] + "ies", head[:-1] + "ied", head + "ing"]
    elif head.endswith(("s", "x", "z", "ch", "sh")):
        forms = [head, head + "es", head + "ed", head + "ing"]
    else:
        forms = [head, head + "s", head + "ed", head + "ing"]
    return [f + tail for f in forms]


def load_lexicon(extra: list[Path] | tuple[Path, ...] = ()) -> Lexicon:
    """Read the shipped lexicon and add the entries of each extra file (lists are extended, mappings merged)."""
    merged = _read(default_path())
    for path in extra:
        _merge(merged, _read(path))
    return _build(merged)


def _read(path: Path) -> dict:
    from kg.yamledit import read_yaml

    doc = read_yaml(path, "cue lexicon")
    if not isinstance(doc, dict):
        raise DataError("a cue lexicon must be a mapping (relations, hedges, negations …)", where=str(path))
    doc["_where"] = str(path)
    for rel in doc.get("relations") or []:
        if isinstance(rel, dict):
            rel["_where"] = str(path)
    return doc


def _merge(base: dict, more: dict) -> None:
    for key, val in more.items():
        if key == "_where":
            continue
        if isinstance(val, list) and isinstance(base.get(key), list):
            base[key] = base[key] + val
        elif isinstance(val, dict) and isinstance(base.get(key), dict):
            _merge(base[key], val)
        else:
            base[key] = val


def _words(doc: dict, key: str) -> tuple[str, ...]:
    val = doc.get(key) or []
    if not isinstance(val, list) or not all(isinstance(v, (str, int, float)) for v in val):
        raise DataError(f"'{key}' must be a list of words", where=doc.get("_where"))
    return tuple(str(v) for v in val)


def _build(doc: dict) -> Lexicon:
    from kg.matching import key_of
    from kg.vocab import load_vocabulary

    vocab = load_vocabulary()
    cues: list[Cue] = []
    for i, rel in enumerate(doc.get("relations") or []):
        where = f"{rel.get('_where', '?')}#relations[{i}]" if isinstance(rel, dict) else doc.get("_where")
        if not isinstance(rel, dict):
            raise DataError("each relation cue must be a mapping with 'predicate' and 'phrases' or 'verbs'", where)
        pred = rel.get("predicate")
        by_type = rel.get("by_type") or {}
        order = rel.get("order", "S cue O")
        if order not in ORDERS:
            raise DataError(f"order {order!r} is not one of {', '.join(ORDERS)}", where)
        for p in [pred, *by_type.values()]:
            if p not in vocab.predicates:
                raise DataError(f"unknown predicate {p!r} (see ontology/mechkg.ttl)", where)
        for typ in by_type:
            if typ not in vocab.classes:
                raise DataError(f"unknown entity type {typ!r} in by_type", where)
        phrases = list(_words(rel, "phrases"))
        participles, verbs = set(), set()
        for verb in _words(rel, "verbs"):
            forms = verb_forms(verb)
            phrases += forms
            participles.add(forms[2])
            verbs.update(forms)
        if not phrases:
            raise DataError("a relation cue needs 'phrases' or 'verbs'", where)
        conf = float(rel.get("confidence", 0.6))
        for phrase in dict.fromkeys(phrases):
            cues.append(
                Cue(
                    phrase=phrase,
                    predicate=pred,
                    order=order,
                    by_type=tuple(by_type.items()),
                    confidence=conf,
                    gerund=phrase.split()[0].endswith("ing"),
                    participle=phrase in participles,
                    verb=phrase in verbs,
                    opened_by=tuple(key_of(w) for w in _words(rel, "opened_by")),
                    object_unsaid=bool(rel.get("object_unsaid")),
                )
            )
    types = doc.get("types") or {}
    return Lexicon(
        cues=tuple(cues),
        hedges=_words(doc, "hedges"),
        negations=_words(doc, "negations"),
        inverters=_words(doc, "inverters"),
        item_cues={k: tuple(str(w) for w in v) for k, v in (doc.get("item_cues") or {}).items()},
        phrase_stops=frozenset(_words(doc, "phrase_stops")),
        determiners=_words(doc, "determiners"),
        generic=frozenset(_words(doc, "generic")),
        places=frozenset(_words(doc, "places")),
        trailing=frozenset(_words(doc, "trailing")),
        types_by_head={k: tuple(v) for k, v in (types.get("by_head") or {}).items()},
        types_by_predicate=dict(types.get("by_predicate") or {}),
        default_type=str(types.get("default", "BiologicalProcess")),
        vehicles=_words(doc, "vehicles"),
        joiners=_words(doc, "joiners"),
        contrasts=_words(doc, "contrasts"),
        sufferers={k: _words(doc.get("sufferers") or {}, k) for k in ("people", "verbs")},
        anaphors={k: tuple(str(w) for w in v) for k, v in (doc.get("anaphors") or {}).items()},
        quantities=dict(doc.get("quantities") or {}),
        abbreviations=frozenset(a.casefold().rstrip(".") for a in _words(doc, "abbreviations")),
    )
