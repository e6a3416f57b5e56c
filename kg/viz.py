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

# Colour and shape by entity type; a type not listed takes its nearest listed ancestor's style.
TYPE_STYLE: dict[str, tuple[str, str]] = {
    "Drug": ("#1f5fa8", "diamond"),
    "DrugClass": ("#6d9bd1", "diamond"),
    "ChemicalEntity": ("#2a9d8f", "triangle"),
    "Neurotransmitter": ("#2a9d8f", "triangle"),
    "Metabolite": ("#8cc9bf", "triangle"),
    "Receptor": ("#e9a23b", "square"),
    "BiologicalProcess": ("#b05aa0", "hexagon"),
    "AnatomicalEntity": ("#9c7a4d", "triangleDown"),
    "Condition": ("#c8324a", "dot"),
    "Disease": ("#c8324a", "dot"),
    "PhenotypicFeature": ("#f2c14e", "dot"),
    "Symptom": ("#f2c14e", "dot"),
    "AdverseEffect": ("#e07b91", "dot"),
    "RouteOfAdministration": ("#9e9e9e", "square"),
    "TreatmentRegimen": ("#5f9ea0", "square"),
    "RiskFactor": ("#6b4c9a", "triangleDown"),
    "Behavior": ("#4caf50", "star"),
}
DEFAULT_STYLE = ("#a0a0a0", "dot")

# Arrow colour and head by sign: increase →, decrease ⊣ (the T-bar of pathway diagrams), unsigned → grey.
SIGNS: dict[int, dict[str, str]] = {
    1: {"key": "1", "label": "increases", "color": "#238b45", "arrow": "arrow", "glyph": "+"},
    -1: {"key": "-1", "label": "decreases", "color": "#cb181d", "arrow": "bar", "glyph": "−"},
    0: {"key": "0", "label": "unsigned / context", "color": "#737373", "arrow": "vee", "glyph": "·"},
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
    """One entity as the page needs it: label, type, IDs, synonyms, definition, colour and shape."""
    ent = graph.entities[key]
    cls = graph.vocab.classes.get(ent.type)
    color, shape = type_style(graph, ent.type)
    return {
        "id": key,
        "label": ent.label,
        "type": ent.type,
        "typeLabel": cls.label if cls else ent.type,
        "category": cls.category if cls else "",
        "ids": [{"curie": x.curie, "match": x.match} for x in ent.xrefs],
        "synonyms": list(ent.synonyms),
        "definition": ent.definition,
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
        "label": label + (" (disputed)" if st.status == "disputed" else ""),
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
    """vis-network options sized for the graph: bounded stabilization, then physics off (the page does that)."""
    large = n_nodes > LARGE
    iterations = 600 if n_nodes <= 100 else 300 if n_nodes <= LARGE else 150 if n_nodes <= 3000 else 60
    font = {
        "size": 14,
        "face": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        "color": "#1d2430",
        "strokeWidth": 4,
        "strokeColor": "#ffffff",
    }
    opts: dict[str, Any] = {
        "autoResize": True,
        "nodes": {
            "size": 10 if large else 16,
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
            "font": font,
            "widthConstraint": {"maximum": 160},
        },
        "edges": {
            "width": 1.5,
            "selectionWidth": 2.5,
            "hoverWidth": 1,
            "arrowStrikethrough": False,
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.25},
            "font": {
                "size": 11,
                "face": font["face"],
                "color": "#4a4f57",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
                "align": "horizontal",
            },
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
        "edgeLabels": n_edges <= 150,
    }
    if mode == "path":
        opts["physics"] = {"enabled": False}
        opts["nodes"]["font"] = {**font, "size": 16}
        opts["edges"]["font"]["size"] = 13
        opts["edges"]["smooth"] = {
            "enabled": True,
            "type": "cubicBezier",
            "forceDirection": "horizontal",
            "roundness": 0.45,
        }
    else:
        opts["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",  # degree-weighted repulsion spreads the neighbours of hubs
            "forceAtlas2Based": {
                "gravitationalConstant": -120 if not large else -60,
                "centralGravity": 0.03,
                "springLength": 130 if n_nodes <= 30 else 80 if not large else 50,
                "springConstant": 0.06,
                "damping": 0.4,
                "avoidOverlap": 0.8,
            },
            "maxVelocity": 60,
            "minVelocity": 1.5,
            "timestep": 0.5,
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25, "fit": True},
        }
    return opts


def path_layout(paths: Sequence[Sequence[str]], x_gap: float = 190, y_gap: float = 110) -> dict[str, dict]:
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
) -> dict:
    """Everything the page shows, as JSON-ready data (no HTML)."""
    nodes = [node_view(graph, k) for k in sel.nodes]
    edges = [edge_view(graph, i) for i in sel.statements]
    spread_parallels(edges)
    if mode == "path":
        pos = path_layout([p.nodes for p in paths])
        for n in nodes:
            n.update(pos.get(n["id"], {}))
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
                "color": type_style(graph, t)[0],
                "border": darker(type_style(graph, t)[0]),
                "shape": type_style(graph, t)[1],
                "count": c,
            }
            for t, c in sorted(type_counts.items())
        ],
        "signs": [{**SIGNS[s], "count": sum(e["sign"] == s for e in edges)} for s in (1, -1, 0)],
        "statuses": [
            {
                "key": s,
                "help": STATUS_HELP.get(s, ""),
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


def graph_html(
    graph: KnowledgeGraph,
    *,
    around: str | None = None,
    depth: int = 1,
    types: Iterable[str] = (),
    sources: Iterable[str] = (),
    title: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> str:
    """The whole graph, or the neighbourhood of entity key `around`, filtered by type and source, as one HTML page;
    `warn` hears when the view is large enough to keep a browser busy."""
    sel = neighbourhood(graph, around, depth) if around else select_all(graph)
    sel = filter_selection(graph, sel, types, sources, keep=[around] if around else [])
    if not sel.nodes:
        raise KGError("nothing to show: no entity passes the --type / --source filters")
    if warn and len(sel.nodes) > BIG_VIEW:
        warn(
            f"{len(sel.nodes):,} entities and {len(sel.statements):,} claims: a browser needs tens of seconds to lay "
            "them out (20,000 entities: ~35 s); --around NAME, --type or --source draws fewer"
        )
    if around:
        label = graph.entities[around].label
        default = f"Around {label} ({depth} step{'s' if depth != 1 else ''})"
    else:
        default = "mechkg knowledge graph"
    n_sources = len({s for i in sel.statements for s in graph.statements[i].sources})
    subtitle = (
        f"{_count(len(sel.nodes), 'entity', 'entities')}, {_count(len(sel.statements), 'claim')} "
        f"from {_count(n_sources, 'document')}"
    )
    view = view_data(graph, sel, title=title or default, subtitle=subtitle, focus=around)
    return render_html(view)


def path_html(
    graph: KnowledgeGraph, answer: HowAnswer, title: str | None = None, resolutions: Sequence[Resolution] = ()
) -> str:
    """The chains of a `how` answer, left to right from subject to object, as one HTML page; the page states the
    verdict with what it rests on, and what each typed name was taken to mean."""
    from kg.explain import headline, how_report

    if not answer.paths:
        raise KGError(answer.message or "no chain to show: the answer has no paths")
    subject, obj = answer.subject or answer.paths[0].nodes[0], answer.object or answer.paths[0].nodes[-1]
    s, o = graph.entities[subject].label, graph.entities[obj].label
    default = f"How does {s} affect {o}?"
    verdict = headline(how_report(graph, replace(answer, paths=()), list(resolutions))).split(": ", 1)[1]
    notes = [f"{r.describe()}" for r in resolutions if not r.obvious]
    subtitle = " · ".join([*notes, f"{verdict} — {_count(len(answer.paths), 'chain')} of claims, best first"])
    view = view_data(
        graph,
        path_selection(answer),
        title=title or default,
        subtitle=subtitle,
        mode="path",
        focus=None,
        paths=answer.paths,
        effect=answer.effect,
    )
    view["meta"]["verdict"] = verdict
    view["meta"]["resolved"] = notes
    return render_html(view)


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
