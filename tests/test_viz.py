"""The HTML views: pure view-building functions, the page's safety, the CLI, and a real headless Chromium offline."""

from __future__ import annotations

import html as htmllib
import json
import re
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_kg
from kg.errors import UsageError
from kg.graph import KnowledgeGraph
from kg.model import Dataset, Entity, Evidence, Source, Statement, Xref
from kg.paths import how
from kg.viz import (
    NotebookView,
    filter_selection,
    graph_html,
    neighbourhood,
    path_html,
    path_layout,
    script_json,
    select_all,
    show_in_notebook,
    view_data,
    write_html,
)
from kg.vocab import load_vocabulary

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE_LABEL = '<img src=x onerror="window.__pwned=1">'
HOSTILE_QUOTE = "</script><script>window.__pwned=1</script>"
HOSTILE_SYNONYM = '"><img src=x onerror=window.__pwned=1>'


def embedded(page: str) -> dict:
    """The view data a page carries in its JSON block."""
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert m, "no embedded data block"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def hostile_graph() -> KnowledgeGraph:
    """A tiny graph whose label, synonym, definition, quote, note and source title try to inject markup."""
    vocab = load_vocabulary()
    src = {"evil": Source("evil", "<b>Evil</b> & “source” </script>", "evil.txt")}
    ents = {
        "bad": Entity(
            "bad",
            HOSTILE_LABEL,
            "Drug",
            synonyms=(HOSTILE_SYNONYM,),
            xrefs=(Xref("CHEBI:1"),),
            definition="<script>window.__pwned=1</script> \u2028 line separator",
        ),
        "target": Entity("target", "plain target", "Symptom"),
    }
    st = Statement(
        "bad-causes-target",
        "bad",
        "causes",
        "target",
        (Evidence("evil", HOSTILE_QUOTE),),
        note="<i>note</i>",
        status="disputed",
    )
    return KnowledgeGraph.create(vocab, Dataset(src, ents, {st.id: st}))


# --- pure functions ----------------------------------------------------------------------------------------------


def test_script_json_escapes_everything_that_could_end_a_script():
    data = {"q": "</script><!-- & \u2028\u2029 >", "n": [1, 2.5, None, True]}
    text = script_json(data)
    assert not re.search("[<>&\u2028\u2029]", text)
    assert json.loads(text) == data


def test_neighbourhood_depths(mini_graph):
    assert neighbourhood(mini_graph, "messenger_m", 0).nodes == ("messenger_m",)
    one = neighbourhood(mini_graph, "messenger_m", 1)
    assert set(one.nodes) == {"receptor_r", "messenger_m", "process_p"}
    assert set(one.statements) == {"receptor_r-decreases-messenger_m", "messenger_m-increases-process_p"}
    two = neighbourhood(mini_graph, "messenger_m", 2)
    assert {"drug_a", "condition_c"} <= set(two.nodes)
    # statements among the selected entities only
    assert all(
        mini_graph.statements[s].subject in two.nodes and mini_graph.statements[s].object in two.nodes
        for s in two.statements
    )
    with pytest.raises(UsageError):
        neighbourhood(mini_graph, "nope", 1)


def test_filters_by_type_with_subtypes_and_by_source(mini_graph):
    sel = filter_selection(mini_graph, select_all(mini_graph), types=["PhenotypicFeature"])
    assert set(sel.nodes) == {"symptom_s", "symptom_t", "island"}  # Symptom is a PhenotypicFeature
    assert sel.statements == ()
    by_b = filter_selection(mini_graph, select_all(mini_graph), sources=["b"])
    assert all("b" in mini_graph.statements[s].sources for s in by_b.statements)
    assert "island" not in by_b.nodes and "drug_b" in by_b.nodes
    kept = filter_selection(mini_graph, select_all(mini_graph), types=["Drug"], keep=["island"])
    assert "island" in kept.nodes
    with pytest.raises(UsageError, match="unknown type 'Dug'"):
        filter_selection(mini_graph, select_all(mini_graph), types=["Dug"])
    with pytest.raises(UsageError, match="unknown source"):
        filter_selection(mini_graph, select_all(mini_graph), sources=["zzz"])


def test_view_data_styles_signs_statuses(mini_graph):
    view = view_data(mini_graph, select_all(mini_graph), title="t")
    edges = {e["id"]: e for e in view["edges"]}
    assert len(view["nodes"]) == len(mini_graph.entities) and len(edges) == len(mini_graph.statements)
    block = edges["drug_a-antagonizes-receptor_r"]
    assert block["sign"] == -1 and block["arrow"] == "bar" and block["dashes"] is False
    assert edges["messenger_m-increases-process_p"]["arrow"] == "arrow"
    disputed = edges["drug_a-increases-symptom_s"]
    assert disputed["dashes"] and disputed["conflicts"] == ["drug_a-treats-condition_c"] and disputed["note"]
    assert edges["drug_a-causes-symptom_t"]["label"].startswith("not:")
    assert edges["drug_a-treats-condition_c"]["qualifiers"] == ["onset: ?–2 hour"]
    assert edges["drug_b-associatedWith-condition_c"]["arrowOn"] is False
    assert edges["drug_a-antagonizes-receptor_r"]["evidence"][0] == {
        "source": "a",
        "title": "Document A",
        "file": "a.txt",
        "quote": "Drug A blocks receptor R.",
    }
    nodes = {n["id"]: n for n in view["nodes"]}
    assert nodes["drug_a"]["ids"] == [{"curie": "CHEBI:6121", "match": "exact"}]
    assert nodes["drug_a"]["shape"] == "diamond" and nodes["symptom_s"]["shape"] == "dot"
    assert {t["key"] for t in view["types"]} == {n["type"] for n in view["nodes"]}
    assert sum(s["count"] for s in view["signs"]) == len(edges)
    assert view["options"]["physics"]["stabilization"]["iterations"] <= 600


def test_a_view_too_big_for_a_quick_layout_is_announced(mini_graph, monkeypatch):
    import kg.viz

    heard: list[str] = []
    graph_html(mini_graph, warn=heard.append, everything=True)
    assert heard == []  # small enough
    monkeypatch.setattr(kg.viz, "BIG_VIEW", 3)
    graph_html(mini_graph, warn=heard.append, everything=True)
    n, m = len(mini_graph.entities), len(mini_graph.statements)
    assert len(heard) == 1 and heard[0].startswith(f"{n} entities and {m} claims: ") and "--around" in heard[0]


def test_large_graphs_get_bounded_layout():
    from kg.viz import vis_options

    opts = vis_options(1000, 3000)
    assert opts["physics"]["stabilization"]["iterations"] <= 200
    assert opts["edgeLabels"] == "highlighted" and opts["layout"]["improvedLayout"] is False
    # labels are never drawn below a readable size, in every mode
    for mode in ("graph", "start", "path"):
        o = vis_options(50, 80, mode)
        assert o["nodes"]["scaling"]["label"]["drawThreshold"] >= 12
        assert o["edges"]["scaling"]["label"]["drawThreshold"] >= 12
    assert vis_options(10, 10, "path")["physics"] == {"enabled": False}


def test_path_layout_runs_left_to_right():
    chains = [["d", "s"], ["d", "a", "s"], ["d", "r", "g", "p", "a", "s"]]
    pos = path_layout(chains)
    for chain in chains:
        xs = [pos[n]["x"] for n in chain]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert pos["d"]["x"] == 0 and pos["s"]["x"] == max(p["x"] for p in pos.values())
    assert len({(p["x"], p["y"]) for p in pos.values()}) == len(pos)  # no two entities in one place
    assert pos["a"]["y"] != pos["d"]["y"]  # the direct link keeps its row to itself


def test_page_is_self_contained(real_graph, tmp_path):
    page = graph_html(real_graph, everything=True)
    out = tmp_path / "g.html"
    write_html(out, page)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # what `grep -E "https?://"` finds is only text inside scripts (licence comments, the SVG namespace):
    # nothing loads from the network.
    for m in re.finditer(r"https?://", text):
        before = text[max(0, m.start() - 20) : m.start()]
        loads = r"""(src|href|action|srcset|poster|data)\s*=\s*["']?\s*$|url\(\s*["']?\s*$|@import\s*["']?$"""
        assert not re.search(loads, before, re.I), before
    assert not re.search(r"""<(script|img|iframe|link)[^>]*\s(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*https?:""", text, re.I)
    assert '<link rel="stylesheet"' not in text and "<script src" not in text
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp.split(";")[1]
    data = embedded(text)
    assert data["meta"]["counts"] == {"nodes": len(real_graph.entities), "edges": len(real_graph.statements)}


def test_hostile_text_never_reaches_the_markup(hostile_graph):
    page = graph_html(hostile_graph, around="bad")
    body = page.split('id="kg-data">', 1)[1]
    assert HOSTILE_LABEL not in page and "<img" not in page
    assert HOSTILE_QUOTE not in body and "\u2028" not in body
    assert f"<title>Around {htmllib.escape(HOSTILE_LABEL)}" in page
    data = embedded(page)
    assert data["edges"][0]["evidence"][0]["quote"] == HOSTILE_QUOTE
    assert data["nodes"][0]["label"] == HOSTILE_LABEL


def test_notebook_view_uses_an_iframe_srcdoc(mini_graph):
    page = graph_html(mini_graph)
    view = show_in_notebook(page, height=500)
    assert isinstance(view, NotebookView)
    frame = view._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and "height:500px" in frame
    srcdoc = frame.split('srcdoc="', 1)[1].split('" style=', 1)[0]
    assert "<" not in srcdoc and '"' not in srcdoc
    assert htmllib.unescape(srcdoc) == page


def test_write_html_refuses_bad_places(tmp_path):
    with pytest.raises(UsageError, match="cannot write"):
        write_html(tmp_path / "no" / "such" / "x.html", "<p>")
    with pytest.raises(UsageError, match="is a directory"):
        write_html(tmp_path, "<p>")
    assert list(tmp_path.iterdir()) == []


# --- CLI ---------------------------------------------------------------------------------------------------------


def test_cli_viz_start_view_and_whole_graph(tmp_path, real_graph):
    out = tmp_path / "x.html"
    r = run_kg("viz", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"wrote {out}" in r.stderr
    data = embedded(out.read_text(encoding="utf-8"))
    assert data["meta"]["mode"] == "start" and len(data["nodes"]) == len(real_graph.entities)
    assert data["meta"]["start"][:2] == ["ketamine", "nmda_receptor"] and data["tour"]["subject"] == "ketamine"
    r = run_kg("viz", "--all", "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = embedded(out.read_text(encoding="utf-8"))
    assert data["meta"]["mode"] == "graph" and data["nodes"] and data["edges"] and data["tour"] is None


def test_cli_viz_around_glutamate(tmp_path, real_graph):
    out = tmp_path / "glu.html"
    r = run_kg("viz", "--around", "glutamate", "--depth", "1", "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = embedded(out.read_text(encoding="utf-8"))
    keys = {n["id"] for n in data["nodes"]}
    assert data["meta"]["focus"] == "glutamate" and "glutamate" in keys
    assert keys == set(neighbourhood(real_graph, "glutamate", 1).nodes)
    assert "nmda_receptor" in keys and "synaptogenesis" in keys


def test_cli_viz_synonym_path_and_filters(tmp_path, mini_dir):
    out = tmp_path / "p.html"
    r = run_kg("--data", str(mini_dir), "viz", "--path", "drug A", "tiredness", "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = embedded(out.read_text(encoding="utf-8"))
    assert data["meta"]["mode"] == "path" and data["paths"]
    assert all(p["nodes"][0] == "drug_a" and p["nodes"][-1] == "symptom_s" for p in data["paths"])
    assert data["tour"]["chains"] and data["meta"]["tourOpen"] is False
    out2 = tmp_path / "f.html"
    r = run_kg("--data", str(mini_dir), "viz", "--type", "Drug", "--type", "Disease", "--source", "b", "-o", str(out2))
    assert r.returncode == 0, r.stderr
    data = embedded(out2.read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == {"drug_b", "condition_c"}


def test_cli_viz_errors_are_one_line_and_write_nothing(tmp_path, mini_dir):
    out = tmp_path / "x.html"
    cases = [
        (("viz", "--around", "no such thing", "-o", str(out)), 2, "unknown entity"),
        (("viz", "--path", "drug A", "island", "-o", str(out)), 1, "no known link"),
        (("viz", "--path", "drug A", "island", "--around", "drug A", "-o", str(out)), 2, "cannot be combined"),
        (("viz", "--tour", "drug A", "island", "-o", str(out)), 1, "no known link"),
        (("viz", "--tour", "drug A", "R", "--path", "drug A", "R", "-o", str(out)), 2, "cannot be combined"),
        (("tour", "drug A", "-o", str(out)), 2, "give both SUBJECT and OBJECT"),
        (("tour", "drug A", "island", "-o", str(out)), 1, "no known link"),
        (("tour", "nothing like it", "R", "-o", str(out)), 2, "nothing like it"),
        (("viz", "--type", "Dug", "-o", str(out)), 2, "unknown type 'Dug'"),
        (("viz", "--source", "nowhere", "-o", str(out)), 2, "unknown source"),
        (("viz", "-o", str(tmp_path / "missing" / "dir" / "x.html")), 2, "cannot write"),
        (("viz", "-o", str(tmp_path)), 2, "is a directory"),
        (("viz", "--type", "AdverseEffect", "-o", str(out)), 1, "nothing to show"),
    ]
    for args, code, message in cases:
        r = run_kg("--data", str(mini_dir), *args)
        assert r.returncode == code, (args, r.stderr)
        assert message in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr and r.stderr.strip().count("\n") <= 1, r.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_viz_open_writes_then_opens(kg_cli, mini_dir, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    out = tmp_path / "o.html"
    r = kg_cli("--data", str(mini_dir), "viz", "--around", "R", "-o", str(out), "--open")
    assert r.exit_code == 0 and opened == [out.resolve().as_uri()]


def test_how_html_writes_the_path_view(tmp_path):
    out = tmp_path / "how.html"
    r = run_kg("how", "ketamine", "fatigue", "--html", str(out))
    assert r.returncode == 0, r.stderr
    data = embedded(out.read_text(encoding="utf-8"))
    assert data["meta"]["mode"] == "path" and data["paths"][0]["nodes"][0] == "ketamine"


def test_other_commands_do_not_import_viz_or_pyvis(mini_dir):
    code = (
        "import sys; from click.testing import CliRunner; from cli import cli; "
        f"r = CliRunner().invoke(cli, ['--data', {str(mini_dir)!r}, 'stats']); assert r.exit_code == 0, r.output; "
        "heavy = lambda: sorted(m for m in ('kg.viz', 'pyvis', 'IPython') if m in sys.modules); print(heavy()); "
        f"r = CliRunner().invoke(cli, ['--data', {str(mini_dir)!r}, 'viz', '--around', 'R']); "
        "assert r.exit_code == 0, r.output; print(heavy())"
    )
    import subprocess

    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[-3:-1] == ["[]", "['kg.viz']"], r.stdout[-300:]


# --- in a real browser, offline ----------------------------------------------------------------------------------


class Opened:
    """A page opened from file:// with every other request blocked, recording errors and blocked requests."""

    def __init__(self, context, page) -> None:
        self.context = context
        self.page = page
        self.errors: list[str] = []
        self.blocked: list[str] = []

    def js(self, expression: str):
        """Evaluate in the page (CDP evaluation; the page's own CSP forbids eval, as it should)."""
        return self.page.evaluate(expression)

    def wait(self, expression: str, timeout: float = 30.0) -> float:
        """Poll until the expression is truthy; return the seconds it took."""
        t0 = time.monotonic()
        while not self.js(f"!!({expression})"):
            if time.monotonic() - t0 > timeout:
                raise AssertionError(f"timed out after {timeout:g} s waiting for {expression}")
            time.sleep(0.02)
        return time.monotonic() - t0

    def assert_clean(self) -> None:
        """No console errors, no uncaught exceptions, no request left the machine, nothing injected ran."""
        assert self.blocked == [], f"requests that were not file:// : {self.blocked}"
        assert self.errors == [], self.errors
        assert self.js("window.__pwned") is None

    def screenshot(self, name: str) -> Path:
        """Save a screenshot under test-artifacts/."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright (skipped only when /usr/bin/chromium is absent)."""
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def open_page(browser, tmp_path):
    """Open an HTML string (written to a file) or a file in a fresh context; check it stayed clean afterwards."""
    opened: list[Opened] = []

    def _open(page_html: str | Path, name: str = "view.html", settle: bool = True) -> Opened:
        path = page_html if isinstance(page_html, Path) else tmp_path / name
        if not isinstance(page_html, Path):
            path.write_text(page_html, encoding="utf-8")
        context = browser.new_context(viewport={"width": 1400, "height": 850})
        page = context.new_page()
        o = Opened(context, page)

        def route(r):
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                o.blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page.on("console", lambda m: o.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: o.errors.append(f"pageerror: {e}"))
        page.goto(path.as_uri())
        if settle:
            o.load_seconds = o.wait("window.mechkg && window.mechkg.state.stabilized")
        opened.append(o)
        return o

    yield _open
    for o in opened:
        o.context.close()


def edge_click_point(o: Opened, sid: str) -> tuple[float, float]:
    """A point in the page on edge `sid` where the network reports that very edge."""
    return tuple(
        o.js(
            f"""(() => {{
        const net = mechkg.network, edge = net.body.edges[{json.dumps(sid)}];
        const rect = document.getElementById('network').getBoundingClientRect();
        for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75]) {{
          const dom = net.canvasToDOM(edge.edgeType.getPoint(t));
          const hit = net.getEdgeAt(dom), node = net.getNodeAt(dom);
          if (hit === {json.dumps(sid)} && node === undefined) return [rect.left + dom.x, rect.top + dom.y];
        }}
        throw new Error('no clickable point on edge');
      }})()"""
        )
    )


@pytest.mark.browser
def test_browser_draws_the_whole_graph_offline(open_page, real_graph):
    o = open_page(graph_html(real_graph, everything=True))
    n, m = len(real_graph.entities), len(real_graph.statements)
    assert o.js("mechkg.nodes.length") == n and o.js("mechkg.edges.length") == m
    assert o.js("mechkg.nodesView.length") == n and o.js("mechkg.edgesView.length") == m
    assert o.js("mechkg.network.body.nodeIndices.length") == n
    assert o.js("mechkg.network.body.edgeIndices.length") == m
    assert o.js("mechkg.network.physics.options.enabled") is False  # settled, then stopped
    assert o.js("mechkg.overlaps()") == 0  # no two labels on top of each other
    assert o.js("document.getElementById('counts').textContent") == f"showing {n} of {n} entities · {m} of {m} claims"
    legend = o.js("document.getElementById('legend-types').textContent")
    assert "neurotransmitter" in legend and "drug" in legend
    o.screenshot("viz-graph.png")
    o.assert_clean()


@pytest.mark.browser
def test_browser_search_focuses_glutamate(open_page, real_graph):
    o = open_page(graph_html(real_graph, everything=True))
    o.page.fill("#search", "glutamate")
    assert o.js("document.querySelector('#suggest li span:nth-child(2)').textContent") == "glutamate"
    o.page.press("#search", "Enter")
    o.wait("mechkg.state.focused === 'glutamate'", timeout=5)
    assert o.js("mechkg.network.getSelectedNodes()") == ["glutamate"]
    in_view = o.js(
        """(() => { const net = mechkg.network, c = document.getElementById('network');
        const p = net.canvasToDOM(net.getPositions(['glutamate']).glutamate);
        return p.x > 0 && p.y > 0 && p.x < c.clientWidth && p.y < c.clientHeight; })()"""
    )
    assert in_view
    assert o.js("document.getElementById('info-title').textContent") == "glutamate"
    assert "The brain's main excitatory chemical messenger." in o.js("document.getElementById('info').textContent")
    # by synonym, from the suggestion list
    o.page.fill("#search", "glutamic acid")
    assert "synonym: glutamic acid" in o.js("document.getElementById('suggest').textContent")
    o.js("mechkg.network.unselectAll(); mechkg.state.focused = null")
    o.page.press("#search", "Enter")
    o.wait("mechkg.state.focused === 'glutamate'", timeout=5)
    o.page.fill("#search", "zzzzqq")
    o.page.press("#search", "Enter")
    assert "No entity matches" in o.js("document.getElementById('search-msg').textContent")
    o.screenshot("viz-search.png")
    o.assert_clean()


@pytest.mark.browser
def test_browser_clicking_an_edge_shows_its_quotes(open_page, real_graph):
    o = open_page(graph_html(real_graph, around="glutamate", depth=1))
    st = next(s for s in real_graph.outgoing("glutamate") if s.object == "synaptogenesis")
    x, y = edge_click_point(o, st.id)
    o.page.mouse.click(x, y)
    o.wait(f"mechkg.state.pinned && mechkg.state.pinned.id === {json.dumps(st.id)}", timeout=5)
    panel = o.js("document.getElementById('info').textContent")
    for ev in st.evidence:
        assert f"“{ev.quote}”" in panel
        assert real_graph.data.sources[ev.source].title in panel
    assert real_graph.sentence(st) in panel
    o.page.mouse.move(5, 5)  # leaving the edge keeps the pinned claim in the panel
    assert st.evidence[0].quote in o.js("document.getElementById('info').textContent")
    o.screenshot("viz-edge.png")
    o.assert_clean()


@pytest.mark.browser
def test_browser_hostile_text_renders_as_text(open_page, hostile_graph):
    o = open_page(graph_html(hostile_graph, around="bad"))
    assert o.js("document.title") == f"Around {HOSTILE_LABEL} (1 step)"
    assert o.js("document.getElementById('info-title').textContent") == HOSTILE_LABEL  # the focus entity's card
    info = o.js("document.getElementById('info').textContent")
    assert HOSTILE_SYNONYM in info and "<script>window.__pwned=1</script>" in info
    o.page.fill("#search", "img src")
    assert HOSTILE_LABEL in o.js("document.getElementById('suggest').textContent")
    x, y = edge_click_point(o, "bad-causes-target")
    o.page.mouse.click(x, y)
    o.wait("mechkg.state.pinned && mechkg.state.pinned.kind === 'edge'", timeout=5)
    quote = o.js("document.querySelector('#evidence blockquote p').textContent")
    assert quote == f"“{HOSTILE_QUOTE}”"
    assert "<b>Evil</b> & “source” </script>" in o.js("document.querySelector('#evidence cite').textContent")
    assert o.page.get_by_text(HOSTILE_QUOTE, exact=False).first.is_visible()
    assert o.js("document.querySelectorAll('img, #info script, #info b, #info i').length") == 0
    o.screenshot("viz-hostile.png")
    o.assert_clean()


@pytest.mark.browser
def test_browser_path_view_highlights_the_chain(open_page, real_graph):
    want = {"nmda_receptor", "glutamate", "synaptogenesis"}
    answer = how(real_graph, "ketamine", "fatigue", max_length=6, top=5)
    assert answer.code == "found"
    assert any(want <= set(p.nodes) for p in answer.paths)  # `how` always shows the molecular mechanism chains
    o = open_page(path_html(real_graph, answer))
    chains = o.js("mechkg.data.paths.map(p => p.nodes)")
    index = next(i for i, nodes in enumerate(chains) if want <= set(nodes))
    assert o.js("document.querySelectorAll('#chain-list li').length") == len(answer.paths)
    o.page.click(f"#chain-list li[data-chain='{index}']")
    o.page.mouse.move(700, 5)  # off the list: the clicked chain stays highlighted
    lit = o.js("mechkg.highlighted()")
    chain_edges = [h.statement for h in answer.paths[index].hops]
    assert want <= set(lit["nodes"]) and set(lit["edges"]) == set(chain_edges)
    pressed = o.js(f"document.querySelector(`#chain-list li[data-chain='{index}']`).getAttribute('aria-pressed')")
    assert pressed == "true"
    # chain edges are drawn wider and in colour; every other edge is faded
    widths = o.js("Object.fromEntries(mechkg.edges.get().map(e => [e.id, [e.width, e.color.color]]))")
    for sid, (width, color) in widths.items():
        if sid in chain_edges:
            assert width > 2 and color != "#e1e4e8"
        else:
            assert color == "#e1e4e8"
    # left to right, from drug to symptom
    pos = o.js("mechkg.network.getPositions()")
    xs = [pos[k]["x"] for k in answer.paths[index].nodes]
    assert xs == sorted(xs) and pos["ketamine"]["x"] < pos["fatigue"]["x"]
    o.screenshot("viz-path.png")
    o.page.click("#show-all")
    assert o.js("mechkg.highlighted()") is None
    o.assert_clean()


@pytest.mark.browser
def test_browser_filters_by_type_sign_and_source(open_page, mini_graph):
    o = open_page(graph_html(mini_graph, everything=True))
    n, m = len(mini_graph.entities), len(mini_graph.statements)
    o.page.locator("#legend-types label", has_text="symptom").locator("input").uncheck()
    symptoms = sum(e.type == "Symptom" for e in mini_graph.entities.values())
    assert o.js("mechkg.nodesView.length") == n - symptoms
    o.page.click("#reset")
    assert o.js("mechkg.nodesView.length") == n and o.js("mechkg.edgesView.length") == m
    o.page.locator("#legend-sources label", has_text="Document A").locator("input").uncheck()
    only_b = [s for s in mini_graph.statements.values() if "b" in s.sources]
    assert o.js("mechkg.edgesView.length") == len(only_b)
    o.page.click("#reset")
    o.page.locator("#legend-signs label", has_text="decreases").locator("input").uncheck()
    assert o.js("mechkg.edgesView.length") == sum(mini_graph.sign(s) != -1 for s in mini_graph.statements.values())
    o.assert_clean()


@pytest.mark.browser
def test_browser_thousand_nodes_stay_usable(open_page):
    sys.path.insert(0, str(ROOT))
    from bench.viz_scale import synthetic_graph

    graph = synthetic_graph(1000, 2.0)
    t0 = time.perf_counter()
    page = graph_html(graph, everything=True)
    build = time.perf_counter() - t0
    o = open_page(page, "big.html", settle=False)
    o.wait("window.mechkg")  # the network exists; layout takes a while longer
    o.js("""window.redrawsAfterSettling = 0;
      mechkg.network.on("afterDrawing", () => { if (mechkg.state.stabilized) window.redrawsAfterSettling++; });
      true""")
    o.wait("mechkg.state.stabilized")
    timing = o.js("mechkg.state.timing")
    assert o.js("mechkg.nodes.length") == 1000 and o.js("mechkg.edges.length") == len(graph.statements)
    assert o.js("mechkg.network.body.nodeIndices.length") == 1000
    assert o.js("mechkg.network.physics.options.enabled") is False
    assert o.js("mechkg.data.options.physics.stabilization.iterations") <= 200
    time.sleep(0.5)
    # settled means still: moving entities one by one (network.moveNode) queued a full redraw per entity, which
    # kept a 2,000-entity page busy for two minutes after it said it had settled
    assert o.js("window.redrawsAfterSettling") <= 5  # the fit and the labels moved apart: 2; one per entity moved: 111
    o.page.fill("#search", "syn 500")
    o.page.press("#search", "Enter")
    focus = o.wait("mechkg.state.focused === 'e00500'", timeout=5)
    settled = timing["stabilized"] / 1000  # seconds since navigation started
    assert settled < 20, f"took {settled:.1f} s to load and settle"
    ARTIFACTS.mkdir(exist_ok=True)
    report = {
        "nodes": 1000,
        "edges": len(graph.statements),
        "page_mb": round(len(page) / 1e6, 2),
        "build_s": round(build, 3),
        "load_and_settle_s": round(settled, 2),
        "search_focus_s": round(focus, 2),
        "page_timing_ms": {k: round(v) for k, v in timing.items()},
    }
    (ARTIFACTS / "viz-1000-timing.json").write_text(json.dumps(report, indent=2) + "\n")
    o.screenshot("viz-1000.png")
    o.assert_clean()


@pytest.mark.browser
def test_browser_notebook_iframe_renders(open_page, mini_graph, tmp_path):
    wrapper = f"<!DOCTYPE html><meta charset=utf-8><body>{show_in_notebook(graph_html(mini_graph), 600)._repr_html_()}"
    o = open_page(wrapper, "notebook.html", settle=False)
    frame = o.page.frames[1]
    t0 = time.monotonic()
    while not frame.evaluate("!!(window.mechkg && window.mechkg.state.stabilized)"):
        assert time.monotonic() - t0 < 20, "notebook iframe never settled"
        time.sleep(0.05)
    assert frame.evaluate("mechkg.nodes.length") == len(mini_graph.entities)
    o.assert_clean()


# --- for students: the tour, the start view, layout kept, keyboard, phone, contrast, export ----------------------

CONTRAST_JS = """(() => {
  // WCAG 2 contrast of every visible text on the page against the background it sits on
  const lum = (c) => { const m = c.match(/[\\d.]+/g).map(Number); const f = (v) => { v /= 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]); };
  const alpha = (c) => { const m = c.match(/[\\d.]+/g); return m.length > 3 ? Number(m[3]) : 1; };
  const bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
    if (alpha(c) > 0.5) return c; } return "rgb(255, 255, 255)"; };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.textContent.trim() || !el) continue;
    if (el.closest("[hidden], script, style, [aria-hidden=true], button:disabled")) continue;
    if (!el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || Number(s.opacity) < 0.5) continue;
    const a = lum(s.color), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const px = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = px >= 24 || (bold && px >= 18.66) ? 3 : 4.5;
    if (ratio < need) low.push([t.textContent.trim().slice(0, 40), s.color, bg(el), Math.round(ratio * 100) / 100]);
  }
  return low;
})()"""


def tour_state(o: Opened) -> dict:
    """Where the tour is, what it highlights and how the highlighted arrows are drawn."""
    return o.js(
        """(() => { const h = mechkg.highlighted(); const w = mechkg.tour.where();
        const drawn = Object.fromEntries(h.edges.map((id) => { const e = mechkg.edges.get(id);
          return [id, [e.width, e.color.color]]; }));
        return { where: w, nodes: h.nodes, edges: h.edges, drawn,
          body: document.getElementById('tour-body').textContent,
          count: document.getElementById('tour-count').textContent }; })()"""
    )


@pytest.mark.browser
def test_browser_tour_steps_by_keys_and_buttons(open_page, real_graph):
    from kg.viz import tour_html

    answer = how(real_graph, "ketamine", "depression")
    o = open_page(tour_html(real_graph, answer))
    o.wait("mechkg.tour.where() !== null")
    chain = o.js("mechkg.data.tour.chains[0]")
    assert chain["mechanism"] and chain["nodes"][1] == "nmda_receptor"
    n = len(chain["steps"])
    start = tour_state(o)
    assert start["where"] == {"chain": 0, "step": 0} and start["count"] == f"Step 1 of {n + 2}"
    assert "How does ketamine affect depression?" in start["body"] and set(start["nodes"]) == set(chain["nodes"])
    base = {e["id"]: e["width"] for e in o.js("mechkg.data.edges")}
    for k, step in enumerate(chain["steps"], 1):
        if k % 2:
            o.page.keyboard.press("ArrowRight")
        else:
            o.page.click("#tour-next")
        s = tour_state(o)
        assert s["where"] == {"chain": 0, "step": k} and s["count"] == f"Step {k + 1} of {n + 2}"
        # the two entities and the arrow between them, drawn wider in their sign's colour
        assert set(s["nodes"]) == {step["from"], step["to"]} and s["edges"] == [step["statement"]]
        width, color = s["drawn"][step["statement"]]
        assert width > base[step["statement"]] and color == real_graph_sign_colour(real_graph, step["statement"])
        # the quote and its document, the sentence, the running effect, how sure
        st = real_graph.statements[step["statement"]]
        assert f"“{st.evidence[0].quote}”" in s["body"]
        assert real_graph.data.sources[st.evidence[0].source].title in s["body"]
        assert step["sentence"] in s["body"] and step["netText"] in s["body"]
        if st.status != "asserted":
            assert st.status.capitalize() in s["body"] and st.note in s["body"]
        # everything else is faded
        faded = o.js("mechkg.edges.get().filter((e) => e.color.color === '#e1e4e8').map((e) => e.id)")
        assert step["statement"] not in faded and len(faded) >= len(base) - k
    o.page.keyboard.press("ArrowRight")  # the summary
    end = tour_state(o)
    assert end["where"]["step"] == n + 1 and "Other chains to explore" in end["body"]
    assert o.js("document.getElementById('tour-next').disabled") is True
    o.page.keyboard.press("ArrowRight")  # nothing past the end
    assert tour_state(o)["where"]["step"] == n + 1
    o.page.click("#tour-prev")
    assert tour_state(o)["where"]["step"] == n
    o.page.keyboard.press("ArrowLeft")
    back = tour_state(o)
    assert back["where"]["step"] == n - 1 and back["edges"] == [chain["steps"][n - 2]["statement"]]
    # from the summary, another chain
    for _ in range(3):
        o.page.keyboard.press("ArrowRight")
    o.page.locator("#tour-body ul.others button").first.click()
    other = tour_state(o)
    assert other["where"] == {"chain": 1, "step": 1}
    o.screenshot("viz-tour.png")
    o.page.keyboard.press("Escape")
    assert o.js("mechkg.tour.where()") is None and o.js("document.getElementById('tour').hidden") is True
    o.assert_clean()


def real_graph_sign_colour(graph, sid: str) -> str:
    from kg.viz import SIGNS

    return SIGNS[graph.sign(graph.statements[sid])]["color"]


@pytest.mark.browser
def test_browser_start_view_is_readable_and_expands(open_page, real_graph):
    o = open_page(graph_html(real_graph))
    shown = o.js("mechkg.nodesView.getIds()")
    assert set(shown) == set(o.js("mechkg.data.meta.start")) and "ketamine" in shown and len(shown) < 10
    # every name drawn, at 11 px or more on screen, none covering another or an arrow's words
    sizes = o.js(
        """mechkg.nodesView.getIds().map((id) => { const N = mechkg.network.body.nodes[id];
        return [id, N.labelModule.fontOptions.size * mechkg.network.getScale(), N.labelModule.size.width]; })"""
    )
    for key, px, width in sizes:
        assert px >= 11 and width > 0, (key, px)
    assert o.js("mechkg.labelOverlaps()") == 0
    words = o.js("Object.values(mechkg.edges.get()).filter((e) => e.label).length")
    assert words >= 4  # the chain's arrows say what they do
    # in view: every entity inside the canvas
    assert o.js(IN_VIEW_JS) == []
    o.screenshot("viz-start.png")
    # double-click depression: its 28 symptoms come as one group node, which opens
    x, y = node_point(o, "depression")
    o.page.mouse.dblclick(x, y)
    o.wait("mechkg.groups().includes('group:Symptom') && document.getElementById('loading').hidden")
    revealed = set(o.js("[...mechkg.state.revealed]"))
    symptoms = [k for k, e in real_graph.entities.items() if e.type == "Symptom" and k in revealed]
    assert len(symptoms) >= 20
    group = o.js("mechkg.nodes.get('group:Symptom').label")
    assert group.startswith(f"{len(symptoms)} symptoms")
    assert not set(symptoms) & set(o.js("mechkg.nodesView.getIds()"))
    o.js("mechkg.openGroup('Symptom')")
    o.wait("document.getElementById('loading').hidden")
    assert set(symptoms) <= set(o.js("mechkg.nodesView.getIds()"))
    assert "group:Symptom" not in o.js("mechkg.nodesView.getIds()")
    o.assert_clean()


IN_VIEW_JS = """(() => { const net = mechkg.network, c = document.getElementById('network');
  const ids = mechkg.nodesView.getIds(), pos = net.getPositions(ids);
  return ids.filter((id) => { const p = net.canvasToDOM(pos[id]);
    return !(p.x >= 0 && p.y >= 0 && p.x <= c.clientWidth && p.y <= c.clientHeight); }); })()"""


def node_point(o: Opened, key: str) -> tuple[float, float]:
    """Where entity `key` is on the page."""
    return tuple(
        o.js(
            f"""(() => {{ const net = mechkg.network, r = document.getElementById('network').getBoundingClientRect();
        const p = net.canvasToDOM(net.getPositions([{json.dumps(key)}])[{json.dumps(key)}]);
        return [r.left + p.x, r.top + p.y]; }})()"""
        )
    )


@pytest.mark.browser
def test_browser_filter_off_and_on_leaves_the_layout_as_it_was(open_page, real_graph):
    o = open_page(graph_html(real_graph, everything=True))
    before = o.js("mechkg.network.getPositions()")
    assert len(before) == len(real_graph.entities)
    o.page.locator("#legend-types label", has_text="symptom").locator("input").uncheck()
    o.page.locator("#legend-sources label").first.locator("input").uncheck()
    o.page.locator("#legend-signs label", has_text="decreases").locator("input").uncheck()
    assert o.js("mechkg.nodesView.length") < len(real_graph.entities)
    o.page.locator("#legend-types label", has_text="symptom").locator("input").check()
    o.page.locator("#legend-sources label").first.locator("input").check()
    after_on = o.js("mechkg.network.getPositions()")
    o.page.click("#reset")  # "Show everything" repairs nothing because nothing needs repair
    after_reset = o.js("mechkg.network.getPositions()")
    assert set(after_reset) == set(before)
    for after in (after_on, after_reset):
        moved = [
            k for k in after if abs(before[k]["x"] - after[k]["x"]) > 0.5 or abs(before[k]["y"] - after[k]["y"]) > 0.5
        ]
        assert moved == [], f"{len(moved)} entities moved, e.g. {moved[:5]}"
    # nothing piled up in the centre: no two entities on one spot
    spots = {(round(p["x"]), round(p["y"])) for p in after_reset.values()}
    assert len(spots) == len(after_reset)
    o.assert_clean()


@pytest.mark.browser
def test_browser_neighbourhood_opens_with_every_entity_in_view(open_page, real_graph):
    o = open_page(graph_html(real_graph, around="glutamate", depth=2))
    assert o.js("mechkg.state.pinned.id") == "glutamate"
    assert o.js(IN_VIEW_JS) == []
    assert "glutamate" in o.js("mechkg.highlighted().nodes")
    o.assert_clean()


@pytest.mark.browser
def test_browser_hover_highlights_neighbours_and_chains(open_page, real_graph):
    o = open_page(graph_html(real_graph, around="glutamate", depth=1))
    o.page.keyboard.press("Escape")
    assert o.js("mechkg.highlighted()") is None
    x, y = node_point(o, "synaptogenesis")
    o.page.mouse.move(x, y)
    o.wait("mechkg.highlighted() && mechkg.highlighted().why === 'neighbourhood'", timeout=5)
    lit = set(o.js("mechkg.highlighted().nodes"))
    neighbours = {s.object for s in real_graph.outgoing("synaptogenesis")} | {
        s.subject for s in real_graph.incoming("synaptogenesis")
    }
    shown = set(o.js("mechkg.nodesView.getIds()"))
    assert "synaptogenesis" in lit and (neighbours & shown) <= lit
    o.page.mouse.move(5, 5)  # off the graph
    o.wait("mechkg.highlighted() === null", timeout=5)
    answer = how(real_graph, "ketamine", "fatigue")
    p = open_page(path_html(real_graph, answer), "path.html")
    mech = p.js("mechkg.data.paths.findIndex((c) => c.mechanism)")
    first = p.js("document.querySelector('#chain-list li').dataset.chain")
    assert int(first) == mech  # the molecular mechanism comes first in the list, whatever its rank
    p.page.hover(f"#chain-list li[data-chain='{mech}']")
    assert p.js("mechkg.highlighted().why") == f"chain {mech + 1}"
    o.assert_clean()
    p.assert_clean()


@pytest.mark.browser
def test_browser_keyboard_walks_entities_and_chains_with_visible_focus(open_page, real_graph):
    o = open_page(graph_html(real_graph))
    o.js("document.getElementById('network').focus()")
    assert o.js("document.activeElement.id") == "network"
    first = o.js("mechkg.state.keyFocus")
    assert first in o.js("mechkg.nodesView.getIds()")
    o.page.keyboard.press("ArrowRight")
    second = o.js("mechkg.state.keyFocus")
    pos = o.js("mechkg.network.getPositions()")
    assert second != first and pos[second]["x"] > pos[first]["x"]
    assert o.js("mechkg.network.getSelectedNodes()") == [second]
    assert o.js("document.getElementById('info-title').textContent") == real_graph.entities[second].label
    o.page.keyboard.press("ArrowLeft")
    assert o.js("mechkg.state.keyFocus") == first
    before = o.js("mechkg.nodesView.length")
    o.page.keyboard.press("+")
    o.wait(f"mechkg.nodesView.length > {before} && document.getElementById('loading').hidden")
    # the focus shows: an outline on the graph, and on each control reached by Tab
    assert o.js("getComputedStyle(document.getElementById('network')).outlineStyle") != "none"
    answer = how(real_graph, "ketamine", "fatigue")
    p = open_page(path_html(real_graph, answer), "path.html")
    p.js("document.querySelector('#search').focus()")
    for _ in range(30):
        p.page.keyboard.press("Tab")
        if p.js("document.activeElement.matches('#chain-list li')"):
            break
    assert p.js("document.activeElement.matches('#chain-list li')")
    assert p.js("getComputedStyle(document.activeElement).outlineStyle") != "none"
    chain = int(p.js("document.activeElement.dataset.chain"))
    p.page.keyboard.press("Enter")
    assert p.js("mechkg.state.pinnedChain") == chain
    o.assert_clean()
    p.assert_clean()


@pytest.mark.browser
def test_browser_phone_width_tour(browser, real_graph, tmp_path):
    from kg.viz import tour_html

    path = tmp_path / "phone.html"
    path.write_text(tour_html(real_graph, how(real_graph, "ketamine", "depression")), encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page.goto(path.as_uri())
    t0 = time.monotonic()
    while not page.evaluate("!!(window.mechkg && mechkg.state.stabilized && mechkg.tour.where())"):
        assert time.monotonic() - t0 < 30
        time.sleep(0.05)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    assert page.evaluate("document.getElementById('network').clientHeight") > 250
    page.locator("#tour-next").tap()
    assert page.evaluate("mechkg.tour.where().step") == 1
    assert page.locator("#tour-next").is_visible() and page.locator("#tour-body blockquote").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viz-tour-phone.png"), full_page=True)
    context.close()
    assert errors == []


@pytest.mark.browser
def test_browser_text_contrast_meets_wcag_aa(open_page, real_graph):
    from kg.viz import tour_html

    o = open_page(tour_html(real_graph, how(real_graph, "ketamine", "depression")))
    o.wait("mechkg.tour.where()")
    for _ in range(2):
        o.page.keyboard.press("ArrowRight")  # a hedged step
        assert o.js(CONTRAST_JS) == []
    o.js("document.getElementById('glossary').open = true")
    o.js("mechkg.focusNode('glutamate', false)")
    assert o.js(CONTRAST_JS) == []
    # the words drawn on the canvas, too (names and arrow words on white)
    colours = o.js("[mechkg.data.options.nodes.font.color, mechkg.data.options.edges.font.color]")
    for c in colours:
        assert contrast(c, "#ffffff") >= 4.5, c
    o.assert_clean()


def contrast(a: str, b: str) -> float:
    def lum(c: str) -> float:
        v = [int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        v = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in v]
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]

    la, lb = lum(a), lum(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.mark.browser
def test_browser_saves_the_view_as_png_and_svg(open_page, real_graph):
    import struct
    import xml.etree.ElementTree as ET

    o = open_page(graph_html(real_graph))
    with o.page.expect_download() as dl:
        o.page.click("#save-png")
    data = Path(dl.value.path()).read_bytes()
    assert dl.value.suggested_filename.endswith(".png") and data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    canvas = o.js("[document.querySelector('#network canvas').width, document.querySelector('#network canvas').height]")
    assert [width, height] == canvas and len(data) > 5000
    with o.page.expect_download() as dl:
        o.page.click("#save-svg")
    svg = ET.fromstring(Path(dl.value.path()).read_bytes())
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    shown = o.js("mechkg.nodesView.getIds()")
    for key in shown:
        assert real_graph.entities[key].label in texts
    shapes = [e for e in svg.iter() if e.tag.split("}")[1] in ("circle", "rect", "polygon")]
    assert len(shapes) >= len(shown) + 1  # the background, every entity, the arrow heads
    o.assert_clean()
