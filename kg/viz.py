"""Self-contained interactive HTML views of the graph: graph → selection → view data → one offline HTML file.

The page is our own template (kg/viz_template.html) with vis-network's standalone build inlined; the
script is read from the copy pyvis ships in its package, without importing pyvis (pyvis's own templates
link Bootstrap and tom-select from CDNs, so it adds nothing here but the file). Data is embedded as JSON in
a <script type="application/json"> block with `<`, `>`, `&`, U+2028 and U+2029 escaped, and the page builds
every text it shows with textContent, so labels and quotes never become markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import DataError, KGError, UsageError
from kg.graph import KnowledgeGraph

if TYPE_CHECKING:
    from kg.paths import HowAnswer, MechanismPath
    from kg.resolve import Resolution

# Colour and shape by entity type: every class its own (colour, shape) pair; a family shares a shape (drugs ◆,
# chemicals ▲, receptors and treatments ■, processes ⬢, body parts and risks ▼, conditions ●, behaviour ★) so that
# shape alone tells the family apart without colour. A class not listed takes its nearest listed ancestor's style.
TYPE_STYLE: dict[str, tuple[str, str]] = {
    "Entity": ("#a0a0a0", "dot"),
    "Drug": ("#1f5fa8", "diamond"),
    "DrugClass": ("#8fb3e0", "diamond"),
    "ChemicalEntity": ("#5c7f3a", "triangle"),
    "Neurotransmitter": ("#17a3a3", "triangle"),
    "Metabolite": ("#a6dcd2", "triangle"),
    "Receptor": ("#e69f00", "square"),
    "RouteOfAdministration": ("#b3b3b3", "square"),
    "TreatmentRegimen": ("#4f7d95", "square"),
    "BiologicalProcess": ("#b05aa0", "hexagon"),
    "AnatomicalEntity": ("#9c7a4d", "triangleDown"),
    "RiskFactor": ("#6b4c9a", "triangleDown"),
    "Condition": ("#7a1f33", "dot"),
    "Disease": ("#c8324a", "dot"),
    "PhenotypicFeature": ("#c99a2e", "dot"),
    "Symptom": ("#f5d06f", "dot"),
    "AdverseEffect": ("#f0a6b9", "dot"),
    "Behavior": ("#4caf50", "star"),
}
DEFAULT_STYLE = TYPE_STYLE["Entity"]

# Arrow colour, head and glyph by sign: increase → (+), decrease ⊣ (−, the T-bar of pathway diagrams), no direction
# stated: grey. Blue and vermillion (Okabe–Ito) stay apart for red–green colour blindness, where green and red
# both look olive; the head and the +/− glyph carry the sign without colour at all.
SIGNS: dict[int, dict[str, str]] = {
    1: {"key": "1", "label": "increases", "color": "#0072b2", "text": "#005d92", "arrow": "arrow", "glyph": "+"},
    -1: {"key": "-1", "label": "decreases", "color": "#d55e00", "text": "#a34600", "arrow": "bar", "glyph": "−"},
    0: {
        "key": "0",
        "label": "no direction stated",
        "color": "#767676",
        "text": "#595959",
        "arrow": "vee",
        "glyph": "·",
    },
}
STATUS_HELP = {
    "asserted": "the source states it plainly",
    "hedged": "the source states it with reservation (may, is believed to); drawn paler",
    "speculative": "the source presents it as a hypothesis; drawn paler, long dashes",
    "inferred": "the curator's reading connecting the sources' sentences, not a source's own claim; dash-dot",
    "disputed": "contradicts another source or mainstream pharmacology; never counted as support",
    "negated": "the source says this does NOT hold",
}
STATUS_DASHES: dict[str, Any] = {
    "asserted": False,
    "hedged": False,
    "speculative": [14, 6],
    "inferred": [10, 4, 2, 4],
    "disputed": [8, 6],
    "negated": [2, 6],
}
READABLE_PX = 12  # labels are drawn only at 11 px and more on screen (vis fades them out between 11 and 12)
GROUP_MIN = 10  # this many entities of one type around one view collapse into a single expandable node
LARGE = 300  # above this many nodes: no edge labels, straight edges, fewer layout iterations
BIG_VIEW = 5000  # above this many nodes, `kg viz` says the page will take a while to lay out


@dataclass(frozen=True, slots=True)
class Selection:
    """Which entities (keys) and statements (ids) a view shows, in graph order."""

    nodes: tuple[str, ...]
    statements: tuple[str, ...]


# --- graph → selection -------------------------------------------------------------------------------------------


def select_all(graph: KnowledgeGraph) -> Selection:
    """Every entity and every statement."""
    return Selection(tuple(graph.entities), tuple(graph.statements))


def neighbourhood(graph: KnowledgeGraph, key: str, depth: int = 1) -> Selection:
    """Entities within `depth` links of `key` (either direction, any relation) and the statements among them."""
    if key not in graph.entities:
        raise UsageError(f"unknown entity '{key}'")
    if depth < 0:
        raise UsageError(f"depth must be 0 or more, not {depth}")
    dist = {key: 0}
    todo = deque([key])
    while todo:
        n = todo.popleft()
        if dist[n] >= depth:
            continue
        for st in (*graph.outgoing(n), *graph.incoming(n)):
            m = st.object if st.subject == n else st.subject
            if m not in dist:
                dist[m] = dist[n] + 1
                todo.append(m)
    nodes = tuple(k for k in graph.entities if k in dist)
    sts = tuple(s.id for s in graph.statements.values() if s.subject in dist and s.object in dist)
    return Selection(nodes, sts)


def filter_selection(
    graph: KnowledgeGraph,
    sel: Selection,
    types: Iterable[str] = (),
    sources: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> Selection:
    """Keep entities of the given types (or subtypes) and statements quoting the given sources; `keep` always stays."""
    from kg.explain import class_keys

    types, sources, keep = class_keys(graph, tuple(types)), tuple(sources), set(keep)
    missing = [s for s in sources if s not in graph.data.sources]
    if missing:
        raise UsageError(f"unknown source '{missing[0]}'; known sources: {', '.join(graph.data.sources)}")
    nodes = [
        k
        for k in sel.nodes
        if k in keep or not types or any(graph.vocab.is_a(graph.entities[k].type, t) for t in types)
    ]
    kept = set(nodes)
    sts = [
        i
        for i in sel.statements
        if graph.statements[i].subject in kept
        and graph.statements[i].object in kept
        and (not sources or any(s in sources for s in graph.statements[i].sources))
    ]
    if sources:
        touched = {graph.statements[i].subject for i in sts} | {graph.statements[i].object for i in sts} | keep
        nodes = [k for k in nodes if k in touched]
    return Selection(tuple(nodes), tuple(sts))


def path_selection(answer: HowAnswer) -> Selection:
    """The entities and statements on an answer's paths, in first-seen order."""
    nodes: dict[str, None] = {}
    sts: dict[str, None] = {}
    for p in answer.paths:
        nodes.update(dict.fromkeys(p.nodes))
        sts.update(dict.fromkeys(h.statement for h in p.hops))
    return Selection(tuple(nodes), tuple(sts))


# --- selection → view data ---------------------------------------------------------------------------------------


def type_style(graph: KnowledgeGraph, type_key: str) -> tuple[str, str]:
    """(colour, shape) of an entity type: its own style or its nearest styled ancestor's."""
    for cls in graph.vocab.class_ancestors(type_key):
        if cls in TYPE_STYLE:
            return TYPE_STYLE[cls]
    return DEFAULT_STYLE


def darker(color: str, factor: float = 0.68) -> str:
    """A darker shade of a #rrggbb colour (for borders)."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{int(c * factor):02x}" for c in (r, g, b))


def node_view(graph: KnowledgeGraph, key: str) -> dict:
    """One entity as the page needs it: label, type, IDs, synonyms, plain and technical definition, the best quote
    about it, its number of claims, colour and shape."""
    from kg.describe import best_quote

    ent = graph.entities[key]
    cls = graph.vocab.classes.get(ent.type)
    color, shape = type_style(graph, ent.type)
    quote = best_quote(graph, key)
    return {
        "id": key,
        "label": ent.label,
        "type": ent.type,
        "typeLabel": cls.label if cls else ent.type,
        "category": cls.category if cls else "",
        "ids": [{"curie": x.curie, "match": x.match} for x in ent.xrefs],
        "synonyms": list(ent.synonyms),
        "definition": ent.definition,
        "plain": ent.plain,
        "quote": {"quote": quote["quote"], "title": quote["title"], "statement": quote["statement"]} if quote else None,
        "degree": len(graph.out_edges.get(key, ())) + len(graph.in_edges.get(key, ())),
        "color": color,
        "border": darker(color),
        "shape": shape,
    }


def edge_view(graph: KnowledgeGraph, sid: str) -> dict:
    """One statement as the page needs it: sentence, predicate, sign, status, qualifiers and every quote."""
    st = graph.statements[sid]
    pred = graph.vocab.predicates[st.predicate]
    sources = graph.data.sources
    sign = SIGNS.get(pred.sign, SIGNS[0])
    label = f"not: {pred.phrase}" if st.status == "negated" else pred.phrase
    return {
        "id": sid,
        "from": st.subject,
        "to": st.object,
        "predicate": st.predicate,
        "predicateLabel": pred.label,
        "label": (label if st.status == "negated" else f"{sign['glyph']} {label}")
        + (" (disputed)" if st.status == "disputed" else ""),
        "sentence": graph.sentence(st),
        "sign": pred.sign,
        "kind": pred.kind,
        "status": st.status,
        "note": st.note,
        "qualifiers": [q.display() for q in st.qualifiers],
        "evidence": [
            {
                "source": e.source,
                "title": sources[e.source].title if e.source in sources else e.source,
                "file": sources[e.source].file if e.source in sources else "",
                "quote": e.quote,
            }
            for e in st.evidence
        ],
        "sources": list(st.sources),
        "conflicts": list(st.conflicts_with),
        "color": "#b0b0b0" if st.status == "negated" else sign["color"],
        "arrow": "arrow" if pred.sign == 0 and pred.kind != "associative" else sign["arrow"],
        "arrowOn": not (pred.sign == 0 and pred.kind == "associative"),
        "dashes": STATUS_DASHES.get(st.status, False),
        "opacity": 0.5 if st.status in ("hedged", "speculative") else 1.0,
        "width": round(min(1.5 + 0.8 * (len(st.sources) - 1), 5.0), 2),
    }


def spread_parallels(edges: list[dict]) -> None:
    """Curve edges that join the same two entities apart, so that none hides another."""
    groups: dict[frozenset[str], list[dict]] = {}
    for e in edges:
        groups.setdefault(frozenset((e["from"], e["to"])), []).append(e)
    for group in groups.values():
        if len(group) < 2:
            continue
        n = len(group)
        for i, e in enumerate(group):
            offset = (i - (n - 1) / 2) * 0.35
            if e["from"] > e["to"]:  # the same bend reads the other way round for a reversed edge
                offset = -offset
            if abs(offset) < 1e-9:
                e["smooth"] = {"enabled": False}
            else:
                e["smooth"] = {
                    "enabled": True,
                    "type": "curvedCW" if offset > 0 else "curvedCCW",
                    "roundness": round(abs(offset), 3),
                }


def vis_options(n_nodes: int, n_edges: int, mode: str = "graph") -> dict:
    """vis-network options sized for the graph: bounded stabilization, then physics off (the page does that).

    Modes: "graph" lays everything out by physics; "start" and "path" come with positions (physics only places
    entities the reader reveals later). Labels are never drawn below READABLE_PX on screen: zoom in to see more;
    in "graph" mode an entity's label grows with its number of claims, so the hubs stay named when zoomed out.
    """
    large = n_nodes > LARGE
    iterations = 600 if n_nodes <= 100 else 300 if n_nodes <= LARGE else 150 if n_nodes <= 3000 else 60
    face = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
    font = {"size": 14, "face": face, "color": "#1d2430", "strokeWidth": 4, "strokeColor": "#ffffff"}
    opts: dict[str, Any] = {
        "autoResize": True,
        "nodes": {
            "size": 10 if large else 16,
            "borderWidth": 1.5,
            "borderWidthSelected": 4,
            "font": font,
            "widthConstraint": {"maximum": 160},
            "scaling": {
                "min": 8 if large else 12,
                "max": 30,
                "label": {"enabled": True, "min": 14, "max": 28, "maxVisible": 32, "drawThreshold": READABLE_PX},
            },
        },
        "edges": {
            "width": 1.5,
            "selectionWidth": 2.5,
            "hoverWidth": 1,
            "arrowStrikethrough": False,
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.25},
            "font": {
                "size": 13,
                "face": face,
                "color": "#3b414a",
                "strokeWidth": 0,
                "background": "rgba(255,255,255,0.92)",
                "align": "horizontal",
            },
            "scaling": {"label": {"drawThreshold": READABLE_PX}},
        },
        "interaction": {
            "hover": True,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "keyboard": False,
            "multiselect": False,
            "navigationButtons": False,
            "tooltipDelay": 300,
        },
        "layout": {"improvedLayout": n_nodes <= 100, "randomSeed": 7},
        # which arrows carry their words: all of them (a path view, spread apart), or only those highlighted
        "edgeLabels": {"path": "all", "start": "auto"}.get(mode, "highlighted"),
    }
    if mode in ("path", "start"):
        opts["nodes"]["font"] = {**font, "size": 17}
        opts["nodes"]["widthConstraint"] = {"maximum": 140}
        opts["edges"]["font"]["size"] = 16  # read at these views' usual zoom (~0.75) they stay above 11 px
        opts["edges"]["smooth"] = False  # straight along a row (arcs over entities are set per arrow)
    if mode == "path":
        opts["physics"] = {"enabled": False}
        opts["edges"]["smooth"] = {
            "enabled": True,
            "type": "cubicBezier",
            "forceDirection": "horizontal",
            "roundness": 0.45,
        }
        return opts
    opts["physics"] = {
        "enabled": mode == "graph",
        "solver": "forceAtlas2Based",  # degree-weighted repulsion spreads the neighbours of hubs
        "forceAtlas2Based": {
            "gravitationalConstant": -120 if not large else -60,
            "centralGravity": 0.03 if mode == "graph" else 0.005,
            "springLength": 130 if n_nodes <= 30 or mode == "start" else 80 if not large else 50,
            "springConstant": 0.06,
            "damping": 0.4,
            "avoidOverlap": 0.8,
        },
        "maxVelocity": 60,
        "minVelocity": 1.5,
        "timestep": 0.5,
        # the page adapts updateInterval (steps per batch) so that each batch stays short and input is answered
        "stabilization": {
            "enabled": mode == "graph",
            "iterations": iterations,
            "updateInterval": 25 if n_nodes <= LARGE else 1,
            "fit": False,  # the page fits once, when the layout is done
        },
    }
    return opts


def path_layout(paths: Sequence[Sequence[str]], x_gap: float = 175, y_gap: float = 110) -> dict[str, dict]:
    """Positions for chains laid out left to right: column = longest distance from the start, row = first chain."""
    if not paths:
        return {}
    start, end = paths[0][0], paths[0][-1]
    order = list(dict.fromkeys(n for p in paths for n in p))
    links = {(a, b) for p in paths for a, b in pairwise(p)}
    level = {start: 0}
    for _ in range(len(order)):  # longest-path layering, bounded so that a cycle cannot run away
        changed = False
        for a, b in links:
            if a in level and b != start and level[a] + 1 > level.get(b, -1) and level[a] + 1 < len(order):
                level[b] = level[a] + 1
                changed = True
        if not changed:
            break
    level[end] = max([lv for n, lv in level.items() if n != end] + [0]) + 1
    row: dict[str, int] = {start: 0, end: 0}
    next_row = 1 if any(len(p) == 2 for p in paths) else 0  # keep the top row for a direct link
    for p in paths:
        new = [n for n in p[1:-1] if n not in row]
        for n in new:
            row[n] = next_row
        if new:
            next_row += 1
    return {n: {"x": level.get(n, 0) * x_gap, "y": row.get(n, 0) * y_gap, "level": level.get(n, 0)} for n in order}


def arc_skipping_edges(edges: list[dict], positions: dict[str, dict]) -> None:
    """Bend an edge that would run straight through entities between its ends on one row, so it passes over them."""
    rows: dict[float, list[float]] = {}
    for p in positions.values():
        rows.setdefault(p["y"], []).append(p["x"])
    for e in edges:
        a, b = positions.get(e["from"]), positions.get(e["to"])
        if not a or not b or a["y"] != b["y"] or e.get("smooth"):
            continue
        lo, hi = sorted((a["x"], b["x"]))
        between = sum(lo < x < hi for x in rows[a["y"]])
        if between:
            # vis bends curvedCW to one side of the direction of travel, curvedCCW to the other: both pass above
            bend = "curvedCW" if a["x"] < b["x"] else "curvedCCW"
            e["smooth"] = {"enabled": True, "type": bend, "roundness": round(min(0.15 + 0.1 * between, 0.45), 2)}


def path_view(graph: KnowledgeGraph, path: MechanismPath) -> dict:
    """One chain for the page: its nodes, statements, effect and a readable line."""
    hops = [
        {
            "from": h.source,
            "to": h.target,
            "statement": h.statement,
            "sign": h.sign,
            "status": h.status,
            "phrase": graph.vocab.predicates[h.predicate].phrase
            if h.predicate in graph.vocab.predicates
            else h.predicate,
        }
        for h in path.hops
    ]
    return {
        "nodes": list(path.nodes),
        "labels": [graph.entities[n].label for n in path.nodes],
        "edges": [h.statement for h in path.hops],
        "effect": path.effect,
        "cost": getattr(path, "cost", None),
        "mechanism": getattr(path, "mechanism", False),
        "support": path.support,
        "hops": hops,
    }


def view_data(
    graph: KnowledgeGraph,
    sel: Selection,
    *,
    title: str,
    subtitle: str = "",
    mode: str = "graph",
    focus: str | None = None,
    paths: Sequence[MechanismPath] = (),
    effect: str = "",
    positions: dict[str, dict] | None = None,
    tour: dict | None = None,
) -> dict:
    """Everything the page shows, as JSON-ready data (no HTML). `positions` places entities (path and start views;
    elsewhere physics does); `tour` is kg.tour.tour_data, stepped through on the page."""
    from kg.glossary import lookup
    from kg.tour import glossary_data

    def plain(word: str) -> str:
        term = lookup(word)
        return term.plain if term else ""

    nodes = [node_view(graph, k) for k in sel.nodes]
    edges = [edge_view(graph, i) for i in sel.statements]
    spread_parallels(edges)
    if mode == "path" and positions is None:
        positions = path_layout([p.nodes for p in paths])
    for n in nodes:
        n.update((positions or {}).get(n["id"], {}))
    if positions:
        arc_skipping_edges(edges, positions)
    type_counts: dict[str, int] = {}
    for n in nodes:
        type_counts[n["type"]] = type_counts.get(n["type"], 0) + 1
    source_counts: dict[str, int] = {}
    for e in edges:
        for s in e["sources"]:
            source_counts[s] = source_counts.get(s, 0) + 1
    statuses = sorted({e["status"] for e in edges}, key=lambda s: list(STATUS_HELP).index(s) if s in STATUS_HELP else 9)
    src = graph.data.sources
    return {
        "meta": {
            "title": title,
            "subtitle": subtitle,
            "mode": mode,
            "focus": focus,
            "effect": effect,
            "counts": {"nodes": len(nodes), "edges": len(edges)},
            "generator": _generator(),
        },
        "types": [
            {
                "key": t,
                "label": graph.vocab.classes[t].label if t in graph.vocab.classes else t,
                "definition": graph.vocab.classes[t].definition if t in graph.vocab.classes else "",
                "plain": plain(graph.vocab.classes[t].label if t in graph.vocab.classes else t),
                "color": type_style(graph, t)[0],
                "border": darker(type_style(graph, t)[0]),
                "shape": type_style(graph, t)[1],
                "count": c,
            }
            for t, c in sorted(type_counts.items())
        ],
        "signs": [
            {**SIGNS[s], "plain": plain(SIGNS[s]["label"]), "count": sum(e["sign"] == s for e in edges)}
            for s in (1, -1, 0)
        ],
        "statuses": [
            {
                "key": s,
                "help": STATUS_HELP.get(s, ""),
                "plain": plain(s),
                "dashes": STATUS_DASHES.get(s, False),
                "count": sum(e["status"] == s for e in edges),
            }
            for s in statuses
        ],
        "sources": [
            {
                "key": k,
                "title": src[k].title if k in src else k,
                "file": src[k].file if k in src else "",
                "kind": src[k].kind if k in src else "",
                "date": (src[k].date or "") if k in src else "",
                "count": c,
            }
            for k, c in sorted(source_counts.items())
        ],
        "nodes": nodes,
        "edges": edges,
        "paths": [path_view(graph, p) for p in paths],
        "tour": tour,
        "glossary": glossary_data(),
        "options": vis_options(len(nodes), len(edges), mode),
    }


# --- view data → HTML --------------------------------------------------------------------------------------------


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>`, `&`, U+2028 or U+2029 left raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw in "<>&\u2028\u2029":
        text = text.replace(raw, f"\\u{ord(raw):04x}")
    return text


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    """vis-network's standalone script, read from the copy inside the pyvis package (pyvis itself is not imported)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("vis-network is missing: install pyvis (it ships vis-network's script)")
    libs = [Path(p) / "lib" for p in spec.submodule_search_locations]
    found = [f for lib in libs for f in lib.glob("vis-*/vis-network.min.js")]
    if not found:
        raise DataError("vis-network.min.js not found inside the pyvis package", where=str(libs[0]))

    def version(f: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", f.parent.name))

    js = max(found, key=version).read_text(encoding="utf-8")
    if re.search(r"</script|<!--", js, re.IGNORECASE):
        raise DataError("vis-network.min.js cannot be inlined: it contains '</script' or '<!--'")
    return js


@lru_cache(maxsize=1)
def _asset(name: str) -> str:
    """A file shipped beside this module (template, script, style)."""
    return Path(__file__).with_name(name).read_text(encoding="utf-8")


def _generator() -> str:
    from kg import __version__

    return f"mechkg {__version__}"


def content_security_policy(*scripts: str) -> str:
    """A policy that lets only these exact inline scripts run and forbids every fetch (defence in depth)."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'"
    )


def render_html(view: dict) -> str:
    """Fill the template in one pass: escaped title, inlined scripts and style, the view as script-safe JSON."""
    vis_js, app_js = vis_network_js(), _asset("viz_app.js")
    parts = {
        "TITLE": html.escape(view["meta"]["title"]),
        "GENERATOR": html.escape(view["meta"]["generator"]),
        "CSP": html.escape(content_security_policy(vis_js, app_js), quote=False).replace('"', "&quot;"),
        "APP_CSS": _asset("viz_app.css"),
        "VIS_JS": vis_js,
        "APP_JS": app_js,
        "DATA_JSON": script_json(view),
    }
    return re.sub(r"@@([A-Z_]+)@@", lambda m: parts[m.group(1)], _asset("viz_template.html"))


# --- the public entry points -------------------------------------------------------------------------------------


def start_view(graph: KnowledgeGraph) -> tuple[list[str], dict[str, dict], HowAnswer] | None:
    """What a newcomer sees first instead of the whole tangle: the drug, its molecular targets and the documents'
    main mechanism chain to the condition it treats (kg.tour.default_pair), left to right; their positions and the
    `how` answer behind them. None when the data has no drug with an undisputed chain to what it treats."""
    from kg.paths import how, molecular_targets
    from kg.tour import default_pair

    pair = default_pair(graph)
    if pair is None:
        return None
    answer = how(graph, *pair)
    undisputed = [p for p in answer.paths if not p.disputed]
    if not undisputed:
        return None
    chain = next((p for p in undisputed if p.mechanism), undisputed[0]).nodes
    targets = sorted(molecular_targets(graph, pair[0]) - set(chain))
    x_gap, y_gap = 200, 120
    pos = {n: {"x": i * x_gap, "y": 0, "level": i} for i, n in enumerate(chain)}
    for j, t in enumerate(targets):
        pos[t] = {"x": x_gap, "y": (j + 1) * y_gap, "level": 1}
    return [*chain, *targets], pos, answer


def graph_html(
    graph: KnowledgeGraph,
    *,
    around: str | None = None,
    depth: int = 1,
    types: Iterable[str] = (),
    sources: Iterable[str] = (),
    title: str | None = None,
    warn: Callable[[str], None] | None = None,
    everything: bool = False,
) -> str:
    """An HTML page of the graph: by default the start view (the drug, its targets and the main mechanism chain,
    the rest a click away, with a guided tour); with `everything`, or when the data has no start, the whole graph
    laid out at once; or the neighbourhood of entity key `around`; filtered by type and source. `warn` hears when
    the view is large enough to keep a browser busy."""
    sel = neighbourhood(graph, around, depth) if around else select_all(graph)
    sel = filter_selection(graph, sel, types, sources, keep=[around] if around else [])
    if not sel.nodes:
        raise KGError("nothing to show: no entity passes the --type / --source filters")
    start = None if (around or types or sources or everything) else start_view(graph)
    if warn and len(sel.nodes) > BIG_VIEW and not start:
        warn(
            f"{len(sel.nodes):,} entities and {len(sel.statements):,} claims: a browser needs tens of seconds to lay "
            "them out (20,000 entities: ~35 s); --around NAME, --type or --source draws fewer"
        )
    n_sources = len({s for i in sel.statements for s in graph.statements[i].sources})
    counted = (
        f"{_count(len(sel.nodes), 'entity', 'entities')}, {_count(len(sel.statements), 'claim')} "
        f"from {_count(n_sources, 'document')}"
    )
    if start:
        from kg.tour import tour_data

        shown, positions, answer = start
        drug, cond = (graph.entities[k].label for k in (answer.subject, answer.object))
        view = view_data(
            graph,
            sel,
            title=title or f"Start here: how {drug} affects {cond}",
            subtitle=f"{drug}, its target and the documents' molecular mechanism; the rest of the {counted} is a "
            "click away",
            mode="start",
            positions=positions,
            tour=tour_data(graph, answer),
        )
        view["meta"]["start"] = shown
        view["meta"]["groups"] = True
        return render_html(view)
    if around:
        label = graph.entities[around].label
        default = f"Around {label} ({depth} step{'s' if depth != 1 else ''})"
    else:
        default = "mechkg knowledge graph"
    view = view_data(graph, sel, title=title or default, subtitle=counted, focus=around)
    view["meta"]["groups"] = bool(around)
    return render_html(view)


def path_html(
    graph: KnowledgeGraph,
    answer: HowAnswer,
    title: str | None = None,
    resolutions: Sequence[Resolution] = (),
    tour: bool = False,
) -> str:
    """The chains of a `how` answer, left to right from subject to object, as one HTML page; the page states the
    verdict with what it rests on, and what each typed name was taken to mean. It carries the guided tour of the
    answer (kg.tour), open from the start with `tour`; the documents' molecular mechanism gets the first row."""
    from kg.explain import headline, how_report
    from kg.tour import tour_data

    if not answer.paths:
        raise KGError(answer.message or "no chain to show: the answer has no paths")
    subject, obj = answer.subject or answer.paths[0].nodes[0], answer.object or answer.paths[0].nodes[-1]
    s, o = graph.entities[subject].label, graph.entities[obj].label
    default = f"How does {s} affect {o}?"
    verdict = headline(how_report(graph, replace(answer, paths=()), list(resolutions))).split(": ", 1)[1]
    notes = [f"{r.describe()}" for r in resolutions if not r.obvious]
    subtitle = " · ".join([*notes, f"{verdict} — {_count(len(answer.paths), 'chain')} of claims"])
    steps = tour_data(graph, answer, resolutions)
    view = view_data(
        graph,
        path_selection(answer),
        title=title or default,
        subtitle=subtitle,
        mode="path",
        focus=None,
        paths=answer.paths,
        effect=answer.effect,
        positions=path_layout([c["nodes"] for c in steps["chains"]]),
        tour=steps,
    )
    view["meta"]["verdict"] = verdict
    view["meta"]["resolved"] = notes
    view["meta"]["tourOpen"] = tour
    return render_html(view)


def tour_html(
    graph: KnowledgeGraph, answer: HowAnswer, title: str | None = None, resolutions: Sequence[Resolution] = ()
) -> str:
    """The guided tour of a `how` answer: the path view, opened on the tour's first step."""
    return path_html(graph, answer, title=title, resolutions=resolutions, tour=True)


def write_html(path: str | Path, page: str) -> None:
    """Write the page atomically; an unwritable place is a usage error (exit 2), never half a file."""
    from kg.export import atomic_write

    if str(path) != "-" and Path(path).is_dir():
        raise UsageError("is a directory; give a file name such as graph.html", where=str(path))
    try:
        atomic_write(path, page.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", where=str(path)) from None


@dataclass(frozen=True)
class NotebookView:
    """An HTML view that Jupyter displays inline, in an iframe whose srcdoc is the whole page."""

    html: str
    height: int = 640

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;height:{int(self.height)}px;'
            'border:1px solid #ddd;border-radius:4px" sandbox="allow-scripts"></iframe>'
        )


def show_in_notebook(page: str, height: int = 640) -> NotebookView:
    """Wrap a page for inline display: the last expression of a notebook cell renders it."""
    return NotebookView(page, height)


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def to_pyvis(
    graph: KnowledgeGraph,
    *,
    around: str | None = None,
    depth: int = 1,
    types: Iterable[str] = (),
    sources: Iterable[str] = (),
    answer: HowAnswer | None = None,
) -> Any:
    """A pyvis Network of a view — the whole graph, the neighbourhood of entity key `around`, or the chains of a
    `how` answer — with the colours, shapes, signs and statuses of the HTML page, for notebook users to show
    (`net.show("g.html")`) or restyle. Needs pyvis (a dependency of mechkg)."""
    from pyvis.network import Network

    if answer is not None:
        sel = path_selection(answer)
    else:
        sel = neighbourhood(graph, around, depth) if around else select_all(graph)
        sel = filter_selection(graph, sel, types, sources, keep=[around] if around else [])
    net = Network(directed=True, notebook=True, cdn_resources="in_line")
    for n in (node_view(graph, k) for k in sel.nodes):
        title = f"{n['label']} ({n['typeLabel']})" + (f"\n{n['definition']}" if n["definition"] else "")
        net.add_node(n["id"], label=n["label"], title=title, color=n["color"], shape=n["shape"], group=n["type"])
    for e in (edge_view(graph, i) for i in sel.statements):
        net.add_edge(
            e["from"], e["to"], label=e["label"], title=e["sentence"], color=e["color"], dashes=bool(e["dashes"])
        )
    return net
