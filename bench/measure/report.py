"""The targets (issues 7 and 23), judged on the figures of a run, and the table bench/run.py prints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.generate import HUB_PAIRS
from bench.measure.proc import NA

# Targets (issue 7).
HOW_REAL_TARGET_S = 0.25
SPARQL_RATIO_TARGET = 20.0
BUILD_TARGET_S = 15.0
BUILD_TARGET_MB = 1024.0
QUERY_TARGET_S = 1.0
HUB_HOW_TARGET_S = 1.0


def _s(x: Any) -> float | None:
    """Seconds from a figure (a number or a dict with median_s)."""
    if isinstance(x, dict):
        x = x.get("median_s")
    return x if isinstance(x, (int, float)) else None


def targets(real: dict[str, Any], sizes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets with value, PASS / FAIL (or n/a), judged at the largest size measured."""
    out = []

    def add(name: str, target: str, value: Any, ok: bool | None, note: str = "") -> None:
        verdict = NA if ok is None else ("PASS" if ok else "FAIL")
        out.append({"target": name, "wanted": target, "value": value, "verdict": verdict, "note": note})

    how = _s(real.get("real_how_cold_s"))
    add(
        "cold `kg how ketamine fatigue` (real data), median",
        f"≤ {HOW_REAL_TARGET_S} s",
        how,
        None if how is None else how <= HOW_REAL_TARGET_S,
    )
    if not sizes:
        return out
    label = list(sizes)[-1]
    fig = sizes[label]
    at = f"at {label}" + ("" if label == "100k" else " (the target is for 100k)")
    ratios = [
        (q, e["ratio"], e["ratio_lower_bound"])
        for q, e in fig["sparql_queries"].items()
        if isinstance(e["ratio"], float)
    ]
    if ratios:
        worst = min(ratios, key=lambda r: r[1])
        ok = all(r >= SPARQL_RATIO_TARGET for _, r, _ in ratios)
        note = "" if ok or not worst[2] else "a lower bound: rdflib was stopped"
        add(
            f"SPARQL: pyoxigraph vs rdflib default store, slowest ratio {at}",
            f"≥ {SPARQL_RATIO_TARGET:g}×",
            f"{'≥ ' if worst[2] else ''}{worst[1]}× ({worst[0]})",
            ok,
            note,
        )
    add(f"build time {at}", f"≤ {BUILD_TARGET_S:g} s", fig["build_s"], fig["build_s"] <= BUILD_TARGET_S)
    add(
        f"build peak memory {at}",
        f"≤ {BUILD_TARGET_MB:g} MB",
        fig["build_peak_mb"],
        fig["build_peak_mb"] <= BUILD_TARGET_MB,
    )
    cli = fig["cold_sparql"]
    if isinstance(cli, dict) and cli:
        typical = fig.get("cold_sparql_typical")
        runs = [(f"hub parameters ({len(cli)} queries)", cli)]
        if isinstance(typical, dict) and typical:
            # queries without an entity parameter are the same runs as above
            runs.append(("ordinary entities as parameters", {**cli, **typical}))
        for what, figs in runs:

            def secs(q: str, figs: dict = figs) -> float:
                v = _s(figs[q])
                return float("inf") if v is None else v

            worst = max(figs, key=secs)
            shown = _fmt(figs[worst]) if secs(worst) < float("inf") else f"> {figs[worst].get('timeout_s', '?')} s"
            slow = [q for q in figs if secs(q) > QUERY_TARGET_S]
            add(
                f"each named query, cold `kg sparql NAME`, {what} {at}",
                f"≤ {QUERY_TARGET_S:g} s",
                f"{shown} ({worst})",
                not slow,
                f"over: {', '.join(slow)}" if slow else "",
            )
    else:
        qs = fig["sparql_queries"]
        worst_q = max(qs, key=lambda q: qs[q]["oxigraph_s"])
        add(
            f"each query, in-process pyoxigraph {at}",
            f"≤ {QUERY_TARGET_S:g} s",
            f"{qs[worst_q]['oxigraph_s']} ({worst_q})",
            all(v["oxigraph_s"] <= QUERY_TARGET_S for v in qs.values()),
            "`kg sparql` not available: measured in-process",
        )
    hub = fig["warm_how_hub"]
    if hub:
        worst_h = max(hub, key=lambda h: h["median_s"])
        limits = "; ".join(f"{h['pair']}: {h['limited']}" for h in hub if h["limited"])
        add(
            f"warm `kg how` top-5 between hub pairs {at}",
            f"≤ {HUB_HOW_TARGET_S:g} s",
            f"{worst_h['median_s']} ({worst_h['pair']})",
            worst_h["median_s"] <= HUB_HOW_TARGET_S,
            f"limit hit: {limits}" if limits else "no limit hit",
        )
    untouched = all(f["cache_untouched"] for f in sizes.values())
    add(
        "second run with unchanged inputs does no build work (pickle mtime unchanged)",
        "true",
        untouched,
        untouched,
        "cached load " + ", ".join(f"{k}: {_fmt(f['cached_load_s'])} s" for k, f in sizes.items()),
    )
    return out


def _fmt(x: Any) -> str:
    """A figure for the table."""
    if x is None or x == NA:
        return NA
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, dict) and "timeout_s" in x:
        return f"> {x['timeout_s']:g}"
    if isinstance(x, dict) and "median_s" in x:
        rows = f" ({x['rows']:,} rows)" if "rows" in x else ""
        return _fmt(x["median_s"]) + rows
    if isinstance(x, float):
        return f"{x:.4f}" if x < 0.01 else f"{x:.3f}" if x < 10 else f"{x:.1f}"
    return str(x)


def table(real: dict[str, Any], sizes: dict[str, dict[str, Any]], checks: list[dict[str, Any]]) -> str:
    """The report: figures per size, the SPARQL engines side by side, and the targets."""
    labels = list(sizes)
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, get: Callable[[dict[str, Any]], Any]) -> None:
        rows.append((name, [_fmt(get(sizes[k])) for k in labels]))

    for key in ("statements", "entities", "sources", "evidence", "triples"):
        row(key, lambda f, key=key: f[key])
    row("generate (s)", lambda f: f["generate_s"])
    row("validate --no-shacl (s)", lambda f: f["validate_s"])
    row("validate peak (MB)", lambda f: f["validate_peak_mb"])
    row("build (s)  [≤ 15 s at 100k]", lambda f: f["build_s"])
    row("build peak (MB)  [≤ 1024 at 100k]", lambda f: f["build_peak_mb"])
    row("cached load, cold process (s)", lambda f: f["cached_load_s"])
    row("  of which load_graph (s)", lambda f: f["cached_load_inprocess_s"])
    row("  of which input hash (s)", lambda f: f["cached_load_hash_s"])
    row("cache untouched on 2nd run", lambda f: f["cache_untouched"])
    row("cold kg how, typical pair (s)", lambda f: f["cold_how_typical_s"])
    row("cold kg how, hub pair (s)", lambda f: f["cold_how_hub_s"])
    row("cold kg show, typical (s)", lambda f: f["cold_show_typical_s"])
    row("cold kg show, hub (s)", lambda f: f["cold_show_hub_s"])
    row("cold kg effects, typical (s)", lambda f: f["cold_effects_typical_s"])
    row("cold kg effects, hub (s)", lambda f: f["cold_effects_hub_s"])
    row("cold kg causes, typical (s)", lambda f: f["cold_causes_typical_s"])
    row("cold kg causes, hub (s)", lambda f: f["cold_causes_hub_s"])
    row("cold kg export -f ttl (s)", lambda f: f["cold_export_ttl"])
    row("  its peak (MB)", lambda f: f["cold_export_ttl"]["peak_mb"] if isinstance(f["cold_export_ttl"], dict) else NA)
    names = sorted({q for f in sizes.values() if isinstance(f["cold_sparql"], dict) for q in f["cold_sparql"]})
    if names:
        for q in names:
            row(
                f"cold kg sparql {q} (s)  [≤ 1 s]",
                lambda f, q=q: f["cold_sparql"].get(q, NA) if isinstance(f["cold_sparql"], dict) else NA,
            )
            if any(
                isinstance(f.get("cold_sparql_typical"), dict) and q in f["cold_sparql_typical"] for f in sizes.values()
            ):
                row(
                    "  with an ordinary entity, not a hub (s)",
                    lambda f, q=q: (
                        f["cold_sparql_typical"].get(q, NA) if isinstance(f.get("cold_sparql_typical"), dict) else NA
                    ),
                )
    else:
        row("cold kg sparql NAME (s)", lambda f: f["cold_sparql"])
    for i in range(3):
        row(f"warm how typical #{i + 1} (s)", lambda f, i=i: _pair(f["warm_how_typical"], i))
    for i in range(len(HUB_PAIRS)):
        row(f"warm how hub #{i + 1} (s)  [≤ 1 s]", lambda f, i=i: _pair(f["warm_how_hub"], i))
    row("networkx Yen top-5, hub pair (s)", lambda f: f["yen_top5_hub_s"])
    row("all_simple_paths ≤ 4 hops, hub pair", lambda f: _paths(f["simple_paths_hub"]))
    row("enumeration / Yen", lambda f: _ratio(f["enumeration_vs_yen"]))
    row("viz render, 1,000 nodes (s)", lambda f: _viz(f["viz_1000"]))
    row("pyoxigraph load graph.nt (s)", lambda f: f["oxigraph_load_s"])
    row("rdflib parse graph.nt (s)", lambda f: f["rdflib_load_s"])
    width = max(len(r[0]) for r in rows) + 2
    cols = [max([len(lb)] + [len(r[1][i]) for r in rows]) + 2 for i, lb in enumerate(labels)]
    lines = ["".ljust(width) + "".join(lb.rjust(c) for lb, c in zip(labels, cols, strict=True))]
    lines += [name.ljust(width) + "".join(v.rjust(c) for v, c in zip(vals, cols, strict=True)) for name, vals in rows]
    lines.append("")
    lines.append("warm how details (pair: code, effect, paths, first call, limit):")
    for k, f in sizes.items():
        for h in f["warm_how_typical"] + f["warm_how_hub"]:
            lines.append(
                f"  {k:>6}  {h['pair']}: {h['code']}, {h['effect']}, {h['paths']} paths, first call "
                f"{_fmt(h.get('first_s'))} s{', limited: ' + h['limited'] if h['limited'] else ', no limit hit'}"
            )
    lines.append("")
    lines.append(
        "SPARQL, in-process, median s: pyoxigraph in-memory vs rdflib default store (same graph.nt); "
        "ratio = rdflib / pyoxigraph; disk = kg's persisted store"
    )
    for k, f in sizes.items():
        for q, e in f["sparql_queries"].items():
            ratio = e["ratio"] if e["ratio"] == NA else f"{'≥ ' if e['ratio_lower_bound'] else ''}{e['ratio']}×"
            lines.append(
                f"  {k:>6}  {q:<28} oxigraph {_fmt(e['oxigraph_s']):>8}  rdflib {_fmt(e['rdflib_s']):>8}  "
                f"ratio {ratio:>9}  disk {_fmt(e.get('oxigraph_disk_s')):>7}  rows {e['rows']}/{e['rdflib_rows']}"
                f"{'  ' + e['note'] if 'note' in e else ''}"
            )
    lines.append("")
    lines.append(
        f"real data: cold kg how ketamine fatigue {_fmt(real['real_how_cold_s'])} s, "
        f"cold kg show ketamine {_fmt(real['real_show_cold_s'])} s"
    )
    lines.append("")
    lines.append("targets:")
    for c in checks:
        note = f"  ({c['note']})" if c["note"] else ""
        lines.append(f"  {c['verdict']:<5} {c['target']}: {_fmt(c['value'])} (wanted {c['wanted']}){note}")
    return "\n".join(lines)


def _pair(items: list[dict[str, Any]], i: int) -> str:
    if i >= len(items):
        return NA
    h = items[i]
    return f"{_fmt(h['median_s'])}{'*' if h['limited'] else ''}"


def _paths(sp: dict[str, Any]) -> str:
    return f"{sp['count']} in {sp['seconds']:.1f} s" if sp["complete"] else f"≥ {sp['count']} in {sp['budget_s']:g} s"


def _ratio(r: Any) -> str:
    return NA if r == NA else f"{'≥ ' if r['lower_bound'] else ''}{r['ratio']}×"


def _viz(v: Any) -> str:
    return NA if v == NA else f"{_fmt(v['median_s'])} ({v['nodes']} n)"
