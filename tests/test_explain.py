"""`kg how`, `kg effects`, `kg causes`, `kg conflicts` as users run them."""

import json

import pytest

from conftest import run_kg
from kg.explain import EXIT_CODES, ask, how_report


def test_report_carries_everything_the_text_shows(mini_graph):
    answer, resolutions, extra = ask(mini_graph, "drug A", "tiredness")
    report = how_report(mini_graph, answer, resolutions, extra)
    assert report["code"] == "found" and report["effect"] == "decreases"
    assert report["resolved"][1]["description"] == 'tiredness → symptom S (synonym match on "tiredness")'
    assert report["resolved"][1]["key"] == "symptom_s" and report["resolved"][1]["matched"] == "synonym"
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
        (("drug A", "symptom X"), "ambiguous-object"),
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
    assert 'resolved: condtion C → condition C (taken as a typo of "condition C", 1 edit)' in r.stdout


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


# --- never wrong with confidence (issue 16): every verdict says what it rests on ---------------------------


def _signed_pairs(graph):
    """Every ordered pair of distinct entities where the subject has a step out and the object a step in
    (every other pair is 'no known link' by construction, checked below as such)."""
    from kg.paths import signed_graph

    sg = signed_graph(graph, associative=True)
    return [(s, o) for s in sorted(sg.edges) for o in sorted(sg.redges) if s != o]


def test_no_verdict_over_all_pairs_rests_on_a_disputed_or_negated_claim_unless_it_says_so(real_graph):
    """Over every ordered pair of the real data: a verdict of increases / decreases / mixed is backed, for each
    sign it claims, by a chain the answer shows with no disputed and no negated claim; an answer whose chains
    all run through disputed claims is labelled disputed-only (exit 1), never given a plain effect."""
    from kg.paths import how

    stats = {"found": 0, "disputed-only": 0, "no-path": 0}
    for s, o in _signed_pairs(real_graph):
        ans = how(real_graph, s, o)
        stats[ans.code] += 1
        statuses = {real_graph.statements[h.statement].status for p in ans.paths for h in p.hops}
        assert "negated" not in statuses, (s, o)
        for p in ans.paths:  # a path's flag agrees with the data it cites
            assert p.disputed == any(real_graph.statements[h.statement].status == "disputed" for h in p.hops)
        if ans.code == "disputed-only":
            assert ans.effect == "no undisputed link" and ans.disputed_effect and not ans.support
            assert ans.paths and all(p.disputed for p in ans.paths), (s, o)
            assert EXIT_CODES[ans.code] == 1
        elif ans.code == "found":
            claimed = {"increases", "decreases"} if ans.effect == "mixed" else {ans.effect}
            backed = {p.effect for p in ans.paths if not p.disputed}
            assert claimed <= backed, (s, o, ans.effect, backed)
            assert ans.support in ("asserted", "hedged", "speculative", "inferred"), (s, o)
    assert stats["found"] > 300 and stats["disputed-only"] > 0  # the data has both kinds: the test bites


def test_a_disputed_only_answer_is_labelled_in_text_and_json_and_exits_1(real_graph):
    from kg.paths import how

    pair = next(((s, o) for s, o in _signed_pairs(real_graph) if how(real_graph, s, o).code == "disputed-only"), None)
    assert pair, "the real data has a pair linked only through disputed claims"
    s, o = (real_graph.entities[k].label for k in pair)
    text = run_kg("how", s, o)
    assert text.returncode == 1
    assert "NO UNDISPUTED LINK — only through claims the documents' own curation disputes" in text.stdout
    j = json.loads(run_kg("how", s, o, "-f", "json").stdout)
    assert (j["code"], j["effect"]) == ("disputed-only", "no undisputed link")
    assert j["disputed_effect"] in ("increases", "decreases", "mixed", "unknown")
    assert all(p["disputed"] for p in j["paths"])
    md = run_kg("how", s, o, "-f", "markdown").stdout
    assert "NO UNDISPUTED LINK" in md


def test_effects_never_report_a_disputed_only_entity_as_an_effect(real_graph):
    from kg.explain import open_search, reach_report

    res, rows = open_search(real_graph, "ketamine")
    report = reach_report(real_graph, res, rows, upstream=False)
    flagged = [r for r in report["results"] if r["disputed_only"]]
    assert flagged and all(r["effect"] == "no undisputed link" and r["disputed_effect"] for r in flagged)
    assert all(not r["disputed_only"] for r in report["results"] if r["effect"] in ("increases", "decreases"))


@pytest.mark.parametrize("typed", ["happiness", "esketamine", "arketamine", "epinephrine", "adrenaline"])
def test_another_word_never_answers_for_the_entity_it_resembles(typed):
    """Issue 16, case 1: these used to answer for sadness, ketamine or norepinephrine with exit 0."""
    r = run_kg("how", typed, "fatigue")
    assert r.returncode == 2 and r.stdout == "" and "did you mean" in r.stderr, r.stderr
    j = run_kg("how", typed, "fatigue", "-f", "json")
    assert j.returncode == 2 and json.loads(j.stdout)["code"] == "unknown-subject"
    assert json.loads(j.stdout)["candidates"]


def test_a_typo_is_answered_and_the_answer_itself_says_so():
    r = run_kg("how", "ketamin", "fatigue")
    assert r.returncode == 0
    assert r.stdout.startswith('resolved: ketamin → ketamine (taken as a typo of "ketamine", 1 edit)\n')
    j = json.loads(run_kg("how", "ketamin", "fatigue", "-f", "json").stdout)
    assert (
        j["resolved"][0]["matched"] == "fuzzy" and j["resolved"][0]["distance"] == 1 and not j["resolved"][0]["exact"]
    )
    md = run_kg("how", "ketamin", "fatigue", "-f", "markdown").stdout
    assert "ketamin → ketamine" in md


def test_a_typo_is_stated_in_the_html_path_view(tmp_path):
    out = tmp_path / "p.html"
    r = run_kg("how", "ketamin", "fatigue", "--html", str(out))
    assert r.returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "taken as a typo of" in page and "stated plainly in the documents" in page


def test_production_composes_with_its_chain_quotes_and_reason(real_graph):
    """Issue 16, case 3: tryptophan is broken down into quinolinic acid — answered, with the reading rule."""
    r = run_kg("how", "tryptophan", "quinolinic acid", "-f", "json")
    assert r.returncode == 0
    j = json.loads(r.stdout)
    assert j["effect"] == "increases"
    hop = j["paths"][0]["hops"][0]
    assert hop["predicate"] == "precursorOf" and hop["evidence"] and "More precursor, more product" in hop["sign_basis"]
    assert real_graph.vocab.predicates["precursorOf"].sign == 1  # the sign lives in the vocabulary
    text = run_kg("how", "tryptophan", "quinolinic acid").stdout
    assert "sign by reading:" in text and "is read by rule" in text.splitlines()[0]


def test_no_link_lists_the_correlations_and_the_flag_that_walks_them():
    """Issue 16, case 3: dopamine and disturbed sleep are linked only by correlations."""
    r = run_kg("how", "dopamine", "disturbed sleep")
    assert r.returncode == 1 and "NO KNOWN LINK" in r.stdout
    assert "run with --associative to walk them" in r.stdout and "correlated with" in r.stdout
    j = json.loads(run_kg("how", "dopamine", "disturbed sleep", "-f", "json").stdout)
    assert j["why_not"]["associative_paths"]
    walked = run_kg("how", "dopamine", "disturbed sleep", "--associative")
    assert walked.returncode == 0


def test_an_entity_without_claims_is_said_to_have_none(real_graph):
    """Issue 16, case 4: 'brain cells' names neuron, which no claim mentions."""
    key = next(k for k in real_graph.entities if not real_graph.out_edges.get(k) and not real_graph.in_edges.get(k))
    label = real_graph.entities[key].label
    r = run_kg("how", "ketamine", label)
    assert r.returncode == 1 and f"{label} has no claims at all in the graph" in r.stdout
    j = json.loads(run_kg("how", "ketamine", label, "-f", "json").stdout)
    assert [e["key"] for e in j["why_not"]["no_claims"]] == [key]
