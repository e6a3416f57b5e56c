"""The guided tour's data, the plain definitions, the glossary and the colours the views use (no browser here)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import run_kg
from kg.glossary import load_glossary, lookup
from kg.graph import KnowledgeGraph
from kg.model import Dataset, Entity, Evidence, Source, Statement
from kg.paths import how
from kg.tour import default_pair, first_sentence, gloss, name, tour_data
from kg.viz import SIGNS, TYPE_STYLE, start_view, type_style
from kg.vocab import load_vocabulary


def embedded(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


# --- plain definitions (a data test) ------------------------------------------------------------------------------


def test_every_entity_has_a_plain_definition(real_graph):
    missing = [k for k, e in real_graph.entities.items() if not e.plain.strip()]
    assert missing == [], f"entities without a `plain:` definition: {missing}"
    for key, ent in real_graph.entities.items():
        first = first_sentence(ent.plain)
        # one or two sentences; the first one names what the entity is, so that a step can explain it in passing
        assert len(re.findall(r"[.!?](\s|$)", ent.plain)) <= 3, key
        assert 3 <= len(first.split()) <= 30, (key, first)
        assert first[0].isupper() or first[0] in "'\"‘“", (key, first)
        assert not first.lower().startswith(ent.label.lower() + " is"), (key, "write it as a noun phrase")
        assert ent.plain != ent.definition, key


def test_plain_definitions_reach_the_rdf_and_the_card(real_graph):
    from kg.describe import entity_card
    from kg.rdf import iter_rdf_lines
    from kg.render import card_text

    lines = [ln for ln in iter_rdf_lines(real_graph.data, real_graph.vocab) if "plainDefinition" in ln]
    assert len([ln for ln in lines if ln.startswith("<https://w3id.org/mechkg/entity/")]) == len(real_graph.entities)
    card = entity_card(real_graph, "glutamate")
    assert card.plain == real_graph.entities["glutamate"].plain
    q = card.best_quote
    assert q and "glutamate" in q["quote"].lower()
    st = real_graph.statements[q["statement"]]
    assert st.status not in ("disputed", "negated") and q["quote"] in [e.quote for e in st.evidence]
    text = card_text(card)
    # the plain definition comes first, then the best quote, then the technical part
    assert text.index("in plain words:") < text.index("best quote:") < text.index("ids:") < text.index("definition:")


def test_kg_show_prints_the_plain_definition_first():
    r = run_kg("show", "NMDA receptor")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].startswith("  in plain words: ")


def test_the_loader_takes_plain_and_refuses_unknown_fields(tmp_path, mini_dir):
    import shutil

    from kg.load import load_dataset

    data = tmp_path / "data"
    shutil.copytree(mini_dir, data)
    path = data / "entities.yaml"
    text = path.read_text().replace(
        "{key: drug_b, label: drug B, type: Drug}", '{key: drug_b, label: drug B, type: Drug, plain: "A medicine."}'
    )
    path.write_text(
        text.replace("{key: island, label: island, type: Symptom}", "{key: island, label: i, type: Symptom, plan: x}")
    )
    dataset, problems = load_dataset(data)
    assert dataset.entities["drug_b"].plain == "A medicine."
    assert any("unknown field(s) 'plan'" in p.message and "plain" in p.message for p in problems)


# --- the glossary ------------------------------------------------------------------------------------------------


def test_glossary_explains_every_type_status_and_reading_word():
    terms = load_glossary()
    names = [t.term.lower() for t in terms] + [a.lower() for t in terms for a in t.also]
    assert len(names) == len(set(names)), "a word appears twice in the glossary"
    vocab = load_vocabulary()
    for cls in vocab.classes.values():
        if cls.key == "Entity":
            continue
        term = lookup(cls.label)
        assert term is not None and term.type == cls.key, cls.key
    for status in ("asserted", "hedged", "speculative", "inferred", "disputed", "negated"):
        assert lookup(status).status == status
    for word in (
        "receptor",
        "neurotransmitter",
        "metabolite",
        "synaptogenesis",
        "sign",
        "cost",
        "net effect",
        "unsigned / context",
        "increases",
        "decreases",
        "quote",
        "sign by reading",
    ):
        assert lookup(word) is not None, word
    for t in terms:
        assert "biolink" not in t.plain.lower() and len(t.plain) < 300, t.term


# --- the tour ----------------------------------------------------------------------------------------------------


def test_default_tour_is_ketamine_to_depression_mechanism_first(real_graph):
    assert default_pair(real_graph) == ("ketamine", "depression")
    answer = how(real_graph, "ketamine", "depression")
    tour = tour_data(real_graph, answer)
    assert tour["code"] == "found" and tour["effect"] == "decreases"
    first = tour["chains"][0]
    assert first["mechanism"] and first["nodes"][:2] == ["ketamine", "nmda_receptor"]
    assert {"glutamate", "synaptogenesis"} <= set(first["nodes"])
    # the same chains, data and order rules as `kg how`: ranks are kg how's, every chain is there once
    assert sorted(c["rank"] for c in tour["chains"]) == list(range(1, len(answer.paths) + 1))
    mechanism = [c for c in tour["chains"] if c["mechanism"] and not c["disputed"]]
    assert tour["chains"][: len(mechanism)] == mechanism
    disputed = [i for i, c in enumerate(tour["chains"]) if c["disputed"]]
    assert all(i > j for i in disputed for j, c in enumerate(tour["chains"]) if not c["disputed"])


def test_tour_steps_follow_the_claims_and_say_how_sure(real_graph):
    answer = how(real_graph, "ketamine", "depression")
    tour = tour_data(real_graph, answer)
    for chain in tour["chains"]:
        path = next(p for p in answer.paths if [h.statement for h in p.hops] == chain["edges"])
        running = 1
        for step, hop in zip(chain["steps"], path.hops, strict=True):
            st = real_graph.statements[hop.statement]
            assert (step["from"], step["to"], step["statement"]) == (hop.source, hop.target, hop.statement)
            # the sentence is made from the two entities and the predicate's phrase, then the plain definition
            phrase = real_graph.vocab.predicates[st.predicate].phrase
            assert step["sentence"].startswith(f"{name(real_graph, hop.source, capital=True)} {phrase} ")
            if real_graph.entities[hop.target].plain:
                assert gloss(real_graph, hop.target) in step["sentence"]
            # the running effect multiplies the signs
            running *= hop.sign
            assert step["netSign"] == running
            assert step["net"] == {1: "increases", -1: "decreases", 0: "unknown"}[running]
            # every quote of the claim, with its document
            assert [q["quote"] for q in step["quotes"]] == [e.quote for e in st.evidence]
            assert all(q["title"] == real_graph.data.sources[q["source"]].title for q in step["quotes"])
            # how sure, in words
            if st.status == "asserted":
                assert step["statusText"].startswith("Stated plainly by")
            else:
                assert step["statusText"].startswith(st.status.capitalize()) and step["note"] == st.note
        assert chain["effect"] == path.effect and chain["support"] == path.support
    rules = [s["rule"] for c in tour["chains"] for s in c["steps"]]
    assert any(r.startswith("Two decreases make an increase") for r in rules)


def _graph(statements: list[Statement]) -> KnowledgeGraph:
    vocab = load_vocabulary()
    ents = {
        "pill": Entity("pill", "pill", "Drug", plain="A made-up medicine."),
        "gate": Entity("gate", "gate receptor", "Receptor", plain="A 'door' on cells that a messenger opens."),
        "juice": Entity("juice", "juice", "Neurotransmitter", plain="A made-up chemical messenger."),
        "gloom": Entity("gloom", "gloom", "Disease", plain="A made-up illness of low mood."),
    }
    src = {"d": Source("d", "Doc D", "d.txt")}
    return KnowledgeGraph.create(vocab, Dataset(src, ents, {s.id: s for s in statements}))


def _st(s, p, o, status="asserted", note=""):
    return Statement(f"{s}-{p}-{o}", s, p, o, (Evidence("d", f"{s} {p} {o}."),), status=status, note=note)


def test_tour_says_hedged_speculative_and_inferred_steps_in_words():
    g = _graph(
        [
            _st("pill", "antagonizes", "gate", "hedged", ""),
            _st("gate", "decreases", "juice", "speculative", "A hypothesis of doc D."),
            _st("juice", "decreases", "gloom", "inferred", "Our reading of two sentences."),
        ]
    )
    tour = tour_data(g, how(g, "pill", "gloom"))
    steps = tour["chains"][0]["steps"]
    assert [s["statusText"].split(" — ")[0] for s in steps] == ["Hedged", "Speculative", "Inferred"]
    assert "curator's reading" in steps[2]["statusText"] and steps[2]["note"] == "Our reading of two sentences."
    assert steps[0]["sentence"] == "Pill blocks the gate receptor — a 'door' on cells that a messenger opens."
    assert steps[1]["rule"].startswith("Two decreases make an increase") and steps[1]["net"] == "increases"
    assert steps[2]["net"] == "decreases" and tour["chains"][0]["support"] == "inferred"
    assert "curator's inference" in tour["lead"]  # the verdict rests on its weakest step, said in words
    assert {"receptor", "hedged", "speculative", "inferred"} <= {t for s in steps for t in s["terms"]}


def test_a_disputed_only_answer_is_never_toured_as_the_answer():
    g = _graph([_st("pill", "decreases", "gloom", "disputed", "Doc D contradicts itself.")])
    answer = how(g, "pill", "gloom")
    assert answer.code == "disputed-only"
    tour = tour_data(g, answer)
    assert tour["code"] == "disputed-only" and "no undisputed link" in tour["lead"]
    assert "not the answer" in tour["lead"] and "they are not" in tour["lead"]
    chain = tour["chains"][0]
    assert chain["disputed"] and chain["title"] == "A disputed chain"
    assert (
        chain["steps"][0]["statusText"].startswith("Disputed — ") and "never counted" in chain["steps"][0]["statusText"]
    )


def test_start_view_is_the_drug_its_target_and_the_mechanism(real_graph):
    shown, positions, answer = start_view(real_graph)
    assert shown[0] == "ketamine" and shown[1] == "nmda_receptor" and "depression" in shown
    assert {"glutamate", "synaptogenesis"} <= set(shown) and len(shown) <= 8
    xs = [positions[k]["x"] for k in shown if positions[k]["y"] == 0]
    assert xs == sorted(xs)  # left to right
    assert answer.subject == "ketamine" and answer.object == "depression"


def test_cli_tour_default_and_named(tmp_path):
    out = tmp_path / "t.html"
    r = run_kg("tour", "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = embedded(out.read_text(encoding="utf-8"))
    assert data["meta"]["tourOpen"] is True and data["meta"]["mode"] == "path"
    assert (data["tour"]["subject"], data["tour"]["object"]) == ("ketamine", "depression")
    assert data["tour"]["chains"][0]["mechanism"] and data["glossary"]
    r = run_kg("viz", "--tour", "ketamin", "tiredness", "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = embedded(out.read_text(encoding="utf-8"))
    assert data["tour"]["object"] == "fatigue" and any("ketamin" in n for n in data["tour"]["resolved"])


# --- colours and shapes --------------------------------------------------------------------------------------------


def _linear(c: str) -> list[float]:
    out = []
    for i in (1, 3, 5):
        v = int(c[i : i + 2], 16) / 255
        out.append(v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4)
    return out


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


# Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB
CVD = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
}


def _seen(color: str, kind: str) -> tuple[float, float, float]:
    rgb = _linear(color)
    m = CVD[kind]
    return _lab([min(max(sum(m[i][j] * rgb[j] for j in range(3)), 0.0), 1.0) for i in range(3)])


def _delta(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


@pytest.mark.parametrize("kind", sorted(CVD))
def test_increase_and_decrease_stay_apart_for_colour_blind_readers(kind):
    up, down = SIGNS[1]["color"], SIGNS[-1]["color"]
    assert _delta(_seen(up, kind), _seen(down, kind)) > 30
    # the test can fail: the green and red arrows of before collapse to the same olive
    assert _delta(_seen("#238b45", kind), _seen("#cb181d", kind)) < 30
    # and the sign is readable without colour at all
    assert len({SIGNS[s]["glyph"] for s in SIGNS}) == 3 and SIGNS[1]["arrow"] != SIGNS[-1]["arrow"]


def _contrast(a: str, b: str) -> float:
    la, lb = (0.2126 * r + 0.7152 * g + 0.0722 * bl for r, g, bl in (_linear(a), _linear(b)))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_sign_text_colours_meet_wcag_aa():
    for s in SIGNS.values():
        for background in ("#ffffff", "#f7f8fa"):
            assert _contrast(s["text"], background) >= 4.5, (s["label"], background)


def test_no_two_entity_types_share_colour_and_shape():
    vocab = load_vocabulary()
    styles = {k: type_style(load_graph_vocab_only(vocab), k) for k in vocab.classes}
    pairs = list(styles.values())
    assert len(pairs) == len(set(pairs)), styles
    assert set(TYPE_STYLE) >= set(vocab.classes)  # every class styled on purpose, none by inheritance


def load_graph_vocab_only(vocab) -> KnowledgeGraph:
    return KnowledgeGraph.create(vocab, Dataset({}, {}, {}))
