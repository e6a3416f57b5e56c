"""The glossary: the words the views and the tour use, in plain language (ontology/glossary.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg import resources
from kg.errors import DataError

GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True, slots=True)
class Term:
    """One glossary entry: the word, its plain explanation, other spellings, and what it names (a type, a status)."""

    term: str
    plain: str
    also: tuple[str, ...] = ()
    type: str = ""  # an entity class key, when the term names an entity type
    status: str = ""  # a claim status, when the term names one

    def to_dict(self) -> dict:
        """Plain data for the pages."""
        return {
            "term": self.term,
            "plain": self.plain,
            "also": list(self.also),
            "type": self.type,
            "status": self.status,
        }


@lru_cache(maxsize=4)
def load_glossary(directory: Path | None = None) -> tuple[Term, ...]:
    """The glossary's terms in file order; a malformed entry is a DataError naming it."""
    import yaml

    path = (directory or resources.ontology_dir()) / GLOSSARY_FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the glossary: {exc}", where=str(path)) from None
    terms = []
    for i, raw in enumerate(doc.get("terms") or []):
        if not isinstance(raw, dict) or not raw.get("term") or not raw.get("plain"):
            raise DataError(f"glossary entry {i + 1} needs 'term' and 'plain'", where=str(path))
        kind = raw.get("kind") or {}
        terms.append(
            Term(
                str(raw["term"]),
                " ".join(str(raw["plain"]).split()),
                tuple(str(a) for a in raw.get("also") or ()),
                str(kind.get("type", "")),
                str(kind.get("status", "")),
            )
        )
    return tuple(terms)


def lookup(word: str, terms: tuple[Term, ...] | None = None) -> Term | None:
    """The entry for a word or one of its other spellings (case ignored)."""
    w = word.strip().lower()
    for t in terms if terms is not None else load_glossary():
        if w == t.term.lower() or w in (a.lower() for a in t.also):
            return t
    return None
