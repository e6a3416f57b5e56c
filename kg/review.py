"""The review file of `kg suggest` and what `kg review` does with it: decisions, duplicates, conflicts, writing.

A review file is the project's data format (sources, entities, statements) with status `candidate`, plus for
each candidate why it was proposed (confidence, reason, the words matched), the status it would honestly get,
and the curator's decision (pending, accepted, rejected, skipped). Accepted claims are written into the dataset
only when the dataset with them passes `kg validate --corpus`; otherwise nothing is written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataError, Problem, UsageError
from kg.model import NOTE_REQUIRED, STATUSES, Dataset, Statement, Vocabulary

DECISIONS = ("pending", "accepted", "rejected", "skipped")
_HEADER = "# Candidate claims from {doc}, suggested by `kg suggest`: review them with `kg review {file}`."


# --- the review file ----------------------------------------------------------------------------------------
def review_record(suggestions, document, source: dict) -> dict:
    """The review file's content for a document: its source, new entities, candidate statements and text."""
    statements = []
    for i, c in enumerate(suggestions.candidates, 1):
        statements.append(
            {
                "id": f"c{i:03d}",
                "subject": c.subject,
                "predicate": c.predicate,
                "object": c.object,
                "evidence": [{"source": source["key"], "quote": q} for q in c.quotes],
                **({"qualifiers": c.qualifiers} if c.qualifiers else {}),
                "status": "candidate",
                "proposed_status": c.status,
                "confidence": c.confidence,
                "reason": c.reason,
                "words": c.words,
                "decision": "pending",
            }
        )
    entities = [
        {"key": k, "label": e["label"], "type": e["type"], "status": "candidate", "surface": e["surface"],
         "reason": e["reason"]}
        for k, e in suggestions.new_entities.items()
    ]  # fmt: skip
    return {
        "review": {
            "document": str(document.path),
            "kind": document.kind,
            "words": suggestions.words,
            "sentences": suggestions.sentences,
        },
        "sources": [source],
        "entities": entities,
        "statements": statements,
        "text": document.text,
    }


def dump_review(review: dict, name: str) -> str:
    """The review file as YAML (the document's text as a literal block)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value):
        style = "|" if "\n" in value and not re.search(r"[ \t]\n|[^\S\n]$", value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body = yaml.dump(review, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=120)
    return _HEADER.format(doc=review["review"]["document"], file=name) + "\n" + body


def load_review(path: Path) -> dict:
    """Read a review file; DataError naming what is wrong with it."""
    from kg.yamledit import read_yaml

    review = read_yaml(path, "review file")
    if not isinstance(review, dict) or not isinstance(review.get("statements"), list) or not review.get("sources"):
        raise DataError("not a review file of `kg suggest` (no sources and statements)", where=str(path))
    if not isinstance(review.get("text"), str):
        raise DataError("the review file has lost the document's text", where=str(path))
    for st in review["statements"]:
        if not isinstance(st, dict) or "id" not in st or st.get("decision", "pending") not in DECISIONS:
            raise DataError(f"malformed candidate {st!r:.60}", where=str(path))
        st.setdefault("decision", "pending")
    review.setdefault("entities", [])
    return review


def save_review(path: Path, review: dict) -> None:
    """Write the review file atomically (decisions and edits are kept in it, so a review can resume)."""
    from kg.export import atomic_write

    atomic_write(path, dump_review(review, path.name).encode("utf-8"))


# --- duplicates and conflicts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Relation:
    """How a candidate stands to a claim already in the graph."""

    kind: str  # duplicate | conflict
    statement: Statement
    why: str


def relation_to_graph(cand: dict, data: Dataset, vocab: Vocabulary) -> Relation | None:
    """A claim the candidate restates (extra evidence for it) or contradicts (same entities, opposite sign or
    negation), if any."""
    preds = vocab.predicates
    if cand["predicate"] not in preds:
        return None
    p = preds[cand["predicate"]]
    negated = _status(cand) == "negated"
    found: list[Relation] = []
    for st in data.statements.values():
        if st.predicate not in preds:
            continue
        q = preds[st.predicate]
        same = (st.subject, st.object) == (cand["subject"], cand["object"])
        mirrored = (st.subject, st.object) == (cand["object"], cand["subject"])
        if not (same or (mirrored and p.kind == q.kind == "associative")):
            continue
        if (p.kind == "structural") != (q.kind == "structural"):
            continue
        st_neg = st.status == "negated"
        if p.sign * q.sign < 0 and negated == st_neg:
            found.append(Relation("conflict", st, f"opposite sign: {cand['predicate']} vs {st.predicate}"))
        elif negated != st_neg and (p.sign == q.sign or 0 in (p.sign, q.sign)):
            denies = "the candidate denies it" if negated else "the graph denies it"
            found.append(Relation("conflict", st, f"{denies} ({st.id} is {st.status})"))
        elif p.sign == q.sign or 0 in (p.sign, q.sign):
            found.append(Relation("duplicate", st, f"restates {st.id}"))
    found.sort(key=lambda r: (r.kind != "duplicate", r.statement.predicate != cand["predicate"]))
    return found[0] if found else None


def _status(cand: dict) -> str:
    return cand.get("final_status") or cand.get("proposed_status") or "asserted"


# --- decisions ----------------------------------------------------------------------------------------------
def decide(review: dict, ids: list[str], decision: str) -> list[str]:
    """Set the decision of candidates by id; UsageError naming ids that are not in the file."""
    by_id = {st["id"]: st for st in review["statements"]}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise UsageError(f"no candidate {', '.join(unknown)} in the review file")
    for i in ids:
        if not by_id[i].get("written"):
            by_id[i]["decision"] = decision
    return ids


def accept_all(review: dict, min_confidence: float) -> list[str]:
    """Accept every pending candidate at or above a confidence."""
    ids = [
        st["id"] for st in review["statements"] if st["decision"] == "pending" and st["confidence"] >= min_confidence
    ]
    return decide(review, ids, "accepted")


def run_review(
    path: Path,
    data_dir: Path,
    corpus: Path | None,
    ids: dict[str, list[str]],
    min_confidence: float | None,
    one_by_one=None,
    on_problem=lambda p: None,
) -> str:
    """`kg review`: decide (by ids, by confidence, or `one_by_one` interactively), save the decisions in the review
    file, then write the accepted claims when a corpus is given; returns the summary line."""
    from kg.load import load_dataset
    from kg.vocab import load_vocabulary

    review = load_review(path)
    vocab = load_vocabulary()
    for decision, chosen in ids.items():
        decide(review, chosen, decision)
    if min_confidence is not None:
        accept_all(review, min_confidence)
    if one_by_one is not None:  # the interactive loop (kg.review_loop.run on a Terminal), given by the caller
        data, _ = load_dataset(data_dir)
        one_by_one(review, data, vocab, lambda: save_review(path, review))
    save_review(path, review)
    counts = {d: sum(st["decision"] == d for st in review["statements"]) for d in DECISIONS}
    said = ", ".join(f"{n} {d}" for d, n in counts.items() if n)
    if corpus is None:
        return f"{said}; decisions kept in {path}; nothing written (give --corpus DIR to write the accepted claims)"
    try:
        out = apply(review, data_dir, corpus, vocab)
    except Rejected as exc:
        for p in exc.problems:
            on_problem(p)
        raise
    save_review(path, review)
    ents = len(out.new_entities)
    return (
        f"{said}; wrote {len(out.new_statements)} new claim(s), evidence for {len(out.evidence_added)} existing, "
        f"{ents} new entit{'y' if ents == 1 else 'ies'}"
        + (f", the text to {out.corpus_file}" if out.corpus_file else "")
    )


# --- writing accepted claims into the dataset ---------------------------------------------------------------
@dataclass
class Outcome:
    """What `apply` wrote (or would have written)."""

    new_statements: list[str]
    evidence_added: list[str]
    new_entities: list[str]
    source_added: bool
    corpus_file: Path | None
    files: list[Path]


class Rejected(DataError):
    """The dataset with the accepted claims does not validate: nothing was written; carries the problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"nothing written: the dataset with the accepted claims has {len(problems)} problem(s)")
        self.problems = problems


def apply(review: dict, data_dir: Path, corpus: Path, vocab: Vocabulary, shacl: bool = True) -> Outcome:
    """Write accepted, unwritten candidates into `data_dir` (and the text into `corpus`), only if the result
    passes validation with the corpus; on failure write nothing and raise Rejected with every problem."""
    from kg.load import load_dataset

    data, problems = load_dataset(data_dir)
    if problems:
        raise Rejected(problems)
    todo = [st for st in review["statements"] if st["decision"] == "accepted" and not st.get("written")]
    source = dict(review["sources"][0])
    key = source["key"]
    edits: dict[Path, str] = {}
    outcome = Outcome([], [], [], False, None, [])
    if not todo:
        return outcome

    def text_of(path: Path) -> str | None:
        if path in edits:
            return edits[path]
        return path.read_text(encoding="utf-8") if path.is_file() else None

    if key not in data.sources:
        path = data_dir / "sources.yaml"
        fields = {k: source[k] for k in ("key", "title", "date", "kind", "file") if source.get(k)}
        header = "# The documents of the corpus; `file` is the document's file name in the corpus directory."
        edits[path] = _append(text_of(path), path, "sources", [fields], header)
        outcome.source_added = True
    elif data.sources[key].file != source["file"]:
        raise UsageError(f"source '{key}' is already in the dataset with another file ({data.sources[key].file})")

    new_ents = {e["key"]: e for e in review.get("entities") or []}
    used = [k for st in todo for k in (st["subject"], st["object"]) if k not in data.entities]
    ent_records = []
    for k in dict.fromkeys(used):
        if k not in new_ents:
            raise UsageError(f"candidate refers to unknown entity '{k}' (neither in the dataset nor proposed)")
        e = new_ents[k]
        no_id = {"kind": "unverified", "note": "added by kg review; no standard ID checked yet"}
        ent_records.append({"key": k, "label": e["label"], "type": e["type"], "no_id": no_id} | _definition(e))
        outcome.new_entities.append(k)
    if ent_records:
        path = data_dir / "entities" / f"{key}.yaml"
        header = f"# Entities first named in '{source['title']}' ({key}), added by `kg review`; check types, add IDs."
        edits[path] = _append(text_of(path), path, "entities", ent_records, header)

    new_records = []
    taken = set(data.statements)
    inserts: dict[Path, dict[int, list[dict]]] = {}
    backrefs: dict[Path, dict[int, list[str]]] = {}
    for st in todo:
        rel = relation_to_graph(st, data, vocab)
        evidence = [{"source": key, "quote": e["quote"]} for e in st["evidence"]]
        if rel is not None and rel.kind == "duplicate":
            have = {(e.source, e.quote) for e in rel.statement.evidence}
            evidence = [e for e in evidence if (e["source"], e["quote"]) not in have]
            if evidence:
                file, line = _where(rel.statement, data_dir)
                inserts.setdefault(file, {}).setdefault(line, []).extend(evidence)
            outcome.evidence_added.append(rel.statement.id)
            st["evidence_for"] = rel.statement.id
            continue
        rec = statement_fields(st, key, rel, taken)
        sid = rec.get("id") or f"{rec['subject']}-{rec['predicate']}-{rec['object']}"
        taken.add(sid)
        new_records.append(rec)
        outcome.new_statements.append(sid)
        if rel is not None:  # a conflict is recorded on both statements
            file, line = _where(rel.statement, data_dir)
            backrefs.setdefault(file, {}).setdefault(line, []).append(sid)
    for file in dict.fromkeys([*inserts, *backrefs]):
        text = text_of(file)
        if text is None:
            raise DataError("the file of an existing statement is gone", where=str(file))
        lines = sorted({*inserts.get(file, {}), *backrefs.get(file, {})}, reverse=True)
        for line in lines:  # from the bottom up, so the line numbers above still hold
            if line in inserts.get(file, {}):
                text = _add_evidence(text, file, line, inserts[file][line])
            for sid in backrefs.get(file, {}).get(line, []):
                text = _add_to_list(text, file, line, "conflicts_with", sid)
        edits[file] = text
    if new_records:
        path = data_dir / "statements" / f"{key}.yaml"
        header = f"# Claims from '{source['title']}' ({key}), suggested by `kg suggest` and accepted in `kg review`."
        edits[path] = _append(text_of(path), path, "statements", new_records, header)

    corpus_file = corpus / source["file"]
    if corpus_file.exists() and corpus_file.read_text(encoding="utf-8") != review["text"]:
        raise UsageError(f"{corpus_file} exists with other text; give the source another key (--source)")
    for place in {corpus, *(p.parent if p.parent.exists() else data_dir for p in edits)}:
        if not os.access(place, os.W_OK):
            raise UsageError(f"cannot write into {place} (read-only? work on a copy: cp -r DIR mydir)")
    _check(data_dir, corpus, edits, corpus_file, review["text"], shacl)
    if not corpus_file.exists():
        _write(corpus_file, review["text"])
        outcome.corpus_file = corpus_file
    for path, text in edits.items():
        _write(path, text)
    for st in todo:
        st["written"] = True
    outcome.files = sorted(edits)
    return outcome


def statement_fields(st: dict, source: str, rel: Relation | None, taken: set[str]) -> dict:
    """The data-format record of an accepted candidate: its honest status, a note where one is needed."""
    status = _status(st)
    if status not in STATUSES:
        raise UsageError(f"candidate {st['id']}: status '{status}' is not one of {', '.join(STATUSES)}")
    default_id = f"{st['subject']}-{st['predicate']}-{st['object']}"
    rec: dict = {}
    if default_id in taken:
        rec["id"] = f"{default_id}-{source}"
    rec |= {"subject": st["subject"], "predicate": st["predicate"], "object": st["object"]}
    if st.get("qualifiers"):
        rec["qualifiers"] = st["qualifiers"]
    if status != "asserted":
        rec["status"] = status
    note = st.get("note") or ""
    if rel is not None and rel.kind == "conflict":
        rec["conflicts_with"] = [rel.statement.id]
        note = note or f"Contradicts {rel.statement.id} ({rel.why})."
    if not note and status == "negated":
        note = f"The sentence denies it (kg suggest: {st.get('reason', '')})."
    elif not note and status in NOTE_REQUIRED:
        raise UsageError(f"candidate {st['id']}: a {status} claim needs a note saying why (edit it: e, then n)")
    if note:
        rec["note"] = note
    rec["evidence"] = [{"source": source, "quote": e["quote"]} for e in st["evidence"]]
    return rec


def _definition(e: dict) -> dict:
    return {"definition": e["definition"]} if e.get("definition") else {}


def _append(text, path, section, items, header):
    from kg.yamledit import append_records

    return append_records(text, path, section, items, header)


def _add_evidence(text, path, line, evidence):
    from kg.yamledit import add_evidence

    return add_evidence(text, path, line, evidence)


def _add_to_list(text, path, line, field, value):
    from kg.yamledit import add_to_list

    return add_to_list(text, path, line, field, value)


def _where(st: Statement, data_dir: Path) -> tuple[Path, int]:
    """The file and line of a statement, from its `where` (file:line, relative to the working directory)."""
    file, _, line = st.where.rpartition(":")
    path = Path(file)
    if not line.isdigit():
        raise DataError(f"cannot find where statement '{st.id}' is written ({st.where})")
    return (path if path.is_absolute() else Path.cwd() / path), int(line)


def _check(data_dir: Path, corpus: Path, edits: dict[Path, str], corpus_file: Path, text: str, shacl: bool) -> None:
    """Validate the dataset as it would be after the edits, in a scratch copy; Rejected if anything is wrong."""
    from kg.validate import run_validation

    with tempfile.TemporaryDirectory(prefix="mechkg-review-") as tmp:
        scratch = Path(tmp) / "data"
        shutil.copytree(data_dir, scratch)
        root = data_dir.resolve()
        for path, content in edits.items():
            target = scratch / path.resolve().relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        docs = Path(tmp) / "corpus"
        docs.mkdir()
        if corpus.is_dir():
            for f in corpus.iterdir():
                if f.is_file():
                    (docs / f.name).symlink_to(f.resolve())
        (docs / corpus_file.name).unlink(missing_ok=True)
        (docs / corpus_file.name).write_text(text, encoding="utf-8")
        report = run_validation(scratch, docs, shacl=shacl)
    if not report.ok:
        raise Rejected([_relocate(p, Path(tmp), data_dir) for p in report.problems])


def _relocate(p: Problem, tmp: Path, data_dir: Path) -> Problem:
    where = p.where.replace(str(tmp / "data"), str(data_dir)).replace(str(tmp / "corpus"), "corpus")
    return Problem(where, p.message, p.code)


def _write(path: Path, text: str) -> None:
    from kg.export import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"))
