"""The terminal review of `kg review`: one candidate at a time, keys to accept, edit, reject, skip, undo, quit."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass

from kg.model import STATUSES, Dataset, Vocabulary
from kg.review import relation_to_graph

KEYS = "[a]ccept [e]dit [r]eject [s]kip [u]ndo [q]uit"
EDIT_KEYS = "edit: [p]redicate [t]status [s]ubject [o]bject [q]ualifiers [n]ote [d]one"


@dataclass
class Terminal:
    """How the loop talks: a key or a line in, text out, and whether to colour (a real terminal) or bracket."""

    key: Callable[[str], str]
    line: Callable[[str], str]
    out: Callable[[str], None]
    colour: bool = False


def highlight(sentence: str, words: list[str], colour: bool) -> str:
    """The sentence with the matched words marked: bold yellow on a terminal, [brackets] otherwise."""
    spans = []
    for w in sorted({w for w in words if w.strip()}, key=len, reverse=True):
        for m in re.finditer(re.escape(w), sentence, flags=re.IGNORECASE):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                spans.append((m.start(), m.end()))
    out, pos = [], 0
    for a, b in sorted(spans):
        out.append(sentence[pos:a])
        out.append(f"\x1b[1;33m{sentence[a:b]}\x1b[0m" if colour else f"[{sentence[a:b]}]")
        pos = b
    return "".join(out) + sentence[pos:]


def describe(st: dict, data: Dataset, vocab: Vocabulary, new_entities: dict, colour: bool) -> list[str]:
    """A candidate as the reviewer sees it: the claim in words, its sentence, why, and how it meets the graph."""

    def name(key: str) -> str:
        if key in data.entities:
            return data.entities[key].label
        e = new_entities.get(key)
        return f"{e['label']} (new {e['type']})" if e else f"{key} (unknown)"

    pred = vocab.predicates.get(st["predicate"])
    phrase = pred.phrase if pred else st["predicate"]
    status = st.get("final_status") or st.get("proposed_status", "asserted")
    sign = {1: "+", -1: "−", 0: "no sign"}[pred.sign] if pred else "?"
    denied = " (the text denies it)" if status == "negated" else ""
    lines = [
        f"{st['id']}  confidence {st['confidence']:.2f}  status if accepted: {status}",
        f"  claim{denied}: {name(st['subject'])} {phrase} {name(st['object'])}   ({st['predicate']}, {sign})",
    ]
    for e in st["evidence"]:
        lines.append(f'  "{highlight(e["quote"], st.get("words") or [], colour)}"')
    lines.append(f"  why: {st.get('reason', '')}")
    if st.get("qualifiers"):
        lines.append("  qualifiers: " + ", ".join(f"{k}: {v}" for k, v in st["qualifiers"].items()))
    if st.get("note"):
        lines.append(f"  note: {st['note']}")
    rel = relation_to_graph(st, data, vocab)
    if rel is not None and rel.kind == "duplicate":
        lines.append(f"  RESTATES {rel.statement.id}: accepting adds this quote to its evidence")
    elif rel is not None:
        lines.append(f"  CONFLICT with {rel.statement.id} ({rel.why}); its quote(s):")
        lines += [f'    {e.source}: "{e.quote}"' for e in rel.statement.evidence[:3]]
    return lines


def run(review: dict, data: Dataset, vocab: Vocabulary, term: Terminal, save: Callable[[], None]) -> str:
    """Go through the pending candidates (then the skipped ones); returns 'done' or 'quit'. State is saved after
    every decision, so a review can stop and resume."""
    from kg.resolve import Resolver

    review.setdefault("entities", [])
    new_entities = {e["key"]: e for e in review["entities"]}
    names = Resolver(_names(data))
    order = [st for st in review["statements"] if st["decision"] == "pending"]
    order += [st for st in review["statements"] if st["decision"] == "skipped"]
    history: list[tuple[int, dict]] = []
    i = 0
    total = len(order)
    while i < total:
        st = order[i]
        term.out("")
        term.out(f"[{i + 1}/{total}] " + "\n".join(describe(st, data, vocab, new_entities, term.colour)))
        key = term.key(f"{KEYS} ? ")
        if key in ("a", "r", "s"):
            history.append((i, copy.deepcopy(st)))
            st["decision"] = {"a": "accepted", "r": "rejected", "s": "skipped"}[key]
            save()
            term.out(f"  → {st['decision']}")
            i += 1
        elif key == "e":
            history.append((i, copy.deepcopy(st)))
            _edit(st, data, vocab, new_entities, names, term)
            known = {e["key"] for e in review["entities"]}
            review["entities"] += [e for k, e in new_entities.items() if k not in known]
            save()
        elif key == "u":
            if not history:
                term.out("  nothing to undo")
                continue
            i, before = history.pop()
            order[i].clear()
            order[i].update(before)
            save()
            term.out(f"  undone: {order[i]['id']} is {order[i]['decision']} again")
        elif key in ("q", ""):
            save()
            return "quit"
        else:
            term.out(f"  keys: {KEYS}")
    return "done"


def _names(data: Dataset):
    """A name index of a dataset (what the edit keys resolve subject and object names with)."""
    from kg.resolve import NameIndex, normalize

    exact: dict[str, dict[str, tuple[str, str]]] = {}

    for ent in data.entities.values():
        for how, text in [("key", ent.key), ("label", ent.label)] + [("synonym", s) for s in ent.synonyms]:
            exact.setdefault(normalize(text), {}).setdefault(ent.key, (how, text))
    by_curie = {x.curie.casefold(): e.key for e in data.entities.values() for x in e.xrefs}
    return NameIndex(exact, by_curie, {k: e.label for k, e in data.entities.items()}, {})


def _edit(st: dict, data: Dataset, vocab: Vocabulary, new_entities: dict, names, term: Terminal) -> None:
    """Change the predicate, status, entities, qualifiers or note of a candidate."""
    from kg.errors import KGError

    while True:
        key = term.key(f"{EDIT_KEYS} ? ")
        if key in ("d", ""):
            return
        if key == "p":
            value = term.line(f"predicate ({st['predicate']}): ").strip()
            if value in vocab.predicates:
                st["predicate"] = value
            elif value:
                term.out(f"  unknown predicate; one of: {', '.join(vocab.predicates)}")
        elif key == "t":
            value = term.line(f"status ({', '.join(STATUSES)}): ").strip()
            if value in STATUSES:
                st["final_status"] = value
            elif value:
                term.out(f"  not a status; one of: {', '.join(STATUSES)}")
        elif key in ("s", "o"):
            role = "subject" if key == "s" else "object"
            value = term.line(f"{role} (a name, or new:Label:Type): ").strip()
            if value.startswith("new:"):
                _, label, typ = [*value.split(":", 2), "", ""][:3]
                if typ not in vocab.classes or not label:
                    term.out(f"  give new:Label:Type, with a type of: {', '.join(vocab.classes)}")
                    continue
                ent_key = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")
                new_entities[ent_key] = {"key": ent_key, "label": label, "type": typ, "status": "candidate",
                                         "surface": label, "reason": "named by the curator"}  # fmt: skip
                st[role] = ent_key
                continue
            try:
                st[role] = names.resolve(value).key
            except KGError as exc:
                term.out(f"  {exc}")
        elif key == "q":
            value = term.line("qualifiers as YAML, e.g. {onset: {value: 4, unit: hour}} (empty: none): ").strip()
            _set_qualifiers(st, value, term)
        elif key == "n":
            st["note"] = term.line("note: ").strip()
        else:
            term.out(f"  {EDIT_KEYS}")
        term.out("  now: " + "\n".join(describe(st, data, vocab, new_entities, term.colour)[:2]))


def _set_qualifiers(st: dict, value: str, term: Terminal) -> None:
    import yaml

    from kg.load import _Bad, _qualifier

    if not value:
        st.pop("qualifiers", None)
        return
    try:
        quals = yaml.safe_load(value)
        if not isinstance(quals, dict):
            raise _Bad("qualifiers must be a mapping")
        for k, v in quals.items():
            _qualifier(k, v)
    except (yaml.YAMLError, _Bad) as exc:
        term.out(f"  not taken: {str(exc).splitlines()[0]}")
        return
    st["qualifiers"] = quals
