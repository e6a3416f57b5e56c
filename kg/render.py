"""Plain-text renderings of library results for the terminal (stable when piped)."""

from __future__ import annotations

import textwrap

from kg.describe import EntityCard, StatementView

SIGN = {1: "+", -1: "−", 0: "·"}


def statement_lines(v: StatementView, indent: str = "    ") -> list[str]:
    """A statement with its sign, status, qualifiers and quotes, one fact per line."""
    flag = "" if v.status == "asserted" else f" [{v.status.upper()}]"
    lines = [f"{indent}({SIGN[v.sign]}) {v.sentence}{flag}   <{v.id}>"]
    if v.qualifiers:
        lines.append(f"{indent}    qualifiers: {'; '.join(v.qualifiers)}")
    if v.note:
        lines += textwrap.wrap(
            f"note: {v.note}", 96, initial_indent=indent + "    ", subsequent_indent=indent + "      "
        )
    for e in v.evidence:
        lines += textwrap.wrap(
            f"“{e['quote']}” — {e['title']}", 96, initial_indent=indent + "    ", subsequent_indent=indent + "      "
        )
    if v.conflicts_with:
        lines.append(f"{indent}    conflicts with: {', '.join(v.conflicts_with)}")
    return lines


def card_text(card: EntityCard) -> str:
    """The entity card as text."""
    ids = ", ".join(f"{i['curie']}{'' if i['match'] == 'exact' else ' (close)'}" for i in card.ids) or "none"
    lines = [
        f"{card.label}  [{card.type}, {card.category}]  key: {card.key}",
        f"  ids:       {ids}",
        f"  synonyms:  {', '.join(card.synonyms) or 'none'}",
    ]
    lines += textwrap.wrap(
        card.definition or "(no definition)", 96, initial_indent="  definition: ", subsequent_indent="              "
    )
    for title, items in (("out", card.outgoing), ("in", card.incoming)):
        lines.append(f"\n  statements {title} ({len(items)}):")
        for v in items:
            lines += statement_lines(v)
    return "\n".join(lines)


def _reasons(r: dict) -> str:
    return (
        f"{int(r['hops'])} hop(s), ≥{int(r['min_sources_per_hop'])} source(s) per hop, "
        f"{int(r['disputed_hops'])} disputed, {int(r['hedged_hops'])} hedged, "
        f"{int(r.get('speculative_hops', 0))} speculative, {int(r.get('inferred_hops', 0))} inferred, "
        f"hub penalty {r['hub_penalty']:g}"
    )


def chain_line(path: dict) -> str:
    """A path as one line: a ─(−) blocks→ b ─(+) increases→ c."""
    parts = [path["labels"][0]]
    for hop, label in zip(path["hops"], path["labels"][1:], strict=True):
        mark = " ⚠" if hop["status"] in ("disputed", "negated") else ""
        parts.append(f"─({SIGN[hop['sign']]}) {hop['predicate_label']}{mark}→ {label}")
    return " ".join(parts)


def how_text(report: dict) -> str:
    """The answer to `kg how` as text: effect, then each ranked path with quoted hops."""
    code = report["code"]
    if code not in ("found", "no-path"):
        return f"{report['message']} [{code}]"
    s, o = report["subject"]["label"], report["object"]["label"]
    lines = [f"{s} → {o}: {report['effect'].upper()}"]
    if code == "no-path":
        why = report["why_not"]
        lines.append(f"  no chain of causal or clinical claims leads from {s} to {o}.")
        down = ", ".join(f"{e['label']} ({e['hops']})" for e in why["subject_affects"]) or "nothing"
        up = ", ".join(f"{e['label']} ({e['hops']})" for e in why["object_affected_by"]) or "nothing"
        lines += textwrap.wrap(f"{s} affects: {down}", 100, initial_indent="  ", subsequent_indent="    ")
        lines += textwrap.wrap(f"{o} is affected by: {up}", 100, initial_indent="  ", subsequent_indent="    ")
        return "\n".join(lines)
    c = report["counts"]
    lines.append(
        f"  {c['paths']} path(s) found: {c['decreases']} decrease, {c['increases']} increase, {c['unknown']} unknown; "
        f"{c['disputed']} through disputed claims; {c['shown']} shown"
    )
    if report["limited"]:
        lines.append(f"  note: {report['limited']}")
    lines.append("  ranked by cost: 1 per hop + penalties for disputed, hedged and single-source hops and hubs;")
    lines.append("  the best chains from the subject's molecular targets are always shown")
    for i, path in enumerate(report["paths"], 1):
        tag = " — molecular mechanism" if path["mechanism"] else ""
        lines.append(f"\n{i}. {path['effect'].upper()}{tag} (cost {path['cost']:g}: {_reasons(path['reasons'])})")
        lines += textwrap.wrap(chain_line(path), 100, initial_indent="   ", subsequent_indent="      ")
        for hop in path["hops"]:
            lines += statement_lines(
                StatementView(**{k: v for k, v in hop.items() if k not in ("from", "to")}), "     "
            )
    return "\n".join(lines)


def how_markdown(report: dict) -> str:
    """The answer to `kg how` as Markdown."""
    code = report["code"]
    if code not in ("found", "no-path"):
        return f"**{code}**: {report['message']}"
    s, o = report["subject"]["label"], report["object"]["label"]
    out = [f"# How does {s} affect {o}?", "", f"**{report['effect']}**", ""]
    if code == "no-path":
        why = report["why_not"]
        out.append(f"No chain of causal or clinical claims leads from {s} to {o}.")
        out.append(f"- {s} affects: " + (", ".join(e["label"] for e in why["subject_affects"]) or "nothing"))
        out.append(f"- {o} is affected by: " + (", ".join(e["label"] for e in why["object_affected_by"]) or "nothing"))
        return "\n".join(out)
    for i, path in enumerate(report["paths"], 1):
        tag = " (molecular mechanism)" if path["mechanism"] else ""
        out += [
            f"## {i}. {path['effect']}{tag} — {' → '.join(path['labels'])}",
            "",
            f"_{_reasons(path['reasons'])}_",
            "",
        ]
        for hop in path["hops"]:
            flag = "" if hop["status"] == "asserted" else f" **[{hop['status']}]**"
            out.append(f"- ({SIGN[hop['sign']]}) {hop['sentence']}{flag}")
            out += [f"  - qualifier: {q}" for q in hop["qualifiers"]]
            out += [f"  - > {e['quote']} — *{e['title']}*" for e in hop["evidence"]]
            if hop["note"]:
                out.append(f"  - note: {hop['note']}")
        out.append("")
    return "\n".join(out)


def reach_text(report: dict) -> str:
    """`kg effects` / `kg causes` as a table: entity, type, net effect, best path."""
    ent = report["entity"]["label"]
    rows = report["results"]
    head = "effects of" if report["direction"] == "downstream" else "causes of"
    lines = [f"{head} {ent}: {len(rows)} entit{'y' if len(rows) == 1 else 'ies'}"]
    width = max([len(r["label"]) for r in rows] + [6])
    for r in rows:
        flag = " (disputed only)" if r["disputed_only"] else ""
        chain = " → ".join(r["best_path"]["labels"])
        lines.append(f"  {r['label']:<{width}}  {r['type']:<18} {r['effect'] + flag:<12}  {chain}")
    return "\n".join(lines)
