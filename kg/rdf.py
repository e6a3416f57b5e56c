"""The graph as RDF: model records → N-Triples lines (entities, statements twice — direct triple and statement
node —, sources, and the ontology itself), deterministic and sorted by the caller; used by the build and by
SHACL validation."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from kg.model import Dataset, Statement, Vocabulary
from kg.vocab import ENT, MK, RDF, RDFS, SKOS, SRC, STMT, curie_to_iri, ontology_files

XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
BIOLINK = "https://w3id.org/biolink/vocab/"


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, datatype: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{esc}"^^<{datatype}>' if datatype else f'"{esc}"'


def _dec(x: float) -> str:
    d = Decimal(str(x)).normalize()
    text = format(d, "f")
    return _lit(text, XSD + "decimal")


def _date(value: str) -> str:
    kinds = {10: "date", 7: "gYearMonth", 4: "gYear"}
    kind = kinds.get(len(value))
    return _lit(value, XSD + kind) if kind else _lit(value)


def _entity_triples(data: Dataset, vocab: Vocabulary) -> Iterator[tuple[str, str, str]]:
    a = _iri(RDF + "type")
    for ent in data.entities.values():
        s = _iri(ENT + ent.key)
        for cls in vocab.class_ancestors(ent.type):
            yield s, a, _iri(MK + cls)
        category = vocab.classes[ent.type].category
        yield s, _iri(BIOLINK + "category"), _iri(BIOLINK + category.split(":", 1)[1])
        yield s, _iri(RDFS + "label"), _lit(ent.label)
        for syn in ent.synonyms:
            yield s, _iri(SKOS + "altLabel"), _lit(syn)
        if ent.definition:
            yield s, _iri(SKOS + "definition"), _lit(ent.definition)
        if ent.plain:
            yield s, _iri(MK + "plainDefinition"), _lit(ent.plain)
        for x in ent.xrefs:
            target = curie_to_iri(x.curie)
            if target:
                yield s, _iri(SKOS + ("exactMatch" if x.match == "exact" else "closeMatch")), _iri(target)
            yield s, _iri(OIO + "hasDbXref"), _lit(x.curie)
            if x.checked:
                yield s, _iri(MK + "idCheck"), _lit(f"{x.curie}: {x.checked}")
        if ent.no_id:
            yield s, _iri(MK + "noStandardId"), _lit(f"{ent.no_id.kind}: {ent.no_id.note}")


_A = f"<{RDF}type>"


def _statement_triples(
    st: Statement, vocab: Vocabulary
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(shared, own): direct/inverse/conflict triples other statements may repeat, and the node's own triples."""
    pred = vocab.predicates[st.predicate]
    subj, obj = f"<{ENT}{st.subject}>", f"<{ENT}{st.object}>"
    n = f"<{STMT}{st.id}>"
    shared = []
    if st.status != "negated":  # a negated claim says the relation does not hold: no direct triple
        shared += [(subj, f"<{MK}{p}>", obj) for p in vocab.predicate_ancestors(st.predicate)]
        if pred.inverse:
            shared.append((obj, f"<{MK}{pred.inverse}>", subj))
    for other in st.conflicts_with:
        shared.append((n, f"<{MK}conflictsWith>", f"<{STMT}{other}>"))
        shared.append((f"<{STMT}{other}>", f"<{MK}conflictsWith>", n))
    own = [
        (n, _A, f"<{RDF}Statement>"),
        (n, _A, f"<{MK}Statement>"),
        (n, f"<{RDF}subject>", subj),
        (n, f"<{RDF}predicate>", f"<{MK}{st.predicate}>"),
        (n, f"<{RDF}object>", obj),
        (n, f"<{MK}signValue>", _lit(str(pred.sign), XSD + "integer")),
        (n, f"<{MK}relationKind>", f"<{MK}{pred.kind.capitalize()}>"),
        (n, f"<{MK}status>", f"<{MK}{st.status.capitalize()}>"),
        (n, f"<{DCT}identifier>", _lit(st.id)),
    ]
    if st.note:
        own.append((n, f"<{RDFS}comment>", _lit(st.note)))
    for src in st.sources:
        own.append((n, f"<{PROV}wasDerivedFrom>", f"<{SRC}{src}>"))
    for i, ev in enumerate(st.evidence, 1):
        e = f"<{STMT}{st.id}/evidence/{i}>"
        own += [
            (n, f"<{MK}evidence>", e),
            (e, _A, f"<{MK}Evidence>"),
            (e, _A, f"<{PROV}Entity>"),
            (e, f"<{MK}quote>", _lit(ev.quote)),
            (e, f"<{DCT}source>", f"<{SRC}{ev.source}>"),
        ]
    for q in st.qualifiers:
        qn = f"<{STMT}{st.id}/{q.name}>"
        own += [(n, f"<{MK}qualifier>", qn), (qn, _A, f"<{MK}Qualifier>"), (qn, f"<{MK}qualifierType>", _lit(q.name))]
        if q.entity:
            own.append((qn, f"<{MK}location>", f"<{ENT}{q.entity}>"))
        for field, value in (("value", q.value), ("minValue", q.min), ("maxValue", q.max)):
            if value is not None:
                own.append((qn, f"<{MK}{field}>", _dec(value)))
        if q.unit:
            own.append((qn, f"<{MK}unit>", _lit(q.unit)))
        if q.text:
            own.append((qn, f"<{MK}text>", _lit(q.text)))
        if q.approximate:
            own.append((qn, f"<{MK}approximate>", _lit("true", XSD + "boolean")))
    return shared, own


def _source_triples(data: Dataset) -> Iterator[tuple[str, str, str]]:
    a = _iri(RDF + "type")
    for src in data.sources.values():
        s = _iri(SRC + src.key)
        yield s, a, _iri(MK + "Source")
        yield s, a, _iri(PROV + "Entity")
        yield s, _iri(DCT + "title"), _lit(src.title)
        yield s, _iri(DCT + "type"), _lit(src.kind)
        yield s, _iri(MK + "corpusFile"), _lit(src.file)
        if src.date:
            yield s, _iri(DCT + "date"), _date(src.date)


def _ontology_lines(directory: Path | None) -> Iterator[str]:
    import pyoxigraph as ox

    for path in ontology_files(directory):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            yield f"{triple} ."


def iter_rdf_lines(data: Dataset, vocab: Vocabulary, ontology: Path | None = None) -> Iterator[str]:
    """Every triple once, as N-Triples lines, in a deterministic order (ontology, sources, entities, statements)."""
    yield from sorted(set(_ontology_lines(ontology)))
    seen: set[str] = set()  # only lines that different records may both produce are remembered
    for triples in (_source_triples(data), _entity_triples(data, vocab)):
        for s, p, o in triples:
            line = f"{s} {p} {o} ."
            if line not in seen:
                seen.add(line)
                yield line
    for st in data.statements.values():
        shared, own = _statement_triples(st, vocab)
        for s, p, o in shared:
            line = f"{s} {p} {o} ."
            if line not in seen:
                seen.add(line)
                yield line
        for s, p, o in own:
            yield f"{s} {p} {o} ."


def rdf_lines(data: Dataset, vocab: Vocabulary, ontology: Path | None = None) -> list[str]:
    """All triples as sorted, unique N-Triples lines: the canonical form that exports start from."""
    return sorted(iter_rdf_lines(data, vocab, ontology))
