"""How well `kg suggest` reads a document: leave-one-document-out on the curated documents.

For each document: drop the claims that only it supports (and the entities only they mention), run suggest on it
with the rest of the graph, and count

- recall: the dropped claims that come back among the candidates (same subject, object and sign, and negated
  when the claim is negated); a candidate's new entity counts as the dropped entity whose label or synonym its
  surface text is (case, hyphens and plurals folded);
- precision: the candidates that are right, i.e. that state (same entities and sign) one of the claims curated
  from that document.

    python bench/suggest_eval.py                 # the tables: entity records kept, and dropped too
    python bench/suggest_eval.py --format json   # the figures as JSON
    python bench/suggest_eval.py --misses        # also list what was missed and what was wrong, with quotes

Two runs: the claims dropped, the entity records kept (they are not claims, and stay in data/entities); and
the entities that only the dropped claims name dropped too, so that they must come back as new entities.
Entity synonyms were curated partly from these same documents, so the first run is the kinder one.

Run from a checkout; the documents are read from ../shared/seeds unless --corpus says otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.lexicon import load_lexicon  # noqa: E402
from kg.load import load_dataset  # noqa: E402
from kg.model import Dataset  # noqa: E402
from kg.reading import read_document  # noqa: E402
from kg.resolve import normalize  # noqa: E402
from kg.suggest import Reader  # noqa: E402
from kg.vocab import load_vocabulary  # noqa: E402


def held_out(data: Dataset, source: str, keep_entities: bool) -> Dataset:
    """The dataset without the claims only `source` supports (and, unless kept, the entities only they name)."""
    rest = {k: s for k, s in data.statements.items() if s.sources != (source,)}
    if keep_entities:
        ents = data.entities
    else:
        used = {k for s in rest.values() for k in (s.subject, s.object)}
        used |= {q.entity for s in rest.values() for q in s.qualifiers if q.entity}
        ents = {k: e for k, e in data.entities.items() if k in used}
    return replace(data, entities=ents, statements=rest)


def claim_key(vocab, subject: str | None, predicate: str, obj: str | None, negated: bool) -> tuple:
    """What counts as the same claim: subject, object, sign, and whether it is denied (an association has no
    direction: its two entities are taken in either order)."""
    if vocab.predicates[predicate].kind == "associative" and subject and obj:
        subject, obj = sorted((subject, obj))
    return (subject, obj, vocab.predicates[predicate].sign, negated)


def _entity(key: str, reduced: Dataset, found, names: dict[str, str]) -> str | None:
    """A candidate's entity: a key of the graph it was read with, or the entity its new entity's text names."""
    if key in reduced.entities:
        return key
    new = found.new_entities.get(key)
    return names.get(normalize(new["surface"])) if new else None


def evaluate(corpus: Path, keep_entities: bool = False, misses: bool = False) -> dict:
    """Leave-one-document-out over every source of the embedded dataset; figures per document and overall."""
    data, problems = load_dataset(ROOT / "data")
    if problems:
        raise SystemExit(f"the dataset has problems: {problems[0]}")
    vocab = load_vocabulary()
    lexicon = load_lexicon()
    names: dict[str, str] = {}
    for e in data.entities.values():
        for n in (e.label, e.key.replace("_", " "), *e.synonyms):
            names.setdefault(normalize(n), e.key)
    rows = []
    for src in data.sources.values():
        doc = read_document(corpus / src.file)
        reduced = held_out(data, src.key, keep_entities)
        dropped = {k: s for k, s in data.statements.items() if s.sources == (src.key,)}
        truth_only = {
            claim_key(vocab, s.subject, s.predicate, s.object, s.status == "negated"): s for s in dropped.values()
        }
        truth_doc = {
            claim_key(vocab, s.subject, s.predicate, s.object, s.status == "negated")
            for s in data.statements.values()
            if src.key in s.sources
        }
        start = time.perf_counter()
        reader = Reader(reduced, vocab, lexicon)
        found = reader.read(doc.text)
        seconds = time.perf_counter() - start

        got = []
        for c in found.candidates:
            s, o = (_entity(k, reduced, found, names) for k in (c.subject, c.object))
            got.append((claim_key(vocab, s, c.predicate, o, c.status == "negated"), c))
        right = [c for k, c in got if k in truth_doc]
        back = {k for k, _ in got if k in truth_only}
        row = {
            "source": src.key,
            "words": found.words,
            "dropped": len(truth_only),
            "recalled": len(back),
            "candidates": len(got),
            "right": len(right),
            "recall": round(len(back) / len(truth_only), 3) if truth_only else None,
            "precision": round(len(right) / len(got), 3) if got else None,
            "seconds": round(seconds, 3),
            "dropped_entities": len(data.entities) - len(reduced.entities),
        }
        if misses:
            row["missed"] = [
                f"{s.subject} {s.predicate} {s.object}"
                + (" (negated)" if s.status == "negated" else "")
                + "".join(f"\n        “{e.quote}”" for e in s.evidence if e.source == src.key)
                for k, s in truth_only.items()
                if k not in back
            ]
            row["wrong"] = [
                f"{c.subject} {c.predicate} {c.object} [{c.status}] ← {c.reason}\n        “{c.quotes[0]}”"
                for k, c in got
                if k not in truth_doc
            ]
        rows.append(row)
    total = {k: sum(r[k] for r in rows) for k in ("words", "dropped", "recalled", "candidates", "right", "seconds")}
    total["recall"] = round(total["recalled"] / total["dropped"], 3)
    total["precision"] = round(total["right"] / total["candidates"], 3) if total["candidates"] else None
    total["seconds_per_2000_words"] = round(total["seconds"] / total["words"] * 2000, 3)
    return {"documents": rows, "overall": total, "entities_kept": keep_entities}


def cold_seconds(corpus: Path) -> dict[str, float]:
    """Wall time of the real command, `kg suggest DOC -o FILE`, in a fresh process, per document."""
    import subprocess
    import tempfile

    data, _ = load_dataset(ROOT / "data")
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for src in data.sources.values():
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "kg", "suggest", str(corpus / src.file), "-o", f"{tmp}/r.yaml",
                 "--source", f"eval-{src.key}"],
                check=True, capture_output=True, cwd=ROOT,
            )  # fmt: skip
            out[src.key] = round(time.perf_counter() - start, 2)
    return out


def _table(result: dict, cold: dict[str, float]) -> None:
    print(f"{'document':16} {'words':>5} {'dropped':>7} {'back':>5} {'recall':>6}  {'cands':>5} {'right':>5} "
          f"{'precision':>9} {'read':>6} {'kg suggest':>10}")  # fmt: skip
    for r in [*result["documents"], {"source": "overall", **result["overall"]}]:
        rec = f"{r['recall']:.2f}" if r["recall"] is not None else "-"
        prec = f"{r['precision']:.2f}" if r["precision"] is not None else "-"
        whole = cold.get(r["source"]) if r["source"] != "overall" else sum(cold.values()) if cold else None
        print(
            f"{r['source']:16} {r['words']:5d} {r['dropped']:7d} {r['recalled']:5d} {rec:>6}  {r['candidates']:5d} "
            f"{r['right']:5d} {prec:>9} {r['seconds']:5.2f}s {f'{whole:.2f}s' if whole is not None else '-':>10}"
        )
        for m in r.get("missed", []):
            print(f"    missed: {m}")
        for w in r.get("wrong", []):
            print(f"    wrong:  {w}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "seeds", help="the documents")
    ap.add_argument("--misses", action="store_true", help="list the claims missed and the candidates that are wrong")
    ap.add_argument("--no-cold", action="store_true", help="do not time the real command in fresh processes")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    args = ap.parse_args()
    cold = {} if args.no_cold else cold_seconds(args.corpus)
    results = {
        "entity records kept": evaluate(args.corpus, True, args.misses),
        "entities only the held-out claims name dropped too": evaluate(args.corpus, False, args.misses),
    }
    if args.format == "json":
        print(json.dumps({"runs": results, "kg_suggest_seconds": cold}, indent=2))
        return
    for title, result in results.items():
        print(f"\n== {title}")
        _table(result, cold)
        o = result["overall"]
        print(f"reading: {o['seconds_per_2000_words']:.2f} s per 2,000 words (in process, matcher built per document)")
    if cold:
        print(f"kg suggest in a fresh process: {min(cold.values()):.2f}–{max(cold.values()):.2f} s per document "
              "(start-up, the dataset, the lexicon, reading and writing the review file)")  # fmt: skip


if __name__ == "__main__":
    main()
