"""The guided tour: a `how` answer's chains as steps a newcomer can follow, one claim at a time, in plain words.

Everything comes from the same report `kg how -f json` prints (kg.explain.how_report) and follows its rules:
the verdict rests only on undisputed chains; a hedged, speculative, inferred or disputed step says so in words;
a disputed chain is shown and never presented as the answer. The sentences are generated from the entities'
plain definitions (data/entities: `plain:`), the predicates' phrases and signs, and the glossary — nothing is
written per hop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kg.glossary import load_glossary, lookup
from kg.graph import KnowledgeGraph

if TYPE_CHECKING:
    from kg.paths import HowAnswer
    from kg.resolve import Resolution

# Entity types read as count nouns ("the NMDA receptor"); the rest are mass nouns ("glutamate", "depression").
COUNT_NOUN_TYPES = ("Receptor", "AnatomicalEntity", "RouteOfAdministration")
# Entity types whose *activity* goes up or down, rather than their amount.
ACTIVITY_TYPES = ("Receptor",)
MORE = {1: "more", -1: "less", 0: "a change in"}
EFFECT_WORD = {1: "increases", -1: "decreases", 0: "changes (direction unknown)"}
# How sure a step is, in a few words (on the page the status word explains itself from the glossary).
STEP_STATUS = {
    "hedged": ("Hedged", "the document says it with some doubt ('may', 'can', 'is believed to')"),
    "speculative": ("Speculative", "the document offers it only as an idea still to be proven"),
    "inferred": ("Inferred", "not a document's own claim: the curator's reading of what the documents say"),
    "disputed": ("Disputed", "another document, or what is known about the drug, contradicts it; shown, never counted"),
}
CHAIN_SUPPORT = {
    "asserted": "every step is stated plainly in the documents",
    "hedged": "at least one step is said only with some doubt (hedged), so the chain as a whole is hedged",
    "speculative": "at least one step is only a hypothesis (speculative)",
    "inferred": "at least one step is the curator's reading, not a document's own claim (inferred)",
    "disputed": "it runs through a disputed claim, so it is shown but never counted as support",
}


def default_pair(graph: KnowledgeGraph) -> tuple[str, str] | None:
    """Where a tour starts when none is asked for: the drug with the most claims, to the condition it is most
    often quoted as treating (ketamine → depression in the embedded data); None when there is no such pair."""
    drugs = [k for k, e in graph.entities.items() if graph.vocab.is_a(e.type, "Drug")]
    if not drugs:
        return None
    drug = max(drugs, key=lambda k: (len(graph.out_edges.get(k, ())), k))
    treated: dict[str, int] = {}
    for st in graph.outgoing(drug):
        if "treats" in graph.vocab.predicate_ancestors(st.predicate) and st.status not in ("disputed", "negated"):
            treated[st.object] = treated.get(st.object, 0) + len(st.evidence)
    if not treated:
        return None
    return drug, max(treated, key=lambda k: (treated[k], k))


def first_sentence(text: str) -> str:
    """The first sentence of a text, without its full stop."""
    m = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return (m.group(1) if m else text.strip()).rstrip(".")


def gloss(graph: KnowledgeGraph, key: str) -> str:
    """The entity's plain definition as an appositive ('a "door" on brain cells …'), '' when it has none."""
    plain = first_sentence(graph.entities[key].plain)
    if not plain:
        return ""
    first = plain.split(" ", 1)[0]
    if first[:1].isupper() and (first in ("A", "An", "The") or first[1:].islower()):
        plain = plain[0].lower() + plain[1:]
    return plain


def name(graph: KnowledgeGraph, key: str, capital: bool = False) -> str:
    """How a sentence names an entity: 'the NMDA receptor', 'glutamate'."""
    ent = graph.entities[key]
    text = f"the {ent.label}" if any(graph.vocab.is_a(ent.type, t) for t in COUNT_NOUN_TYPES) else ent.label
    return text[0].upper() + text[1:] if capital else text


def amount(graph: KnowledgeGraph, key: str) -> str:
    """What goes up or down: 'NMDA receptor activity', 'glutamate'."""
    ent = graph.entities[key]
    return f"{ent.label} activity" if any(graph.vocab.is_a(ent.type, t) for t in ACTIVITY_TYPES) else ent.label


def _rule(graph: KnowledgeGraph, hop: dict, before: int, index: int) -> str:
    """Why the running effect is what it is after this step, in words (two decreases make an increase)."""
    sign, a, b = hop["sign"], amount(graph, hop["from"]), amount(graph, hop["to"])
    if index == 0:
        return ""
    if sign == 0 or before == 0:
        return "The documents do not say which way this step goes, so from here on the direction is unknown."
    if sign > 0:
        return f"An increase passes the change on as it is: {MORE[before]} {a} means {MORE[before]} {b}."
    if before < 0:
        return f"Two decreases make an increase: less {a} means more {b}."
    return f"A decrease turns the change around: more {a} means less {b}."


def _status_text(hop: dict) -> str:
    status = hop["status"]
    if status == "asserted":
        n = len({e["source"] for e in hop["evidence"]})
        return f"Stated plainly by {n} document{'s' if n != 1 else ''}."
    word, says = STEP_STATUS.get(status, (status.capitalize(), ""))
    return f"{word} — {says}" if says else word


def _terms(graph: KnowledgeGraph, hop: dict, index: int, seen: set[str]) -> list[str]:
    """Glossary words a step uses for the first time in its chain: entity types, the entities, status, sign."""
    words = []
    for key in (hop["from"], hop["to"]) if index == 0 else (hop["to"],):
        ent = graph.entities[key]
        cls = graph.vocab.classes.get(ent.type)
        words += [ent.label, cls.label if cls else ent.type]
    words.append(EFFECT_WORD[hop["sign"]] if hop["sign"] else "no direction stated")
    if index == 1:
        words.append("net effect")
    if hop["status"] != "asserted":
        words.append(hop["status"])
    if hop.get("sign_basis"):
        words.append("sign by reading")
    out = []
    for w in words:
        term = lookup(w)
        if term and term.term not in seen:
            seen.add(term.term)
            out.append(term.term)
    return out


def _step(graph: KnowledgeGraph, hop: dict, index: int, before: int, seen: set[str], subject: str) -> dict:
    sign = hop["sign"]
    after = before * sign
    sources = graph.data.sources
    appositive = gloss(graph, hop["to"])
    phrase = graph.vocab.predicates[hop["predicate"]].phrase
    sentence = f"{name(graph, hop['from'], capital=True)} {phrase} {name(graph, hop['to'])}"
    a, b = amount(graph, hop["from"]), amount(graph, hop["to"])
    if sign:
        meaning = f"More {a} means {MORE[sign]} {b}."
    else:
        meaning = f"{a[0].upper() + a[1:]} changes {b}, but the documents do not say which way."
    return {
        "from": hop["from"],
        "to": hop["to"],
        "statement": hop["id"],
        "sign": sign,
        "status": hop["status"],
        "claim": hop["sentence"],
        "sentence": f"{sentence} — {appositive}." if appositive else f"{sentence}.",
        "said": sentence,  # the claim alone; `sentence` adds what the new entity is
        "gloss": appositive,
        "meaning": meaning,
        "net": EFFECT_WORD[after] if after else "unknown",
        "netSign": after,
        "rule": _rule(graph, hop, before, index),
        "netText": f"So far, {graph.entities[subject].label} {EFFECT_WORD[after] if after else 'changes'} "
        f"{name(graph, hop['to'])}" + ("." if after else ", in a direction the documents do not give."),
        "statusText": _status_text(hop),
        "note": hop["note"] if hop["status"] != "asserted" else "",
        "signBasis": hop.get("sign_basis") or "",
        "quotes": [
            {
                "quote": e["quote"],
                "source": e["source"],
                "title": e["title"],
                "file": sources[e["source"]].file if e["source"] in sources else "",
            }
            for e in hop["evidence"]
        ],
        "terms": _terms(graph, hop, index, seen),
    }


def _chain(graph: KnowledgeGraph, path: dict, rank: int) -> dict:
    subject = path["nodes"][0]
    steps, running, seen = [], 1, set()
    for j, hop in enumerate(path["hops"]):
        steps.append(_step(graph, hop, j, running, seen, subject))
        running *= hop["sign"]
    line = [f"more {amount(graph, subject)}"]
    for step in steps:
        line.append(f"{MORE[step['netSign']]} {amount(graph, step['to'])}")
    clinical = len(path["hops"]) == 1 and graph.vocab.predicates[path["hops"][0]["predicate"]].kind == "clinical"
    if path["disputed"]:
        title = "A disputed chain"
    elif path["mechanism"]:
        title = "The molecular mechanism: where the drug acts, step by step"
    elif clinical:
        title = "The direct clinical link"
    else:
        title = "Another chain"
    return {
        "rank": rank,
        "title": title,
        "nodes": path["nodes"],
        "labels": path["labels"],
        "edges": [h["id"] for h in path["hops"]],
        "effect": path["effect"],
        "support": path["support"],
        "disputed": path["disputed"],
        "mechanism": path["mechanism"],
        "supportText": CHAIN_SUPPORT.get(path["support"], ""),
        "line": " → ".join(line),
        "steps": steps,
    }


def tour_data(graph: KnowledgeGraph, answer: HowAnswer, resolutions: Sequence[Resolution] = ()) -> dict:
    """The tour of a `how` answer with chains: the documents' molecular mechanism first, then the other undisputed
    chains by rank, then disputed ones; each chain as steps with sentence, running effect, status and quotes."""
    from kg.explain import DISPUTED_TEXT, SUPPORT_TEXT, headline, how_report

    report = how_report(graph, answer, list(resolutions))
    paths = report["paths"]
    order = sorted(range(len(paths)), key=lambda i: (paths[i]["disputed"], not paths[i]["mechanism"], i))
    chains = [_chain(graph, paths[i], i + 1) for i in order]
    s, o = report["subject"], report["object"]
    s_label, o_label = s["label"], o["label"]
    if report["code"] == "disputed-only":
        verdict = (
            f"no undisputed link from {s_label} to {o_label}: every chain runs through a claim "
            f"{DISPUTED_TEXT.removeprefix('only through ')}"
        )
        lead = (
            f"The documents give {verdict}. The tour shows these chains so that you can see why; they are not the "
            "answer."
        )
    else:
        effect = report["effect"]
        verdict = f"{s_label} {effect} {o_label}"
        if effect == "mixed":
            verdict = f"mixed: some chains say {s_label} increases {o_label}, others that it decreases it"
        verdict += f" — {SUPPORT_TEXT[report['support']]}" if report.get("support") in SUPPORT_TEXT else ""
        lead = f"The documents' answer: {verdict}."
    first = chains[0] if chains else None
    plan = ""
    if first:
        what = first["title"].split(":")[0]
        what = what[0].lower() + what[1:]
        plan = f"This tour walks through {what} one claim at a time: {' → '.join(first['labels'])}."
        if len(chains) > 1:
            plan += f" At the end you can explore the {len(chains) - 1} other chain{'s' if len(chains) > 2 else ''}."
    return {
        "subject": s["key"],
        "object": o["key"],
        "question": f"How does {s_label} affect {o_label}?",
        "code": report["code"],
        "effect": report["effect"],
        "support": report["support"],
        "answer": headline(report),
        "verdict": verdict,
        "lead": lead,
        "plan": plan,
        "ends": [{"key": e["key"], "label": e["label"], "plain": graph.entities[e["key"]].plain} for e in (s, o)],
        "resolved": [r.describe() for r in resolutions if not r.obvious],
        "chains": chains,
    }


def glossary_data() -> list[dict]:
    """The glossary as the pages embed it."""
    return [t.to_dict() for t in load_glossary()]
