"""Adding records to curators' YAML as text: everything else in the file stays byte for byte."""

from pathlib import Path

import yaml

from kg.yamledit import add_evidence, append_records

BLOCK = """# Mechanism: receptor → neurotransmitter.
statements:
  # --- NMDA ---
  - subject: ketamine
    predicate: antagonizes
    object: nmda_receptor
    note: >-
      A folded note
      on two lines.
    evidence:
      - source: cycle
        quote: "It works by blocking certain receptors."
      - source: ease
        quote: "ketamine works by targeting the NMDA receptor"

  - subject: glutamate   # trailing comment
    predicate: increases
    object: synaptogenesis
    evidence:
      - source: ease
        quote: "This, in turn, stimulates the growth of synapses"
    note: >-
      A note after the evidence.
"""


def test_append_to_a_block_list_keeps_everything_else():
    new = append_records(BLOCK, Path("x.yaml"), "statements", [
        {"subject": "a", "predicate": "increases", "object": "b", "qualifiers": {"onset": {"value": 4, "unit": "hour"}},
         "evidence": [{"source": "s", "quote": 'He said "yes": 5% — fine'}]},
    ], "# header")  # fmt: skip
    assert new.startswith(BLOCK)
    doc = yaml.safe_load(new)["statements"][-1]
    assert doc == {"subject": "a", "predicate": "increases", "object": "b",
                   "qualifiers": {"onset": {"value": 4, "unit": "hour"}},
                   "evidence": [{"source": "s", "quote": 'He said "yes": 5% — fine'}]}  # fmt: skip


def test_new_file_has_its_header():
    new = append_records(None, Path("x.yaml"), "entities", [{"key": "bdnf", "label": "BDNF", "type": "Metabolite"}],
                         "# Entities first named in X.")  # fmt: skip
    assert new.startswith("# Entities first named in X.\nentities:\n  - key: bdnf\n")
    assert yaml.safe_load(new) == {"entities": [{"key": "bdnf", "label": "BDNF", "type": "Metabolite"}]}


def test_evidence_goes_into_the_right_statement_and_nothing_else_moves():
    for line, count in ((4, 3), (16, 2)):
        new = add_evidence(BLOCK, Path("x.yaml"), line, [{"source": "new", "quote": "A new quote."}])
        statements = yaml.safe_load(new)["statements"]
        target = statements[0 if line == 4 else 1]
        assert len(target["evidence"]) == count and target["evidence"][-1] == {"source": "new", "quote": "A new quote."}
        assert [line for line in BLOCK.splitlines()] == [
            line for line in new.splitlines() if "A new quote." not in line and line.strip() != "- source: new"
        ]
        assert yaml.safe_load(BLOCK)["statements"][1]["note"] == statements[1]["note"]


def test_evidence_in_a_flow_list():
    text = (
        'statements:\n  - subject: a\n    predicate: causes\n    object: b\n    evidence: [{source: x, quote: "Q."}]\n'
    )
    new = add_evidence(text, Path("x.yaml"), 2, [{"source": "y", "quote": "R."}])
    assert yaml.safe_load(new)["statements"][0]["evidence"] == [{"source": "x", "quote": "Q."},
                                                                  {"source": "y", "quote": "R."}]  # fmt: skip


def test_conflicts_with_is_added_or_extended():
    from kg.yamledit import add_to_list

    new = add_to_list(BLOCK, Path("x.yaml"), 4, "conflicts_with", "other-claim")
    st = yaml.safe_load(new)["statements"][0]
    assert st["conflicts_with"] == ["other-claim"] and len(st["evidence"]) == 2
    again = add_to_list(new, Path("x.yaml"), 4, "conflicts_with", "third")
    assert yaml.safe_load(again)["statements"][0]["conflicts_with"] == ["other-claim", "third"]
    assert yaml.safe_load(again)["statements"][1] == yaml.safe_load(BLOCK)["statements"][1]
