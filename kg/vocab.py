"""The ontology as Python: classes, predicates with sign and kind, and the prefix map."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from kg import resources
from kg.errors import DataError
from kg.model import EntityClass, Predicate, Vocabulary

MK = "https://w3id.org/mechkg/vocab/"
ENT = "https://w3id.org/mechkg/entity/"
STMT = "https://w3id.org/mechkg/statement/"
SRC = "https://w3id.org/mechkg/source/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
BIOLINK = "https://w3id.org/biolink/vocab/"

_KIND = {
    MK + "Causal": "causal",
    MK + "Clinical": "clinical",
    MK + "Associative": "associative",
    MK + "Structural": "structural",
}


@lru_cache(maxsize=1)
def prefixes() -> dict[str, str]:
    """The project prefix map (CURIE prefix → namespace), from ontology/context.jsonld."""
    path = resources.ontology_dir() / "context.jsonld"
    return dict(json.loads(path.read_text(encoding="utf-8"))["@context"])


def curie_to_iri(curie: str) -> str | None:
    """Expand a CURIE with the project prefixes; None if its prefix is unknown."""
    prefix, sep, local = curie.partition(":")
    ns = prefixes().get(prefix)
    return ns + local if sep and ns else None


@lru_cache(maxsize=1)
def _namespaces() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern matching any namespace, longest first (tables compress tens of thousands of IRIs)."""
    by_ns: dict[str, str] = {}
    for prefix, ns in prefixes().items():
        by_ns.setdefault(ns, prefix)
    return re.compile("|".join(map(re.escape, sorted(by_ns, key=len, reverse=True)))), by_ns


@lru_cache(maxsize=65536)
def iri_to_curie(iri: str) -> str:
    """Compress an IRI to the longest matching CURIE, or return it unchanged."""
    pattern, by_ns = _namespaces()
    m = pattern.match(iri)
    return f"{by_ns[m.group()]}:{iri[m.end() :]}" if m else iri


def ontology_files(directory: Path | None = None) -> list[Path]:
    """The Turtle files that make up the ontology (shapes excluded)."""
    d = directory or resources.ontology_dir()
    return sorted(p for p in d.glob("*.ttl") if p.name != "shapes.ttl")


def load_vocabulary(directory: Path | None = None) -> Vocabulary:
    """Read classes and predicates (sign, kind, hierarchy, domain, range) from the ontology."""
    import pyoxigraph as ox

    store = ox.Store()
    for path in ontology_files(directory):
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        except (SyntaxError, OSError) as exc:
            raise DataError(str(exc).splitlines()[0], where=str(path)) from None

    by_subject: dict[str, dict[str, list]] = {}
    for q in store:
        if isinstance(q.subject, ox.NamedNode):
            obj = q.object
            val = obj.value if isinstance(obj, (ox.NamedNode, ox.Literal)) else None
            by_subject.setdefault(q.subject.value, {}).setdefault(q.predicate.value, []).append(val)

    def local(iri: str) -> str:
        return iri[len(MK) :] if iri.startswith(MK) else iri

    def first(props: dict, p: str, default=None):
        vals = props.get(p)
        return vals[0] if vals else default

    def curie(iri: str) -> str:
        return "biolink:" + iri[len(BIOLINK) :] if iri.startswith(BIOLINK) else iri_to_curie(iri)

    classes: dict[str, EntityClass] = {}
    predicates: dict[str, Predicate] = {}
    for iri, props in by_subject.items():
        if not iri.startswith(MK):
            continue
        types = props.get(RDF + "type", [])
        if OWL + "Class" in types and first(props, MK + "category"):
            classes[local(iri)] = EntityClass(
                key=local(iri),
                label=first(props, RDFS + "label", local(iri)),
                parents=tuple(sorted(local(p) for p in props.get(RDFS + "subClassOf", []) if p.startswith(MK))),
                category=curie(first(props, MK + "category")),
                definition=first(props, SKOS + "definition", ""),
            )
        elif OWL + "ObjectProperty" in types and MK + "sign" in props:
            maps = props.get(SKOS + "exactMatch", []) + props.get(SKOS + "closeMatch", [])
            inverse = first(props, OWL + "inverseOf")
            predicates[local(iri)] = Predicate(
                key=local(iri),
                label=first(props, RDFS + "label", local(iri)),
                sign=int(first(props, MK + "sign", 0)),
                kind=_KIND.get(first(props, MK + "kind", ""), "associative"),
                phrase=first(props, MK + "phrase", local(iri)),
                parents=tuple(sorted(local(p) for p in props.get(RDFS + "subPropertyOf", []) if p.startswith(MK))),
                inverse=local(inverse) if inverse else None,
                domain=tuple(sorted(local(c) for c in props.get(MK + "domainIncludes", []))),
                range=tuple(sorted(local(c) for c in props.get(MK + "rangeIncludes", []))),
                biolink=curie(first(props, MK + "edgePredicate", BIOLINK + "related_to")),
                mappings=tuple(sorted(curie(m) for m in maps)),
                sign_basis=first(props, MK + "signBasis", ""),
            )
    if not classes or not predicates:
        raise DataError(
            "the ontology defines no classes or no predicates", where=str(directory or resources.ontology_dir())
        )
    return Vocabulary(classes=dict(sorted(classes.items())), predicates=dict(sorted(predicates.items())))
