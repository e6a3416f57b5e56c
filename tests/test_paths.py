"""Sign composition, ranking and result codes on small graphs of the tests' own."""

import pytest

from kg.graph import KnowledgeGraph
from kg.model import Dataset, Entity, Evidence, Source, Statement
from kg.paths import (
    AMBIGUOUS_OBJECT,
    FOUND,
    NO_PATH,
    SAME_ENTITY,
    UNKNOWN_OBJECT,
    UNKNOWN_SUBJECT,
    find_paths,
    how,
    net_effect,
    reach,
)
from kg.vocab import load_vocabulary

VOCAB = load_vocabulary()


def make_graph(*edges: tuple, sources_per_edge: int = 1) -> KnowledgeGraph:
    """A graph of processes from (subject, predicate, object[, status[, n_sources]]) tuples."""
    keys = sorted({e[0] for e in edges} | {e[2] for e in edges})
    srcs = {f"s{i}": Source(f"s{i}", f"Source {i}", f"{i}.txt") for i in range(5)}
    statements = {}
    for i, (s, p, o, *rest) in enumerate(edges):
        status = rest[0] if rest else "asserted"
        n = rest[1] if len(rest) > 1 else sources_per_edge
        ev = tuple(Evidence(f"s{j}", f"quote {i}") for j in range(n))
        sid = f"e{i}"
        statements[sid] = Statement(sid, s, p, o, ev, status=status, note="n" if status != "asserted" else "")
    ents = {k: Entity(k, k.upper(), "BiologicalProcess") for k in keys}
    return KnowledgeGraph.create(VOCAB, Dataset(srcs, ents, statements))


def test_double_negation_is_increase():
    g = make_graph(("a", "inhibits", "b"), ("b", "decreases", "c"))
    ans = how(g, "a", "c")
    assert ans.code == FOUND and ans.effect == "increases"
    assert ans.paths[0].nodes == ["a", "b", "c"]
    assert [h.sign for h in ans.paths[0].hops] == [-1, -1]


def test_mixed_when_paths_disagree():
    g = make_graph(("a", "increases", "b"), ("b", "increases", "d"), ("a", "decreases", "c"), ("c", "increases", "d"))
    ans = how(g, "a", "d")
    assert ans.effect == "mixed"
    assert {p.effect for p in ans.paths} == {"increases", "decreases"}
    assert ans.counts["increases"] == 1 and ans.counts["decreases"] == 1


def test_unsigned_link_gives_unknown():
    g = make_graph(("a", "increases", "b"), ("b", "affects", "c"))
    ans = how(g, "a", "c")
    assert ans.code == FOUND and ans.effect == "unknown" and ans.paths[0].effect == "unknown"


def test_unsigned_path_does_not_override_signed_one():
    g = make_graph(("a", "affects", "c"), ("a", "increases", "b"), ("b", "increases", "c"))
    assert how(g, "a", "c").effect == "increases"


def test_disputed_paths_are_shown_but_not_counted():
    g = make_graph(("a", "decreases", "c"), ("a", "increases", "c", "disputed"))
    ans = how(g, "a", "c")
    assert ans.effect == "decreases"
    assert ans.counts["disputed"] == 1
    assert [p.disputed for p in ans.paths] == [False, True]  # the disputed one ranks last
    assert how(g, "a", "c", exclude_disputed=True).counts["disputed"] == 0


def test_only_disputed_support_is_no_undisputed_link_and_says_what_the_disputed_chains_would_give():
    g = make_graph(("a", "increases", "c", "disputed"))
    paths, _ = find_paths(g, "a", "c")
    assert net_effect(paths) == "no undisputed link" and paths[0].disputed
    ans = how(g, "a", "c")
    assert (ans.code, ans.effect, ans.disputed_effect) == ("disputed-only", "no undisputed link", "increases")
    assert ans.paths and ans.paths[0].disputed and ans.support == ""


def test_negated_claims_are_never_steps():
    g = make_graph(("a", "causes", "b", "negated"))
    ans = how(g, "a", "b")
    assert ans.code == NO_PATH and ans.effect == "no known link"


def test_structural_edges_are_context_not_steps():
    g = make_graph(("a", "partOf", "b"), ("b", "increases", "c"))
    assert how(g, "a", "c").code == NO_PATH


def test_associative_links_only_when_asked():
    g = make_graph(("a", "positivelyCorrelatedWith", "b"))
    assert how(g, "a", "b").code == NO_PATH
    assert how(g, "a", "b", associative=True).effect == "increases"


def test_ranking_prefers_short_well_sourced_undisputed_paths():
    g = make_graph(
        ("a", "increases", "z", "asserted", 1),
        ("a", "increases", "m", "asserted", 3),
        ("m", "increases", "z", "asserted", 3),
        ("a", "increases", "h", "hedged", 1),
        ("h", "increases", "z", "asserted", 1),
    )
    ans = how(g, "a", "z")
    assert ans.paths[0].nodes == ["a", "z"]  # shortest first
    assert ans.paths[1].nodes == ["a", "m", "z"]  # two sources per hop beats a hedged single-source hop
    assert ans.paths[1].reasons["min_sources_per_hop"] == 3
    assert ans.paths[2].reasons["hedged_hops"] == 1
    assert [p.cost for p in ans.paths] == sorted(p.cost for p in ans.paths)


def test_hub_penalty_is_reported_and_ranks():
    spokes = [("hub", "increases", f"x{i}") for i in range(16)]
    g = make_graph(
        ("a", "increases", "hub"), ("hub", "increases", "z"), ("a", "increases", "q"), ("q", "increases", "z"), *spokes
    )
    ans = how(g, "a", "z")
    assert ans.paths[0].nodes == ["a", "q", "z"]
    assert ans.paths[1].reasons["hub_penalty"] > ans.paths[0].reasons["hub_penalty"]


def test_max_length_bounds_the_search():
    chain = [(f"n{i}", "increases", f"n{i + 1}") for i in range(6)]
    g = make_graph(*chain)
    assert how(g, "n0", "n6", max_length=6).code == FOUND
    assert how(g, "n0", "n6", max_length=5).code == NO_PATH


def test_result_codes_and_why_not():
    g = make_graph(("a", "increases", "b"), ("c", "increases", "d"))
    assert how(g, "nope", "b").code == UNKNOWN_SUBJECT
    assert how(g, "a", "nope").code == UNKNOWN_OBJECT
    assert how(g, "a", "a").code == SAME_ENTITY
    ans = how(g, "a", "d")
    assert ans.code == NO_PATH
    assert ans.downstream == (("b", 1),) and ans.upstream == (("c", 1),)


def test_ambiguous_name_code(mini_graph):
    from kg.explain import ask

    ans, _, extra = ask(mini_graph, "drug A", "symptom X")  # a typo of symptom S and of symptom T alike
    assert ans.code == AMBIGUOUS_OBJECT
    assert set(extra["candidates"]) == {"symptom_s", "symptom_t"}


def test_fixture_mechanism_and_clinical_chains(mini_graph):
    ans = how(mini_graph, "drug_a", "symptom_s")
    assert ans.effect == "decreases"
    chains = [p.nodes for p in ans.paths]
    assert ["drug_a", "condition_c", "symptom_s"] in chains
    assert ["drug_a", "receptor_r", "messenger_m", "process_p", "condition_c", "symptom_s"] in chains
    assert any(p.disputed and p.effect == "increases" for p in ans.paths)


def test_effects_and_causes(mini_graph):
    down = {r.key: r for r in reach(mini_graph, "drug_a", types=("Symptom",))}
    assert set(down) == {"symptom_s"}  # symptom_t is linked only by a negated claim
    assert down["symptom_s"].effect == "decreases"
    up = {r.key: r.effect for r in reach(mini_graph, "symptom_s", upstream=True)}
    assert up["drug_a"] == "decreases" and up["condition_c"] == "increases" and up["messenger_m"] == "decreases"
    assert up["receptor_r"] == "increases"


@pytest.mark.parametrize("upstream", [False, True])
def test_open_search_composes_signs_in_both_directions(upstream):
    g = make_graph(
        ("a", "inhibits", "b"), ("b", "decreases", "c"), ("c", "affects", "d"), ("a", "increases", "e"),
        ("e", "increases", "f"), ("a", "decreases", "f"),
    )  # fmt: skip
    expected = {"b": "decreases", "c": "increases", "d": "unknown", "e": "increases", "f": "mixed"}
    if upstream:  # what a, b, c … do to their end of the chain, seen from that end
        got = {k: {r.key: r.effect for r in reach(g, k, upstream=True)}.get("a") for k in expected}
    else:
        got = {r.key: r.effect for r in reach(g, "a")}
    assert got == expected


def test_open_search_best_path_is_the_cheapest_then_the_shortest():
    g = make_graph(
        ("a", "increases", "b", "hedged"), ("b", "increases", "z"), ("a", "increases", "z", "asserted", 1),
        ("a", "increases", "m"), ("m", "increases", "n"), ("n", "increases", "z"),
        ("a", "decreases", "q", "hedged"), ("a", "increases", "q"),
        sources_per_edge=2,
    )  # fmt: skip
    down = {r.key: r for r in reach(g, "a")}
    assert down["z"].path.nodes == ["a", "z"]  # 1 hop + single source beats 2 hops (one hedged) and 3 hops
    assert down["q"].effect == "mixed" and down["q"].path.hops[0].predicate == "increases"  # the unhedged claim
    up = {r.key: r.path for r in reach(g, "z", upstream=True)}
    assert up["a"].nodes == ["a", "z"] and up["m"].nodes == ["m", "n", "z"]


def test_open_search_respects_max_length_and_keeps_chains_simple():
    # the only way to reach b (and d) negatively goes a → b → c → b, through b twice: not a chain
    g = make_graph(("a", "increases", "b"), ("b", "decreases", "c"), ("c", "increases", "b"), ("b", "increases", "d"))
    down = {r.key: r for r in reach(g, "a")}
    assert {k: r.effect for k, r in down.items()} == {"b": "increases", "c": "decreases", "d": "increases"}
    assert all(len(set(r.path.nodes)) == len(r.path.nodes) for r in down.values())
    assert {r.key for r in reach(g, "a", max_length=1)} == {"b"}
    assert {r.key for r in reach(g, "d", upstream=True, max_length=1)} == {"b"}


def test_open_search_finds_a_loop_free_chain_when_the_cheapest_has_a_loop():
    # the cheap way to reach b negatively loops through b (a → b → c → b); a dearer chain avoids it
    g = make_graph(
        ("a", "increases", "b"), ("b", "decreases", "c"), ("c", "increases", "b"),
        ("a", "increases", "x1"), ("x1", "increases", "x2"), ("x2", "increases", "x3"), ("x3", "decreases", "b"),
    )  # fmt: skip
    down = {r.key: r for r in reach(g, "a")}
    assert down["b"].effect == how(g, "a", "b").effect == "mixed"
    up = {r.key: r.effect for r in reach(g, "b", upstream=True)}
    assert up["a"] == "mixed"


def test_net_effect_looks_past_disputed_chains_for_an_undisputed_one():
    # the five cheapest decreasing chains are disputed; an undisputed one comes sixth, so the effect is mixed
    edges = [("a", "increases", "z")]
    for i in range(5):
        edges += [("a", "decreases", f"m{i}", "disputed"), (f"m{i}", "increases", "z")]
    edges += [("a", "increases", "n1"), ("n1", "increases", "n2"), ("n2", "increases", "n3")]
    edges += [("n3", "increases", "n4"), ("n4", "decreases", "z")]
    g = make_graph(*edges)
    ans = how(g, "a", "z")
    assert ans.effect == "mixed" == {r.key: r.effect for r in reach(g, "a")}["z"]
    # the verdict's undisputed decreasing chain is among the chains shown, beside the cheaper disputed ones
    undisputed = [p.nodes for p in ans.paths if p.effect == "decreases" and not p.disputed]
    assert undisputed == [["a", "n1", "n2", "n3", "n4", "z"]]
    assert ans.counts["decreases"] == 6 and ans.counts["disputed"] == 5


def test_effects_disputed_only_targets_are_flagged():
    g = make_graph(("a", "increases", "b", "disputed"), ("a", "increases", "c"))
    rows = {r.key: r for r in reach(g, "a")}
    assert rows["b"].disputed_only and not rows["c"].disputed_only
    assert "b" not in {r.key for r in reach(g, "a", exclude_disputed=True)}


@pytest.mark.parametrize("top", [1, 2])
def test_top_limits_paths(top):
    g = make_graph(("a", "increases", "z"), ("a", "increases", "m"), ("m", "increases", "z"))
    assert len(how(g, "a", "z", top=top).paths) == top


def test_molecular_mechanism_chain_is_always_shown(mini_graph):
    ans = how(mini_graph, "drug_a", "symptom_s", top=1)
    assert ans.paths[0].nodes == ["drug_a", "condition_c", "symptom_s"] and not ans.paths[0].mechanism
    mech = [p for p in ans.paths if p.mechanism]
    assert mech and mech[0].nodes[:2] == ["drug_a", "receptor_r"]


def test_status_ranking_stated_before_hedged_before_speculative_before_inferred():
    """A document's plain claim outranks its hedge, a hypothesis, and the curator's own inference, in that order."""
    g = make_graph(
        ("a", "increases", "p", "inferred"),
        ("p", "increases", "z"),
        ("a", "increases", "q", "speculative"),
        ("q", "increases", "z"),
        ("a", "increases", "r", "hedged"),
        ("r", "increases", "z"),
        ("a", "increases", "s"),
        ("s", "increases", "z"),
    )
    ans = how(g, "a", "z")
    assert [p.nodes[1] for p in ans.paths] == ["s", "r", "q", "p"]
    assert ans.paths[2].reasons["speculative_hops"] == 1 and ans.paths[3].reasons["inferred_hops"] == 1
