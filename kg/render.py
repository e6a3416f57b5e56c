"""Plain-text renderings of library results for the terminal (stable when piped).

A Layout says how much a rendering may show: the width to fit, a screen height to fit (a terminal gets its
first screen; None shows everything), one best quote per claim or every quote, and whether to colour.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, fields

from kg.describe import EntityCard, StatementView

SIGN = {1: "+", -1: "−", 0: "·"}
VIEW_FIELDS = tuple(f.name for f in fields(StatementView))
EVIDENCE_LEVELS = ("best", "all")


@dataclass(frozen=True)
class Layout:
    """How a text rendering is sized: width in columns, height in lines (None: no limit), quotes per claim
    ('best': one, 'all': every one) and colour (ANSI, for a terminal only)."""

    width: int = 100
    height: int | None = None
    evidence: str = "best"
    color: bool = False
    terminal: bool = False  # on a terminal even the one-line verdict is wrapped; piped, it stays one line

    @property
    def full(self) -> bool:
        """Whether every quote and note is shown in full."""
        return self.evidence == "all"

    def paint(self, text: str, **style) -> str:
        """`text` styled (click.style keywords) when colouring, else unchanged."""
        if not (self.color and style and text):
            return text
        import click

        return click.style(text, **style)


PLAIN = Layout()


def terminal_layout(tty: bool, *, evidence: str = "best", screen: bool = True) -> Layout:
    """The layout for where text goes: on a terminal its width, its height (when the output should fit one
    screen) and colour unless NO_COLOR is set; elsewhere plain, 100 columns, everything (stable when piped)."""
    if not tty:
        return Layout(evidence=evidence)
    import os
    import shutil

    size = shutil.get_terminal_size()
    return Layout(
        width=max(min(size.columns - 1, 160), 40),
        height=max(size.lines - 1, 12) if screen else None,
        evidence=evidence,
        color="NO_COLOR" not in os.environ,
        terminal=True,
    )


_EFFECT_STYLE = {"increases": {"fg": "green", "bold": True}, "decreases": {"fg": "red", "bold": True}}
_STATUS_STYLE = {"disputed": {"fg": "yellow"}, "negated": {"fg": "yellow"}, "inferred": {"fg": "magenta"}}


def fit(text: str, width: int) -> str:
    """`text` on one line of at most `width` columns, cut at a word and marked with … when it is longer."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: max(width - 1, 1)]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip(" ,;:—-") + "…"


def wrap(text: str, layout: Layout, indent: str, hang: str = "  ") -> list[str]:
    """`text` wrapped to the layout's width under `indent`, continuation lines indented a little more."""
    return textwrap.wrap(
        text, max(layout.width, 40), initial_indent=indent, subsequent_indent=indent + hang, break_on_hyphens=False
    ) or [indent]


def quote_line(evidence: list[dict], layout: Layout, indent: str) -> list[str]:
    """The best quote of a claim on one line (the first listed: curators put the plainest first), with how many
    more there are; every quote, wrapped, when the layout shows all evidence."""
    if not evidence:
        return []
    if layout.full:
        return [line for e in evidence for line in wrap(f"“{e['quote']}” — {e['title']}", layout, indent)]
    more = len(evidence) - 1
    suffix = f" (+{more} more quote{'s' if more > 1 else ''})" if more else ""
    first = evidence[0]
    room = max(layout.width - len(indent) - len(suffix), 20)
    text = fit(f"“{first['quote']}”", room)
    title_room = room - len(text) - 3
    if title_room >= 12:
        text += " — " + fit(first["title"], title_room)
    return [indent + text + layout.paint(suffix, dim=True)]


def statement_lines(v: StatementView, indent: str = "    ", layout: Layout = Layout(evidence="all")) -> list[str]:
    """A statement with its sign, status, qualifiers, note and quotes (all of them, or the best one)."""
    flag = "" if v.status == "asserted" else layout.paint(f" [{v.status.upper()}]", **_STATUS_STYLE.get(v.status, {}))
    ident = f"   <{v.id}>" if layout.full else ""
    lines = [f"{indent}({SIGN[v.sign]}) {v.sentence}{flag}{ident}"]
    inner = indent + "    "
    if v.qualifiers:
        text = f"qualifiers: {'; '.join(v.qualifiers)}"
        lines += wrap(text, layout, inner) if layout.full else [inner + fit(text, layout.width - len(inner))]
    if v.note and (layout.full or v.status != "asserted"):
        text = f"note: {v.note}"
        lines += wrap(text, layout, inner) if layout.full else [inner + fit(text, layout.width - len(inner))]
    lines += quote_line(v.evidence, layout, inner)
    if v.conflicts_with:
        lines.append(f"{inner}conflicts with: {', '.join(v.conflicts_with)}")
    return lines


def card_text(card: EntityCard, layout: Layout = PLAIN) -> str:
    """The entity card as text: what it is in plain words and the best quote about it, who it is (IDs as
    `CURIE ! label`), then every claim in and out."""
    ids = ", ".join(f"{i['curie']} ! {card.label}{'' if i['match'] == 'exact' else ' (close match)'}" for i in card.ids)
    lines = [f"{layout.paint(card.label, bold=True)}  [{card.type}, {card.category}]  key: {card.key}"]
    if card.plain:
        lines += wrap(f"in plain words: {card.plain}", layout, "  ", "    ")
    if card.best_quote:
        lines += wrap(f"best quote: “{card.best_quote['quote']}” — {card.best_quote['title']}", layout, "  ", "    ")
    lines += [
        *wrap(f"ids:       {ids or 'none'}", layout, "  ", " " * 11),
        *wrap(f"synonyms:  {', '.join(card.synonyms) or 'none'}", layout, "  ", " " * 11),
        *wrap(f"definition: {card.definition or '(none)'}", layout, "  ", " " * 12),
    ]
    for title, items in (("out", card.outgoing), ("in", card.incoming)):
        lines.append(f"\n  statements {title} ({len(items)}):")
        for v in items:
            lines += statement_lines(v, "    ", layout)
    if not layout.full and any(len(v.evidence) > 1 for v in (*card.outgoing, *card.incoming)):
        lines.append(layout.paint("\n  one quote per claim shown: --evidence all for every quote and note", dim=True))
    return "\n".join(lines)


def _reasons(r: dict) -> str:
    parts = [
        f"{int(r['hops'])} hop{'s' if r['hops'] != 1 else ''}",
        f"≥{int(r['min_sources_per_hop'])} source(s) per hop",
    ]
    for status in ("disputed", "inferred", "speculative", "hedged"):
        if r.get(f"{status}_hops"):
            parts.append(f"{int(r[f'{status}_hops'])} {status}")
    if r["hub_penalty"]:
        parts.append(f"hub penalty {r['hub_penalty']:g}")
    return ", ".join(parts)


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


def why_not_lines(report: dict, layout: Layout = PLAIN) -> list[str]:
    """What links the two entities outside the counted chains, and the flag that would walk it."""
    s, o = report["subject"]["label"], report["object"]["label"]
    why = report.get("why_not") or {}
    lines: list[str] = []
    for e in why.get("no_claims", []):
        lines += wrap(f"{e['label']} has no claims at all in the graph: only its name is recorded.", layout, "  ")
    for e in why.get("only_context_claims", []):
        lines += wrap(
            f"{e['label']} has only context claims (is a, part of, located in …), no causal step.", layout, "  "
        )
    if report["code"] == "no-path" and not why.get("no_claims"):
        steps = why.get("max_length", 6)
        lines += wrap(
            f"no chain of causal or clinical claims of up to {steps} steps leads from {s} to {o}.", layout, "  "
        )
    if why.get("associative_paths"):
        lines.append("  not counted — chains through correlations (run with --associative to walk them):")
        lines += [line for p in why["associative_paths"] for line in wrap(chain_line(p), layout, "    ", "    ")]
    if why.get("disputed_paths"):
        lines.append("  not counted — chains through disputed claims (left out by --exclude-disputed):")
        lines += [line for p in why["disputed_paths"] for line in wrap(chain_line(p), layout, "    ", "    ")]
    walked = why.get("associative_paths") or why.get("disputed_paths")
    if why.get("context_link") and report["code"] == "no-path" and not walked:
        chain = " · ".join(
            f"{h['sentence']} [{h['kind']}{'' if h['status'] == 'asserted' else ', ' + h['status']}]"
            for h in why["context_link"]
        )
        lines += wrap(f"linked only as context (not a mechanism): {chain}", layout, "  ")
    if "subject_affects" in why:
        down = ", ".join(f"{e['label']} ({e['hops']})" for e in why["subject_affects"]) or "nothing"
        up = ", ".join(f"{e['label']} ({e['hops']})" for e in why["object_affected_by"]) or "nothing"
        lines += wrap(f"{s} affects: {down}", layout, "  ")
        lines += wrap(f"{o} is affected by: {up}", layout, "  ")
    return lines


def _chain_block(i: int, path: dict, layout: Layout, seen: dict[str, int], compact: bool = False) -> list[str]:
    """One ranked chain: its headline, then each hop with its best quote (or every quote); a hop already shown in
    an earlier chain is referred to, not repeated. Compact: no chain line, qualifiers or notes (for a screen)."""
    tag = " — molecular mechanism" if path["mechanism"] else ""
    effect = path["effect"].upper()
    cost = f"cost {path['cost']:g}: {_reasons(path['reasons'])}" if layout.full else f"cost {path['cost']:g}"
    head = wrap(f"{i}. {effect}{tag} ({cost})", layout, "")
    head[0] = head[0].replace(effect, layout.paint(effect, **_EFFECT_STYLE.get(path["effect"], {})), 1)
    lines = ["", *head]
    if not compact:
        lines += wrap(chain_line(path), layout, "   ", "     ")
    for hop in path["hops"]:
        view = StatementView(**{k: hop[k] for k in VIEW_FIELDS})
        if hop["id"] in seen and not layout.full:
            flag = "" if view.status == "asserted" else f" [{view.status.upper()}]"
            lines.append(
                "     "
                + fit(f"({SIGN[view.sign]}) {view.sentence}{flag} — as in chain {seen[hop['id']]}", layout.width - 5)
            )
            continue
        if compact:
            view = StatementView(**{**view.__dict__, "qualifiers": [], "note": ""})
        lines += statement_lines(view, "     ", layout)
        if hop.get("sign_basis") and not compact:
            text = f"sign by reading: {hop['sign_basis']}"
            lines += wrap(text, layout, "         ") if layout.full else ["         " + fit(text, layout.width - 9)]
    return lines


def _fit_chains(paths: list[dict], layout: Layout, budget: int | None, compact: bool) -> tuple[list[int], list[str]]:
    """Which chains to show, best first, within `budget` lines: always the best chain and the best mechanism
    chain; others while they fit. Returns their indexes and the lines."""
    mechanism = next((i for i, p in enumerate(paths) if p["mechanism"]), None)
    reserve = len(_chain_block(0, paths[mechanism], layout, {}, compact)) if mechanism is not None else 0
    shown: list[int] = []
    seen: dict[str, int] = {}
    body: list[str] = []
    for i, path in enumerate(paths):
        block = _chain_block(len(shown) + 1, path, layout, seen, compact)
        if budget is not None and shown and i != mechanism:
            room = budget - len(body) - (reserve if mechanism is not None and i < mechanism else 0)
            if len(block) > room:
                continue
        shown.append(i)
        body += block
        for hop in path["hops"]:
            seen.setdefault(hop["id"], len(shown))
    return shown, body


def how_text(report: dict, layout: Layout = PLAIN) -> str:
    """The answer to `kg how` as text: what the names resolved to, the verdict and what it rests on, then the
    ranked chains with one quote per hop (every quote with evidence='all'). With a height, chains are shown
    while they fit — the best molecular-mechanism chain always among them — and a last line says what more
    there is."""
    from kg.explain import headline

    code = report["code"]
    if code not in ("found", "no-path", "disputed-only"):
        return f"{report['message']} [{code}]"
    lines = [*resolution_lines(report)]
    verdict = headline(report)
    effect = report["effect"].upper()
    lines += [
        line.replace(effect, layout.paint(effect, **_EFFECT_STYLE.get(report["effect"], {})), 1)
        for line in (wrap(verdict, layout, "", "  ") if layout.terminal else [verdict])
    ]
    if code == "no-path":
        return "\n".join(lines + why_not_lines(report, layout))
    c = report["counts"]
    found = ", ".join(f"{c[k]} {k[:-1]}" for k in ("decreases", "increases", "unknown") if c[k])
    disputed = f"; {c['disputed']} through disputed claims" if c["disputed"] else ""
    lines.append(f"  {c['paths']} chain(s) found: {found}{disputed}")
    if code == "disputed-only":
        lines.append("  disputed claims are shown, never counted as support: the graph has no undisputed chain.")
        lines += why_not_lines(report, layout)
    if report["limited"]:
        lines += wrap(f"note: {report['limited']}", layout, "  ")
    paths = report["paths"]
    budget = None if layout.height is None else layout.height - len(lines) - 3  # 3: the closing tips
    shown, body = _fit_chains(paths, layout, budget, compact=False)
    if budget is not None and len(body) > budget:  # even the best chain and the mechanism do not fit: compact
        shown, body = _fit_chains(paths, layout, budget, compact=True)
    lines += body
    hidden = len(paths) - len(shown)
    more_quotes = any(len(h["evidence"]) > 1 for i in shown for h in paths[i]["hops"])
    tips = []
    if hidden:
        tips.append(f"{hidden} more chain{'s' if hidden > 1 else ''} not shown (--top N, or pipe the output)")
    if not layout.full and more_quotes:
        tips.append("every quote and note: --evidence all")
    tips.append("everything as data: -f json")
    lines += ["", *(layout.paint(line, dim=True) for line in wrap("; ".join(tips), layout, "", ""))]
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


def reach_text(report: dict, layout: Layout = PLAIN) -> str:
    """`kg effects` / `kg causes` as a table: entity, type, net effect (with its support when not a plain
    statement), best chain — each row one line fitted to the width."""
    ent = report["entity"]["label"]
    rows = report["results"]
    head = "effects of" if report["direction"] == "downstream" else "causes of"
    res = report["resolved"]
    lines = [] if res["exact"] else [f"resolved: {res['description']}"]
    lines.append(f"{head} {ent}: {len(rows)} entit{'y' if len(rows) == 1 else 'ies'}")
    if any(r["disputed_only"] for r in rows):
        lines += wrap(
            "disputed only: reached only through claims the curation disputes, never counted as an effect "
            "(what those claims alone would give in brackets)",
            layout,
            "  ",
        )
    cells = []
    for r in rows:
        if r["disputed_only"]:
            effect = f"{r['effect']} ({r['disputed_effect']})"
        else:
            effect = r["effect"] + ("" if r["support"] in ("asserted", "") else f" [{r['support']}]")
        cells.append((r["label"], r["type"], effect, " → ".join(r["best_path"]["labels"])))
    widths = [min(max([len(c[i]) for c in cells] + [6]), cap) for i, cap in ((0, 32), (1, 18), (2, 34))]
    for label, kind, effect, chain in cells:
        row = f"  {fit(label, widths[0]):<{widths[0]}}  {kind:<{widths[1]}}  {fit(effect, widths[2]):<{widths[2]}}  "
        lines.append(row + fit(chain, max(layout.width - len(row), 12)))
    return "\n".join(lines)


def conflicts_text(items: list[dict], layout: Layout = PLAIN) -> str:
    """`kg conflicts`: each contradicting pair and each disputed or negated claim, with quotes and notes."""
    lines = [f"{len(items)} conflict(s) and disputed claim(s)"]
    for i, item in enumerate(items, 1):
        lines.append(f"\n{i}. {item['kind'].upper()}")
        for v in item["statements"]:
            lines += statement_lines(StatementView(**v), "   ", layout)
    return "\n".join(lines)


def stats_text(s: dict) -> str:
    """`kg stats` as text: counts by type, predicate, status and source, then the curation report."""
    lines = ["counts: " + ", ".join(f"{v} {k}" for k, v in s["counts"].items())]
    for title, table in (
        ("entities by type", s["entities_by_type"]),
        ("statements by predicate", s["statements_by_predicate"]),
        ("statements by status", s["statements_by_status"]),
    ):
        lines.append(f"\n{title}:")
        lines += [f"  {v:5d}  {k}" for k, v in table.items()]
    lines.append("\nstatements by source:")
    lines += [
        f"  {v['statements']:5d}  {k}: {v['title']} ({v['evidence']} quotes)"
        for k, v in s["statements_by_source"].items()
    ]
    lines.append(f"\nconflict pairs: {s['conflict_pairs']}")
    lines.append("\nstandard IDs (entities with an ID / with a standard term / all):")
    cov = s["id_coverage"]
    for name, c in [("all entities", cov["total"]), *cov["by_type"].items()]:
        pct = f"{c['percent']:5.1f} %" if c["percent"] is not None else "    - "
        lines.append(f"  {c['with_id']:4d} /{c['with_term']:4d} /{c['entities']:4d}  {pct}  {name}")
    ids = s["standard_ids"]
    matches = ", ".join(f"{v} {k}" for k, v in ids["by_match"].items())
    prefixes = ", ".join(f"{k} {v}" for k, v in ids["by_prefix"].items())
    lines.append(f"  {ids['ids']} IDs ({matches}), {ids['checked']} with a check note; {prefixes}")
    missing = s["entities_without_id"]
    lines.append(f"\nentities without a standard ID ({len(missing)}):")
    lines += [f"  {e['key']} ({e['type']}) {e['kind']}: {e['note']}".rstrip(": ") for e in missing]
    return "\n".join(lines)
