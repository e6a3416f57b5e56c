"""Regression tests of expected mechanisms on the real data (tests/expected_mechanisms.yaml).

Each entry names a subject, an object and the sign the curated graph must support, and optionally
entities an explanation must pass through. A data edit that silently breaks a mechanism fails here.
"""

from pathlib import Path

import pytest
import yaml

from kg.paths import how

EXPECTED = yaml.safe_load((Path(__file__).parent / "expected_mechanisms.yaml").read_text(encoding="utf-8"))


def _id(item: dict) -> str:
    return f"{item['subject']}-{item['sign']}-{item['object']}"


def test_expectations_are_many_and_well_formed(real_graph):
    assert len(EXPECTED) >= 20
    for item in EXPECTED:
        assert item["sign"] in ("increases", "decreases"), item
        for key in (item["subject"], item["object"], *item.get("via", [])):
            assert key in real_graph.entities, f"unknown entity {key} in expectation {_id(item)}"


@pytest.mark.parametrize("item", EXPECTED, ids=_id)
def test_expected_mechanism_holds(real_graph, item):
    answer = how(real_graph, item["subject"], item["object"], max_length=8, top=10)
    assert answer.code == "found", f"{_id(item)}: {answer.code}"
    assert answer.effect == item["sign"], f"{_id(item)}: graph says {answer.effect}"
    via = set(item.get("via", []))
    if via:
        assert any(via <= set(p.nodes) and p.effect == item["sign"] for p in answer.paths), (
            f"{_id(item)}: no {item['sign']} path passes through {sorted(via)}"
        )


def test_ketamine_fatigue_has_mechanism_and_clinical_chains(real_graph):
    """Issue 4: decreases, with a chain through NMDA receptor, glutamate, synaptogenesis and one via depression."""
    answer = how(real_graph, "ketamine", "fatigue")
    assert answer.effect == "decreases"
    assert any({"nmda_receptor", "glutamate", "synaptogenesis"} <= set(p.nodes) for p in answer.paths)
    assert any(p.nodes == ["ketamine", "depression", "fatigue"] for p in answer.paths)
    for path in answer.paths:
        for hop in path.hops:
            assert real_graph.statements[hop.statement].evidence, hop
