"""Check a dataset against the vocabulary and its source documents: references, types, quotes, CURIEs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.errors import Problem
from kg.load import short_repr
from kg.model import NOTE_REQUIRED, STATUSES, Dataset, Vocabulary
from kg.progress import Progress, no_progress
from kg.vocab import prefixes

# Local-ID patterns of the identifier schemes we link to; a CURIE must match its scheme's pattern.
ID_PATTERNS = {
    "CHEBI": r"\d+",
    "GO": r"\d{7}",
    "HP": r"\d{7}",
    "MONDO": r"\d{7}",
    "UBERON": r"\d{7}",
    "CL": r"\d{7}",
    "RO": r"\d{7}",
    "BFO": r"\d{7}",
    "NCIT": r"C\d+",
    "MESH": r"[CDGQ]\d{6,9}",
}
CURIE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*):(\S+)$")
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u2022": " ",
    }
)
ELLIPSIS_RE = re.compile(r"\s*(?:\.\.\.|\u2026)\s*")


MAX_COMBINING = 30  # combining marks in a row kept together (Unicode's stream-safe format, UAX #15)


def normalize_text(text: str) -> str:
    """Fold typographic quotes and dashes, and collapse whitespace, so quotes compare as people read them."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", _stream_safe(text))
    text = text.translate(_TYPOGRAPHIC)
    return re.sub(r"\s+", " ", text).strip()


def _stream_safe(text: str) -> str:
    """Break runs of more than MAX_COMBINING combining marks with U+034F, as UAX #15's stream-safe format does: NFC
    reorders a run of marks in time quadratic in its length, so one long run would stall validation."""
    out, run = [], 0
    for ch in text:
        run = run + 1 if unicodedata.combining(ch) else 0
        if run > MAX_COMBINING:
            out.append("\u034f")
            run = 1
        out.append(ch)
    return "".join(out)


def quote_found(quote: str, document: str) -> bool:
    """Whether the quote occurs verbatim in the (normalized) document; '...' parts must appear in order, and a quote
    with no text at all is found nowhere."""
    pos, found = 0, False
    for part in ELLIPSIS_RE.split(normalize_text(quote)):
        if not part:
            continue
        at = document.find(part, pos)
        if at < 0:
            return False
        pos, found = at + len(part), True
    return found


def check_curie(curie: str) -> str | None:
    """Return why a CURIE is malformed or of an unknown scheme, or None when it is fine."""
    m = CURIE_RE.match(curie)
    if not m:
        return f"'{curie}' is not a CURIE (PREFIX:ID)"
    prefix, local = m.groups()
    if prefix not in prefixes() or prefix not in ID_PATTERNS:
        return f"'{curie}' has an unknown prefix '{prefix}'; known: {', '.join(sorted(ID_PATTERNS))}"
    if not re.fullmatch(ID_PATTERNS[prefix], local):
        return f"'{curie}' is not a valid {prefix} identifier"
    return None


def check_dataset(data: Dataset, vocab: Vocabulary) -> list[Problem]:
    """References, types against predicate domain/range, statuses, conflicts and CURIEs."""
    problems: list[Problem] = []
    add = problems.append
    for src in data.sources.values():
        if src.date is not None and (why := _bad_date(src.date)):
            add(Problem(src.where, f"source '{src.key}': date {short_repr(src.date)} {why}"))
        if why := _bad_document_path(src.file):
            add(Problem(src.where, f"source '{src.key}': file {short_repr(src.file)} {why}"))
    for ent in data.entities.values():
        if ent.type not in vocab.classes:
            add(Problem(ent.where, f"entity '{ent.key}': unknown type '{ent.type}'", "unknown-type"))
        seen = set()
        for x in ent.xrefs:
            why = check_curie(x.curie)
            if why:
                add(Problem(ent.where, f"entity '{ent.key}': bad CURIE: {why}", "bad-curie"))
            if x.curie in seen:
                add(Problem(ent.where, f"entity '{ent.key}': id {x.curie} listed twice", "duplicate"))
            seen.add(x.curie)
            if x.replaced_by and (why := check_curie(x.replaced_by)):
                add(Problem(ent.where, f"entity '{ent.key}': bad replaced_by of {x.curie}: {why}", "bad-curie"))
            if x.obsolete or x.replaced_by:
                instead = f"; use {x.replaced_by}" if x.replaced_by else ""
                add(Problem(ent.where, f"entity '{ent.key}': id {x.curie} is obsolete{instead}", "obsolete-id"))
        if ent.xrefs and ent.no_id:
            add(Problem(ent.where, f"entity '{ent.key}': has ids and a no_id reason; keep one", "no-id"))
    for st in data.statements.values():
        pred = vocab.predicates.get(st.predicate)
        if pred is None:
            add(Problem(st.where, f"statement '{st.id}': unknown predicate '{st.predicate}'", "unknown-predicate"))
        for role, key, allowed in (
            ("subject", st.subject, pred.domain if pred else ()),
            ("object", st.object, pred.range if pred else ()),
        ):
            ent = data.entities.get(key)
            if ent is None and key in data.unreadable_keys:
                continue  # defined in a file that failed to parse: that file's error is reported instead
            if ent is None:
                add(Problem(st.where, f"statement '{st.id}': unknown {role} entity '{key}'", "unknown-entity"))
            elif allowed and ent.type in vocab.classes and not any(vocab.is_a(ent.type, c) for c in allowed):
                add(
                    Problem(
                        st.where,
                        f"statement '{st.id}': {role} '{key}' is a {ent.type}, but '{st.predicate}' "
                        f"takes a {' or '.join(allowed)} as {role}",
                        "type",
                    )
                )
        if st.status not in STATUSES:
            add(Problem(st.where, f"statement '{st.id}': status '{st.status}' is not one of {', '.join(STATUSES)}"))
        elif st.status in NOTE_REQUIRED and not st.note:
            add(Problem(st.where, f"statement '{st.id}': a {st.status} statement needs a curator note"))
        for ev in st.evidence:
            if ev.source not in data.sources and ev.source not in data.unreadable_keys:
                add(Problem(st.where, f"statement '{st.id}': unknown source '{ev.source}'", "unknown-source"))
        for other in st.conflicts_with:
            if other not in data.statements:
                add(
                    Problem(
                        st.where,
                        f"statement '{st.id}': conflicts_with unknown statement '{other}'",
                        "unknown-statement",
                    )
                )
            elif st.id not in data.statements[other].conflicts_with:
                add(
                    Problem(
                        st.where,
                        f"statement '{st.id}': conflicts_with '{other}', but '{other}' does not list "
                        f"'{st.id}' back (a conflict is recorded on both statements)",
                        "one-sided-conflict",
                    )
                )
        for q in st.qualifiers:
            if q.entity and q.entity not in data.entities:
                add(
                    Problem(
                        st.where, f"statement '{st.id}': location '{q.entity}' is not a known entity", "unknown-entity"
                    )
                )
    return problems


def _bad_date(value: str) -> str | None:
    """Why a source date is not YYYY, YYYY-MM or YYYY-MM-DD of a real calendar day, or None."""
    import datetime

    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return "is not YYYY[-MM[-DD]]"
    year, month, day = [*value.split("-"), "01", "01"][:3]
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError as exc:
        return f"is not a real date ({exc})"
    return None


def _bad_document_path(file: str) -> str | None:
    """Why a source's file cannot name a document inside the corpus (absolute, or climbing out with '..'), or None."""
    from pathlib import PurePosixPath, PureWindowsPath

    if PurePosixPath(file).is_absolute() or PureWindowsPath(file).is_absolute() or PureWindowsPath(file).drive:
        return "is an absolute path; give the document's path inside the corpus"
    if ".." in PurePosixPath(file.replace("\\", "/")).parts:
        return "climbs out of the corpus with '..'; give the document's path inside it"
    return None


def check_corpus(data: Dataset, corpus: Path) -> list[Problem]:
    """Every quote must be a verbatim substring of its source document in `corpus` (each named by a path inside it)."""
    problems: list[Problem] = []
    if not corpus.is_dir():
        return [Problem(str(corpus), "no such corpus directory", "io")]
    texts: dict[str, str | None] = {}
    for src in data.sources.values():
        texts[src.key] = None
        path = corpus / src.file
        if _bad_document_path(src.file):  # written to leave the corpus (a link placed inside it is the user's own)
            problems.append(Problem(src.where, f"source '{src.key}': document '{src.file}' is outside {corpus}", "io"))
            continue
        try:
            texts[src.key] = normalize_text(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            problems.append(
                Problem(src.where, f"source '{src.key}': document '{src.file}' not found in {corpus}", "io")
            )
    for st in data.statements.values():
        for ev in st.evidence:
            text = texts.get(ev.source)
            if text is not None and not quote_found(ev.quote, text):
                short = ev.quote if len(ev.quote) <= 70 else ev.quote[:67] + "..."
                problems.append(
                    Problem(
                        st.where,
                        f"statement '{st.id}': quote not found verbatim in '{ev.source}': \"{short}\"",
                        "quote",
                    )
                )
    return problems


def shacl_problems(ntriples: str, shapes: Path) -> list[Problem]:
    """Validate the built graph against the SHACL shapes (pyshacl); one problem per violation."""
    import rdflib
    from pyshacl import validate as shacl_validate

    data = rdflib.Graph().parse(data=ntriples, format="nt")
    sg = rdflib.Graph().parse(str(shapes), format="turtle")
    conforms, report, _ = shacl_validate(data, shacl_graph=sg, inference="none", allow_warnings=True)
    if conforms:
        return []
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    out = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = report.value(result, sh.focusNode)
        path = report.value(result, sh.resultPath)
        msg = report.value(result, sh.resultMessage)
        out.append(Problem(f"shapes:{focus}", f"{path}: {msg}", "shacl"))
    return sorted(out, key=str)


@dataclass(frozen=True)
class Report:
    """The outcome of `kg validate`: every problem found, and the dataset's counts."""

    problems: list[Problem]
    counts: dict[str, int]
    checked: list[str]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def run_validation(
    data_dir: Path, corpus: Path | None = None, shacl: bool = True, progress: Progress = no_progress
) -> Report:
    """Load and check a dataset: structure, references, types, quotes against `corpus`, SHACL shapes."""
    from kg import resources
    from kg.load import load_dataset
    from kg.rdf import rdf_lines
    from kg.vocab import load_vocabulary

    vocab = load_vocabulary()
    progress("reading the data", 0, 4)
    data, problems = load_dataset(data_dir)
    progress("checking references and types", 1, 4)
    problems += check_dataset(data, vocab)
    checked = ["yaml", "references", "types", "curies"]
    if corpus is not None:
        progress("checking quotes against the corpus", 2, 4)
        problems += check_corpus(data, corpus)
        checked.append("quotes")
    if shacl and not problems:
        progress("checking SHACL shapes", 3, 4)
        problems += shacl_problems("\n".join(rdf_lines(data, vocab)), resources.ontology_dir() / "shapes.ttl")
        checked.append("shacl")
    return Report(problems=sorted(problems, key=_location), counts=data.counts(), checked=checked)


def _location(p: Problem) -> tuple[str, int, str]:
    """Sort key: file, then line number, then message."""
    file, _, line = p.where.rpartition(":")
    return (file, int(line), p.message) if line.isdigit() else (p.where, 0, p.message)
