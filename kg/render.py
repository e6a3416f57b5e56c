"""Plain-text renderings of library results for the terminal (stable when piped)."""

from __future__ import annotations

import textwrap
from dataclasses import fields

from kg.describe import EntityCard, StatementView

SIGN = {1: "+", -1: "−", 0: "·"}
VIEW_FIELDS = tuple(f.name for f in fields(StatementView))


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


def resolution_lines(report: dict) -> list[str]:
    """'resolved: …' for every name that was not typed as the entity's own label or key."""
    return [f"resolved: {r['description']}" for r in report.get("resolved", []) if not r["exact"]]


def why_not_lines(report: dict) -> list[str]:
    """What links the two entities outside the counted chains, and the flag that would walk it."""
    s, o = report["subject"]["label"], report["object"]["label"]
    why = report.get("why_not") or {}
    lines: list[str] = []
    for e in why.get("no_claims", []):
        lines.append(f"  {e['label']} has no claims at all in the graph: only its name is recorded.")
    for e in why.get("only_context_claims", []):
        lines.append(f"  {e['label']} has only context claims (is a, part of, located in …), no causal step.")
    if report["code"] == "no-path" and not why.get("no_claims"):
        lines.append(
            f"  no chain of causal or clinical claims of up to {why.get('max_length', 6)} steps leads from {s} to {o}."
        )
    if why.get("associative_paths"):
        lines.append("  not counted — chains through correlations (run with --associative to walk them):")
        lines += [f"    {chain_line(p)}" for p in why["associative_paths"]]
    if why.get("disputed_paths"):
        lines.append("  not counted — chains through disputed claims (left out by --exclude-disputed):")
        lines += [f"    {chain_line(p)}" for p in why["disputed_paths"]]
    walked = why.get("associative_paths") or why.get("disputed_paths")
    if why.get("context_link") and report["code"] == "no-path" and not walked:
        chain = " · ".join(
            f"{h['sentence']} [{h['kind']}{'' if h['status'] == 'asserted' else ', ' + h['status']}]"
            for h in why["context_link"]
        )
        lines += textwrap.wrap(
            f"linked only as context (not a mechanism): {chain}", 100, initial_indent="  ", subsequent_indent="    "
        )
    if "subject_affects" in why:
        down = ", ".join(f"{e['label']} ({e['hops']})" for e in why["subject_affects"]) or "nothing"
        up = ", ".join(f"{e['label']} ({e['hops']})" for e in why["object_affected_by"]) or "nothing"
        lines += textwrap.wrap(f"{s} affects: {down}", 100, initial_indent="  ", subsequent_indent="    ")
        lines += textwrap.wrap(f"{o} is affected by: {up}", 100, initial_indent="  ", subsequent_indent="    ")
    return lines


def how_text(report: dict) -> str:
    """The answer to `kg how` as text: what the names resolved to, the verdict and what it rests on, then each
    ranked path with quoted hops."""
    from kg.explain import headline

    code = report["code"]
    if code not in ("found", "no-path", "disputed-only"):
        return f"{report['message']} [{code}]"
    lines = [*resolution_lines(report), headline(report)]
    if code == "no-path":
        return "\n".join(lines + why_not_lines(report))
    c = report["counts"]
    lines.append(
        f"  {c['paths']} path(s) found: {c['decreases']} decrease, {c['increases']} increase, {c['unknown']} unknown; "
        f"{c['disputed']} through disputed claims; {c['shown']} shown"
    )
    if code == "disputed-only":
        lines.append("  disputed claims are shown, never counted as support: the graph has no undisputed chain.")
        lines += why_not_lines(report)
    if report["limited"]:
        lines.append(f"  note: {report['limited']}")
    lines.append(
        "  ranked by cost: 1 per hop + penalties for disputed, inferred, speculative, hedged and single-source"
    )
    lines.append("  hops and hubs; the best chains from the subject's molecular targets are always shown")
    for i, path in enumerate(report["paths"], 1):
        tag = " — molecular mechanism" if path["mechanism"] else ""
        lines.append(f"\n{i}. {path['effect'].upper()}{tag} (cost {path['cost']:g}: {_reasons(path['reasons'])})")
        lines += textwrap.wrap(chain_line(path), 100, initial_indent="   ", subsequent_indent="      ")
        for hop in path["hops"]:
            lines += statement_lines(StatementView(**{k: hop[k] for k in VIEW_FIELDS}), "     ")
            if hop.get("sign_basis"):
                lines += textwrap.wrap(
                    f"sign by reading: {hop['sign_basis']}",
                    96,
                    initial_indent="         ",
                    subsequent_indent="           ",
                )
    return "\n".join(lines)


def how_markdown(report: dict) -> str:
    """The answer to `kg how` as Markdown."""
    from kg.explain import headline

    code = report["code"]
    if code not in ("found", "no-path", "disputed-only"):
        return f"**{code}**: {report['message']}"
    s, o = report["subject"]["label"], report["object"]["label"]
    out = [f"# How does {s} affect {o}?", ""]
    out += [f"_{line}_" for line in resolution_lines(report)] + ([""] if resolution_lines(report) else [])
    out += [f"**{headline(report).split(': ', 1)[1]}**", ""]
    if code in ("no-path", "disputed-only"):
        out += [f"- {line.strip()}" for line in why_not_lines(report)]
        if code == "no-path":
            return "\n".join(out)
        out.append("")
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
    res = report["resolved"]
    lines = [] if res["exact"] else [f"resolved: {res['description']}"]
    lines.append(f"{head} {ent}: {len(rows)} entit{'y' if len(rows) == 1 else 'ies'}")
    if any(r["disputed_only"] for r in rows):
        lines.append("  (disputed only: reached only through claims the curation disputes; never counted as an effect)")
    width = max([len(r["label"]) for r in rows] + [6])
    for r in rows:
        if r["disputed_only"]:
            effect = f"{r['effect']} (disputed only: would {r['disputed_effect'].removesuffix('s')})"
        else:
            effect = r["effect"] + ("" if r["support"] in ("asserted", "") else f" [{r['support']}]")
        chain = " → ".join(r["best_path"]["labels"])
        lines.append(f"  {r['label']:<{width}}  {r['type']:<18} {effect:<12}  {chain}")
    return "\n".join(lines)
