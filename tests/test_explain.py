"""`kg how`, `kg effects`, `kg causes`, `kg conflicts` as users run them."""

import json

import pytest

from conftest import run_kg
from kg.explain import ask, how_report


def test_report_carries_everything_the_text_shows(mini_graph):
    answer, resolutions, extra = ask(mini_graph, "drug A", "tiredness")
    report = how_report(mini_graph, answer, resolutions, extra)
    assert report["code"] == "found" and report["effect"] == "decreases"
    assert report["resolved"][1] == 'tiredness → symptom S (synonym match on "tiredness")'
    hop = report["paths"][0]["hops"][0]
    assert {"sentence", "sign", "status", "qualifiers", "evidence", "predicate_label"} <= set(hop)
    assert hop["evidence"][0]["title"] in ("Document A", "Document B")


def test_names_resolve_through_a_saved_index_as_through_the_graph(mini_graph):
    from kg.build import cached_names
    from kg.explain import open_search

    names = cached_names(mini_graph.cache_dir)
    assert names is not None  # the build saved it
    with_index = how_report(mini_graph, *ask(mini_graph, "drug A", "tiredness", names=names))
    assert with_index == how_report(mini_graph, *ask(mini_graph, "drug A", "tiredness"))
    unknown, _, extra = ask(mini_graph, "no such thing", "tiredness", names=names)
    assert unknown.code == "unknown-subject" and "candidates" in extra
    assert open_search(mini_graph, "drug A", names=names) == open_search(mini_graph, "drug A")


def test_how_json_found(mini_dir):
    r = run_kg("--data", str(mini_dir), "how", "drug A", "symptom S", "-f", "json")
    assert r.returncode == 0
    report = json.loads(r.stdout)
    assert report["code"] == "found" and report["effect"] == "decreases"
    assert report["counts"]["disputed"] == 1
    long_chain = ["drug A", "receptor R", "messenger M", "process P", "condition C", "symptom S"]
    assert long_chain in [p["labels"] for p in report["paths"]]


def test_how_text_quotes_every_hop_and_marks_disputes(mini_dir):
    r = run_kg("--data", str(mini_dir), "how", "drug A", "symptom S")
    assert r.returncode == 0
    assert r.stdout.startswith("drug A → symptom S: DECREASES")
    assert "“Drug A blocks receptor R.” — Document A" in r.stdout
    assert "[DISPUTED]" in r.stdout and "1 through disputed claims" in r.stdout
    excl = run_kg("--data", str(mini_dir), "how", "drug A", "symptom S", "--exclude-disputed")
    assert "[DISPUTED]" not in excl.stdout


def test_how_markdown(mini_dir):
    r = run_kg("--data", str(mini_dir), "how", "drug A", "symptom S", "-f", "markdown")
    assert r.stdout.startswith("# How does drug A affect symptom S?") and "> Drug A blocks receptor R." in r.stdout


def test_how_no_path_exit_1_with_why_not(mini_dir):
    r = run_kg("--data", str(mini_dir), "how", "symptom S", "drug A")
    assert r.returncode == 1
    assert "NO KNOWN LINK" in r.stdout and "is affected by:" in r.stdout
    j = json.loads(run_kg("--data", str(mini_dir), "how", "process P", "drug B", "-f", "json").stdout)
    assert j["code"] == "no-path"
    assert [e["key"] for e in j["why_not"]["subject_affects"]] == ["condition_c", "symptom_s"]


@pytest.mark.parametrize(
    "args, code",
    [
        (("drug A", "blorp"), "unknown-object"),
        (("blorp", "drug A"), "unknown-subject"),
        (("drug A", "symptom"), "ambiguous-object"),
    ],
)
def test_how_bad_names_exit_2(mini_dir, args, code):
    r = run_kg("--data", str(mini_dir), "how", *args, "-f", "json")
    assert r.returncode == 2
    assert json.loads(r.stdout)["code"] == code
    text = run_kg("--data", str(mini_dir), "how", *args)
    assert text.returncode == 2 and text.stdout == "" and text.stderr.startswith("kg: error:")
    assert "Traceback" not in text.stderr


def test_how_says_what_names_resolved_to(mini_dir):
    r = run_kg("--data", str(mini_dir), "how", "drug-a", "condtion C")
    assert "resolved: condtion C → condition C (fuzzy match" in r.stderr


def test_effects_json_lists_symptoms(mini_dir):
    r = run_kg("--data", str(mini_dir), "effects", "drug A", "--type", "Symptom", "--format", "json")
    j = json.loads(r.stdout)
    assert [(x["key"], x["effect"]) for x in j["results"]] == [("symptom_s", "decreases")]


def test_effects_unknown_type_exit_2(mini_dir):
    r = run_kg("--data", str(mini_dir), "effects", "drug A", "--type", "Sympton")
    assert r.returncode == 2 and "unknown type 'Sympton'" in r.stderr


def test_causes_table(mini_dir):
    r = run_kg("--data", str(mini_dir), "causes", "symptom S")
    assert r.returncode == 0
    assert r.stdout.splitlines()[0] == "causes of symptom S: 5 entities"


def test_conflicts_show_both_quotes(mini_dir):
    r = run_kg("--data", str(mini_dir), "conflicts", "-f", "json")
    items = json.loads(r.stdout)
    kinds = sorted(i["kind"] for i in items)
    assert kinds == ["conflict", "negated"]
    pair = next(i for i in items if i["kind"] == "conflict")
    quotes = [v["evidence"][0]["quote"] for v in pair["statements"]]
    assert "Some say drug A raises symptom S." in quotes and len(quotes) == 2
