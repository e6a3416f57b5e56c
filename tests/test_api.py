"""The Python API by names (kg.api, re-exported by `import kg`): the CLI's answers, typed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from conftest import ROOT
from kg.resolve import ResolveError


def test_import_kg_costs_nothing():
    code = "import sys, kg; print(sorted(m for m in sys.modules if m.startswith('kg.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


def test_how_by_names_answers_as_the_cli(real_graph):
    answer = kg.how("NMDA receptor", "tiredness", graph=real_graph)
    assert answer.subject.key == "nmda_receptor" and answer.object.key == "fatigue"
    assert answer.object.matched == "synonym"
    assert answer.code == answer.report["code"] and answer.effect == answer.report["effect"]
    assert answer.paths and all(p.nodes[0] == "nmda_receptor" for p in answer.paths)
    assert str(answer).splitlines()[0].startswith("resolved: tiredness → fatigue")


def test_a_name_that_is_not_one_entity_raises_with_candidates(real_graph):
    with pytest.raises(ResolveError) as err:
        kg.how("happiness", "fatigue", graph=real_graph)
    assert err.value.candidates


def test_show_effects_causes(real_graph):
    assert kg.show("CHEBI:6121", graph=real_graph).key == "ketamine"
    symptoms = kg.effects("ketamine", types=("symptom",), graph=real_graph)
    assert symptoms and all(real_graph.entities[r.key].type == "Symptom" for r in symptoms)
    assert any(r.key == "ketamine" for r in kg.causes("fatigue", graph=real_graph))


def test_sparql_rows_are_typed(real_graph):
    import kg.query  # the module of named queries does not shadow the function

    sparql = kg.sparql
    rows = sparql("relieved-symptoms", graph=real_graph, drug="ketamine")
    assert rows.columns and len(rows) > 5
    counts = [v for row in rows for v in row if isinstance(v, int) and not isinstance(v, bool)]
    assert counts, "integer columns come back as int"
    assert all(isinstance(d, dict) for d in rows.dicts())
    assert sparql("affects", graph=real_graph, cause="ketamine", effect="fatigue") is True


def test_to_pyvis_gives_a_network_of_a_view(real_graph):
    from kg.viz import to_pyvis

    net = to_pyvis(real_graph, around="glutamate")
    ids = {n["id"] for n in net.nodes}
    assert "glutamate" in ids and len(net.edges) >= len(ids) - 1
    assert {e["from"] for e in net.edges} <= ids


def test_the_readme_python_examples_pass_as_doctests():
    import doctest

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```pycon\n(.*?)```", readme, flags=re.S)
    assert blocks
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for i, block in enumerate(blocks):
        runner.run(doctest.DocTestParser().get_doctest(block, {}, f"README block {i}", "README.md", 0))
    result = runner.summarize(verbose=False)
    assert result.attempted > 5 and result.failed == 0


def test_py_typed_is_shipped():
    assert (Path(kg.__file__).parent / "py.typed").is_file()
