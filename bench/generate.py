"""Generate seeded synthetic mechanism graphs in mechkg's own data format, for benchmarks at scale.

Run: python bench/generate.py --size 10k --seed 42 --out /tmp/kg10k [--format json|yaml]

The output is shaped like a knowledge graph mined from the literature: mechkg's entity classes and
predicates in realistic proportions, power-law degrees with a few named hubs (``drug_hub``,
``inflammation_hub``, ``depression_hub``), 1–4 evidence items per statement from synthetic sources,
some qualifiers, ~3% disputed claims (with a note, a third of them with ``conflicts_with``, recorded on
both statements) and ~1% hedged or negated ones. Every statement respects its predicate's ``mk:domainIncludes`` /
``mk:rangeIncludes`` as read by ``kg.vocab.load_vocabulary()``, so the data validates.

Files: ``sources.json``, ``entities.json`` and ``statements/statements-NNN.json`` (at most 20,000
statements each), one record per line. JSON is the default because the loader reads it much faster
than YAML (same structure: ``{"sources": [...], "entities": [...], "statements": [...]}``); use
``--format yaml`` to get files that look like what curators write. Quotes are synthetic text: there is
no corpus behind them, so ``kg validate --corpus`` does not apply. The same seed and size always give
the same bytes.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GENERATOR_VERSION = "1"  # bump when the output for a given seed and size changes
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
FILE_LIMIT = 20_000  # statements per file
DEGREE = 10  # mean statements per entity: entities ≈ 2 × statements / DEGREE
SOURCE_SHARE = 25  # one source per this many statements
UNIFORM = 0.3  # share of endpoint picks made uniformly (the rest follow the power law)
ALPHA = 1.0  # Zipf exponent of entity popularity within a class
SOURCE_ALPHA = 0.7  # … and of sources (a few reviews are cited often)
HUB_BOOST = 3.0  # a named hub is this many times as popular as the top of a plain power law

# Entity classes: (class, key prefix, label word, share of entities, CURIE scheme or "").
CLASSES: tuple[tuple[str, str, str, float, str], ...] = (
    ("Drug", "drug", "drug", 0.13, "CHEBI"),
    ("DrugClass", "drug_class", "drug class", 0.02, ""),
    ("Neurotransmitter", "neurotransmitter", "neurotransmitter", 0.02, "CHEBI"),
    ("Metabolite", "metabolite", "metabolite", 0.12, "CHEBI"),
    ("Receptor", "receptor", "receptor", 0.12, "NCIT"),
    ("BiologicalProcess", "process", "process", 0.16, "GO"),
    ("AnatomicalEntity", "anatomy", "anatomical site", 0.06, "UBERON"),
    ("Disease", "disease", "disease", 0.09, "MONDO"),
    ("Symptom", "symptom", "symptom", 0.08, "HP"),
    ("AdverseEffect", "adverse_effect", "adverse effect", 0.05, "HP"),
    ("PhenotypicFeature", "phenotype", "phenotype", 0.03, "HP"),
    ("RiskFactor", "risk_factor", "risk factor", 0.04, "MESH"),
    ("Behavior", "behavior", "behavior", 0.03, ""),
    ("TreatmentRegimen", "regimen", "treatment regimen", 0.02, ""),
    ("RouteOfAdministration", "route", "route", 0.005, ""),
)
MIN_PER_CLASS = 2

# Named hubs: (key, class, label, synonyms). Each is the most popular entity of its class.
HUBS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("drug_hub", "Drug", "hub drug", ("HD-1", "hubdrug hydrochloride")),
    ("inflammation_hub", "BiologicalProcess", "inflammation", ("inflammatory response", "neuroinflammation")),
    ("depression_hub", "Disease", "depression", ("depressive disorder", "major depression")),
)
HUB_PAIRS: tuple[tuple[str, str], ...] = (("drug_hub", "depression_hub"), ("inflammation_hub", "depression_hub"))

_CHEM = ("Drug", "Metabolite", "Neurotransmitter")
_MECH = ("Drug", "Neurotransmitter", "Metabolite", "Receptor", "BiologicalProcess")
_TARGET = ("Neurotransmitter", "Metabolite", "Receptor", "BiologicalProcess")
_PHENO = ("Symptom", "PhenotypicFeature", "AdverseEffect", "Disease")
_GENERIC_S = ("Drug", "Receptor", "BiologicalProcess", "Neurotransmitter", "Metabolite", "Behavior")
_CORR_S = ("Metabolite", "Neurotransmitter", "PhenotypicFeature", "Symptom")
_CORR_O = ("Metabolite", "Neurotransmitter", "Symptom", "PhenotypicFeature", "Disease")
_GENERIC_O = ("BiologicalProcess", "Receptor", "Neurotransmitter", "Metabolite", "PhenotypicFeature", "Symptom")

# Predicates: weight (share of statements, in %) and rows of (subject classes, object classes, weight).
Row = tuple[tuple[str, ...], tuple[str, ...], float]
PREDICATES: dict[str, tuple[float, tuple[Row, ...]]] = {
    # causal
    "increases": (
        16,
        (
            (_MECH, _TARGET, 6),
            (("BiologicalProcess", *_TARGET[:3], "Disease"), _PHENO, 2),
            (("Behavior", "RiskFactor"), ("BiologicalProcess", "Metabolite", "Neurotransmitter"), 1),
        ),
    ),
    "decreases": (
        13,
        (
            (_MECH, _TARGET, 6),
            (("BiologicalProcess", *_TARGET[:3], "Disease"), _PHENO, 2),
            (("Behavior", "RiskFactor"), ("BiologicalProcess", "Metabolite", "Neurotransmitter"), 1),
        ),
    ),
    "inhibits": (6, ((_MECH, _TARGET, 1),)),
    "antagonizes": (5, ((("Drug", "Metabolite", "Neurotransmitter", "DrugClass"), ("Receptor",), 1),)),
    "causes": (
        3,
        (
            (
                ("Drug", "BiologicalProcess", "Disease", "RiskFactor"),
                ("Symptom", "AdverseEffect", "Disease", "BiologicalProcess"),
                1,
            ),
        ),
    ),
    "produces": (
        2,
        ((("Receptor", "BiologicalProcess", "AnatomicalEntity", "Drug"), ("Metabolite", "Neurotransmitter"), 1),),
    ),
    "positivelyAffects": (1, ((_GENERIC_S, _GENERIC_O, 1),)),
    "negativelyAffects": (1, ((_GENERIC_S, _GENERIC_O, 1),)),
    "affects": (1, ((_GENERIC_S, _GENERIC_O, 1),)),
    # clinical
    "treats": (
        8,
        ((("Drug", "DrugClass", "TreatmentRegimen", "Behavior"), ("Disease", "Symptom", "PhenotypicFeature"), 1),),
    ),
    "relieves": (
        4,
        ((("Drug", "TreatmentRegimen", "Behavior"), ("Symptom", "PhenotypicFeature", "AdverseEffect"), 1),),
    ),
    "hasSymptom": (8, ((("Disease",), ("Symptom", "PhenotypicFeature"), 1),)),
    "riskFactorFor": (5, ((("RiskFactor", "Behavior", "Disease", "Metabolite"), ("Disease",), 1),)),
    "hasAdverseEffect": (6, ((("Drug", "DrugClass", "TreatmentRegimen"), ("AdverseEffect", "Symptom"), 1),)),
    # associative
    "associatedWith": (
        5,
        (
            (
                ("Metabolite", "Neurotransmitter", "Receptor", "Disease", "Symptom", "RiskFactor"),
                ("Disease", "Symptom", "BiologicalProcess", "Metabolite", "AnatomicalEntity"),
                1,
            ),
        ),
    ),
    "positivelyCorrelatedWith": (
        1.5,
        ((_CORR_S, _CORR_O, 1),),
    ),
    "negativelyCorrelatedWith": (
        1,
        ((_CORR_S, _CORR_O, 1),),
    ),
    "relatedTo": (0.5, (((*_GENERIC_S, "Disease"), (*_GENERIC_O, "Disease", "AnatomicalEntity"), 1),)),
    # structural
    "isA": (
        2,
        (
            (("Drug",), ("DrugClass",), 3),
            (("Disease",), ("Disease",), 1),
            (("Symptom",), ("PhenotypicFeature",), 1),
            (("BiologicalProcess",), ("BiologicalProcess",), 1),
        ),
    ),
    "partOf": (
        2,
        (
            (("AnatomicalEntity",), ("AnatomicalEntity",), 1),
            (("BiologicalProcess",), ("BiologicalProcess",), 1),
            (("Receptor",), ("AnatomicalEntity",), 1),
        ),
    ),
    "locatedIn": (
        3,
        ((("Receptor", "Neurotransmitter", "Metabolite", "BiologicalProcess"), ("AnatomicalEntity",), 1),),
    ),
    "precursorOf": (2, ((_CHEM, ("Metabolite", "Neurotransmitter"), 1),)),
    "administeredVia": (1, ((("Drug", "TreatmentRegimen"), ("RouteOfAdministration",), 1),)),
}

# Statement statuses: cumulative thresholds of a uniform draw.
DISPUTED, HEDGED, NEGATED = 0.03, 0.007, 0.003
CONFLICT_SHARE = 0.35  # of disputed statements, this share names the statement they conflict with
QUALIFIED = 0.12  # share of statements with qualifiers
EVIDENCE_WEIGHTS = (45, 30, 15, 10)  # 1, 2, 3, 4 evidence items

SOURCE_KINDS = ("journal article", "review", "clinic web article", "blog article", "case report")
TOPICS = ("mechanisms", "clinical outcomes", "pharmacology", "biomarkers", "adverse events", "neurobiology")
TEMPLATES = (
    "{S} {phrase} {o} in the synthetic cohort of study {n}.",
    "We observed that {s} {phrase} {o} (synthetic finding {n}).",
    "Taken together, these synthetic data show that {s} {phrase} {o}.",
    "In animal models, {s} {phrase} {o}; the effect was dose dependent (synthetic experiment {n}).",
    "{S} {phrase} {o}, as reported in synthetic trial {n}.",
)
HEDGES = (
    "It is possible that {s} {phrase} {o} (synthetic hypothesis {n}).",
    "{S} may be one reason why {o} changes, though this remains to be shown (synthetic note {n}).",
)
NEGATIONS = ("In synthetic study {n}, {s} did not change {o}, contrary to earlier reports.",)


@dataclass
class Summary:
    """What one generation run wrote."""

    seed: int
    statements: int
    entities: int
    sources: int
    evidence: int
    files: list[str] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    by_predicate: dict[str, int] = field(default_factory=dict)


def parse_size(text: str) -> int:
    """'1k', '10k', '100k' or an integer (also '2k', '1.5k', '1m') → number of statements."""
    t = text.strip().lower().replace("_", "")
    if t in SIZES:
        return SIZES[t]
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", t)
    if not m:
        raise ValueError(f"size {text!r} is not 1k, 10k, 100k or a number of statements")
    n = int(float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2)])
    if n < 1:
        raise ValueError("size must be at least 1 statement")
    return n


def size_label(n: int) -> str:
    """100000 → '100k', 1500 → '1500'."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


class _Picker:
    """Weighted choice over a fixed list of keys: a power law mixed with a uniform share."""

    def __init__(self, keys: list[str], weights: list[float]) -> None:
        self.keys = keys
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> str:
        """One key."""
        if rng.random() < UNIFORM:
            return self.keys[rng.randrange(len(self.keys))]
        return self.keys[min(bisect.bisect_right(self.cum, rng.random() * self.total), len(self.keys) - 1)]


def _class_sizes(n_entities: int) -> dict[str, int]:
    """Entities per class, by share, at least MIN_PER_CLASS each."""
    total_share = sum(c[3] for c in CLASSES)
    return {c[0]: max(MIN_PER_CLASS, round(n_entities * c[3] / total_share)) for c in CLASSES}


def _curie(scheme: str, index: int) -> str:
    """A well-formed, clearly synthetic identifier of a scheme (unique per entity index)."""
    if scheme == "CHEBI":
        return f"CHEBI:{900000 + index}"
    if scheme == "NCIT":
        return f"NCIT:C{9000000 + index}"
    if scheme == "MESH":
        return f"MESH:D{9000000 + index}"
    return f"{scheme}:{9000000 + index:07d}"


def _entities(rng: random.Random, n_entities: int) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Entity records and, per class, its keys from most to least popular."""
    records: list[dict[str, Any]] = []
    by_class: dict[str, list[str]] = {}
    hubs = {cls: (key, label, syns) for key, cls, label, syns in HUBS}
    sizes = _class_sizes(n_entities)
    index = 0
    for cls, prefix, word, _, scheme in CLASSES:
        keys = by_class.setdefault(cls, [])
        n = sizes[cls]
        if cls in hubs:
            key, label, syns = hubs[cls]
            rec: dict[str, Any] = {"key": key, "label": label, "type": cls, "synonyms": list(syns)}
            if scheme:
                rec["ids"] = [_curie(scheme, index)]
            rec["definition"] = f"A synthetic hub {word}: many synthetic statements are about it."
            records.append(rec)
            keys.append(key)
            index += 1
            n -= 1
        for i in range(1, n + 1):
            key = f"{prefix}_{i}"
            rec = {"key": key, "label": f"{word} {i}", "type": cls}
            r = rng.random()
            if r < 0.3:
                abbr = "".join(w[0] for w in word.split()).upper()
                rec["synonyms"] = [f"{abbr}{i}"] + ([f"{word}-{i} variant"] if r < 0.1 else [])
            if scheme and rng.random() < 0.4:
                curie = _curie(scheme, index)
                rec["ids"] = (
                    [curie] if rng.random() < 0.8 else [{"curie": curie, "match": "close", "checked": "synthetic"}]
                )
            if rng.random() < 0.5:
                rec["definition"] = f"A synthetic {word} made for benchmarks (number {i})."
            records.append(rec)
            keys.append(key)
            index += 1
    return records, by_class


def _popularity(n: int, hub: bool, alpha: float = ALPHA) -> list[float]:
    """Zipf weights for ranks 0..n-1, normalized to sum 1; a named hub at rank 0 gets a boost."""
    w = [1.0 / (r + 1) ** alpha for r in range(n)]
    if hub and n:
        w[0] *= HUB_BOOST
    total = sum(w)
    return [x / total for x in w]


def _pickers(by_class: dict[str, list[str]], vocab) -> dict[str, list[tuple[str, _Picker, _Picker, float]]]:
    """Per predicate: (rows of subject picker, object picker, weight), restricted to the predicate's domain/range."""
    hub_classes = {cls for _, cls, _, _ in HUBS}
    share = {c[0]: c[3] for c in CLASSES}
    weights = {cls: _popularity(len(keys), cls in hub_classes) for cls, keys in by_class.items()}
    cache: dict[tuple[str, ...], _Picker] = {}

    def picker(classes: tuple[str, ...]) -> _Picker:
        if classes not in cache:
            keys: list[str] = []
            ws: list[float] = []
            for cls in classes:
                keys += by_class[cls]
                ws += [share[cls] * w for w in weights[cls]]
            cache[classes] = _Picker(keys, ws)
        return cache[classes]

    def allowed(classes: tuple[str, ...], accepted: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(c for c in classes if c in by_class and (not accepted or any(vocab.is_a(c, a) for a in accepted)))

    out: dict[str, list[tuple[str, _Picker, _Picker, float]]] = {}
    for name, (_, rows) in PREDICATES.items():
        pred = vocab.predicates.get(name)
        if pred is None:
            continue  # the ontology no longer has it
        kept = []
        for subj, obj, w in rows:
            s, o = allowed(subj, pred.domain), allowed(obj, pred.range)
            if s and o:
                kept.append((name, picker(s), picker(o), w))
        if kept:
            out[name] = kept
    return out


def _qualifiers(rng: random.Random, predicate: str, anatomy: _Picker) -> dict[str, Any]:
    """One or two plausible qualifiers for a statement of `predicate`."""
    q: dict[str, Any] = {}
    if predicate == "hasSymptom":
        q["prevalence"] = {"value": rng.randrange(5, 95), "unit": "percent"}
    elif predicate in ("treats", "relieves"):
        if rng.random() < 0.5:
            q["onset"] = (
                {"text": "within hours"} if rng.random() < 0.5 else {"max": rng.randrange(1, 6), "unit": "hour"}
            )
        else:
            q["dose"] = {"value": round(rng.uniform(0.1, 2.0), 2), "unit": "mg/kg"}
        if rng.random() < 0.3:
            lo = rng.randrange(1, 4)
            q["duration"] = {"min": lo, "max": lo + rng.randrange(1, 4), "unit": "week"}
    elif predicate == "hasAdverseEffect":
        q["frequency"] = {"text": rng.choice(("common", "rare", "very common"))}
        if rng.random() < 0.3:
            q["prevalence"] = {"value": rng.randrange(1, 40), "unit": "percent", "approximate": True}
    elif predicate == "riskFactorFor":
        q["population"] = {"text": rng.choice(("adults", "adolescents", "adults over 65", "women"))}
    else:
        if rng.random() < 0.6:
            q["location"] = anatomy.pick(rng)
        else:
            q["dose"] = {"value": rng.randrange(1, 50), "unit": "mg"}
    return q


def _quote(rng: random.Random, templates: Sequence[str], s: str, phrase: str, o: str) -> str:
    """A synthetic sentence stating the claim."""
    text = rng.choice(templates).format(s=s, S=s[:1].upper() + s[1:], phrase=phrase, o=o, n=rng.randrange(1, 10_000))
    return text[:1].upper() + text[1:]


def generate_records(n_statements: int, seed: int, vocab=None) -> dict[str, list[dict[str, Any]]]:
    """The synthetic dataset as plain records: {"sources": [...], "entities": [...], "statements": [...]}."""
    if vocab is None:
        from kg.vocab import load_vocabulary

        vocab = load_vocabulary()
    rng = random.Random(seed)
    n_entities = max(40, round(2 * n_statements / DEGREE))
    entities, by_class = _entities(rng, n_entities)
    labels = {e["key"]: e["label"] for e in entities}
    n_sources = max(5, n_statements // SOURCE_SHARE)
    sources = []
    for i in range(1, n_sources + 1):
        year = rng.randrange(1995, 2025)
        date = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}" if rng.random() < 0.7 else str(year)
        sources.append(
            {
                "key": f"src_{i}",
                "title": f"Synthetic source {i}: {rng.choice(TOPICS)}",
                "file": f"src_{i}.txt",
                "kind": rng.choice(SOURCE_KINDS),
                "date": date,
            }
        )
    source_picker = _Picker([s["key"] for s in sources], _popularity(n_sources, hub=False, alpha=SOURCE_ALPHA))
    rows = _pickers(by_class, vocab)
    names = list(rows)
    pred_cum: list[float] = []
    total = 0.0
    for name in names:
        total += PREDICATES[name][0]
        pred_cum.append(total)
    anatomy = _Picker(by_class["AnatomicalEntity"], _popularity(len(by_class["AnatomicalEntity"]), hub=False))

    statements: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    by_subject: dict[str, list[str]] = {}
    by_id: dict[str, dict[str, Any]] = {}
    attempts = 0
    while len(statements) < n_statements:
        attempts += 1
        if attempts > 50 * n_statements + 1000:
            raise ValueError(f"cannot place {n_statements} distinct statements among {len(entities)} entities")
        name = names[min(bisect.bisect_right(pred_cum, rng.random() * total), len(names) - 1)]
        options = rows[name]
        row = options[0] if len(options) == 1 else rng.choices(options, weights=[r[3] for r in options])[0]
        s, o = row[1].pick(rng), row[2].pick(rng)
        if s == o or (s, name, o) in seen:
            continue
        seen.add((s, name, o))
        sid = f"{s}-{name}-{o}"
        rec: dict[str, Any] = {"subject": s, "predicate": name, "object": o}
        r = rng.random()
        templates: Sequence[str] = TEMPLATES
        if r < DISPUTED:
            rec["status"] = "disputed"
            rec["note"] = "Synthetic dispute: other sources report the opposite effect or no effect."
            earlier = by_subject.get(s)
            if statements and rng.random() < CONFLICT_SHARE:
                other = rng.choice(earlier) if earlier else _statement_id(statements[rng.randrange(len(statements))])
                rec["conflicts_with"] = [other]
                by_id[other].setdefault("conflicts_with", []).append(sid)  # a conflict is listed on both sides
        elif r < DISPUTED + HEDGED:
            rec["status"] = "hedged"
            templates = HEDGES
            if rng.random() < 0.5:
                rec["note"] = "Synthetic hedge: the source says 'may'."
        elif r < DISPUTED + HEDGED + NEGATED:
            rec["status"] = "negated"
            rec["note"] = "Synthetic negation: the source reports no such effect."
            templates = NEGATIONS
        if rng.random() < QUALIFIED:
            rec["qualifiers"] = _qualifiers(rng, name, anatomy)
        phrase = vocab.predicates[name].phrase
        k = rng.choices((1, 2, 3, 4), weights=EVIDENCE_WEIGHTS)[0]
        rec["evidence"] = [
            {"source": source_picker.pick(rng), "quote": _quote(rng, templates, labels[s], phrase, labels[o])}
            for _ in range(k)
        ]
        statements.append(rec)
        by_id[sid] = rec
        by_subject.setdefault(s, []).append(sid)
    return {"sources": sources, "entities": entities, "statements": statements}


def _statement_id(rec: dict[str, Any]) -> str:
    """The id the loader gives a statement without an explicit one."""
    return f"{rec['subject']}-{rec['predicate']}-{rec['object']}"


def _json_doc(section: str, records: list[dict[str, Any]]) -> str:
    """A JSON data file with one record per line (diff-friendly, deterministic)."""
    body = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in records)
    return f'{{"{section}": [\n{body}\n]}}\n'


def _yaml_doc(section: str, records: list[dict[str, Any]]) -> str:
    """A YAML data file like the curators' ones."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump({section: records}, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120)


def _clear(out: Path) -> None:
    """Remove files a previous generation run wrote into `out` (and nothing else)."""
    for ext in ("json", "yaml"):
        for name in ("sources", "entities"):
            (out / f"{name}.{ext}").unlink(missing_ok=True)
        for p in (out / "statements").glob(f"statements-*.{ext}"):
            p.unlink()
    stmt_dir = out / "statements"
    if stmt_dir.is_dir() and not any(stmt_dir.iterdir()):
        shutil.rmtree(stmt_dir)


def generate(out: Path, n_statements: int, seed: int = 42, fmt: str = "json", vocab=None) -> Summary:
    """Write a synthetic dataset of `n_statements` statements into the data directory `out`."""
    if fmt not in ("json", "yaml"):
        raise ValueError(f"format must be json or yaml, not {fmt!r}")
    data = generate_records(n_statements, seed, vocab)
    out.mkdir(parents=True, exist_ok=True)
    _clear(out)
    dump = _json_doc if fmt == "json" else _yaml_doc
    files = [out / f"sources.{fmt}", out / f"entities.{fmt}"]
    files[0].write_text(dump("sources", data["sources"]), encoding="utf-8")
    files[1].write_text(dump("entities", data["entities"]), encoding="utf-8")
    sts = data["statements"]
    (out / "statements").mkdir(exist_ok=True)
    for part, start in enumerate(range(0, len(sts), FILE_LIMIT), 1):
        path = out / "statements" / f"statements-{part:03d}.{fmt}"
        path.write_text(dump("statements", sts[start : start + FILE_LIMIT]), encoding="utf-8")
        files.append(path)
    by_status: dict[str, int] = {}
    by_predicate: dict[str, int] = {}
    for st in sts:
        by_status[st.get("status", "asserted")] = by_status.get(st.get("status", "asserted"), 0) + 1
        by_predicate[st["predicate"]] = by_predicate.get(st["predicate"], 0) + 1
    return Summary(
        seed=seed,
        statements=len(sts),
        entities=len(data["entities"]),
        sources=len(data["sources"]),
        evidence=sum(len(st["evidence"]) for st in sts),
        files=[str(f.relative_to(out)) for f in files],
        by_status=dict(sorted(by_status.items())),
        by_predicate=dict(sorted(by_predicate.items(), key=lambda kv: -kv[1])),
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one dataset and print what was written."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1k", help="1k, 10k, 100k or a number of statements (default 1k)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--out", type=Path, required=True, help="data directory to write")
    ap.add_argument("--format", choices=("json", "yaml"), default="json", help="file format (default json)")
    args = ap.parse_args(argv)
    try:
        n = parse_size(args.size)
    except ValueError as exc:
        ap.error(str(exc))
    summary = generate(args.out, n, args.seed, args.format)
    print(
        f"wrote {summary.statements} statements, {summary.entities} entities, {summary.sources} sources, "
        f"{summary.evidence} evidence items into {args.out} ({len(summary.files)} files)"
    )
    print("status: " + ", ".join(f"{k} {v}" for k, v in summary.by_status.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
