"""kg suggest: a small document written for the tests, read with the fixture dataset, gives its expected candidates."""

from pathlib import Path

import pytest
import yaml

from kg.errors import DataError
from kg.lexicon import load_lexicon, verb_forms
from kg.load import load_dataset
from kg.model import Dataset, Entity
from kg.suggest import Reader, read_quantities, suggest_file
from kg.vocab import load_vocabulary

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "suggest"


@pytest.fixture(scope="module")
def mini(mini_dir):
    data, problems = load_dataset(mini_dir)
    assert not problems
    return data


@pytest.fixture(scope="module")
def review(mini):
    return suggest_file(FIXTURE / "article.txt", mini, load_vocabulary(), source="article")


def _claims(review):
    return {(s["subject"], s["predicate"], s["object"]): s for s in review["statements"]}


def test_expected_candidates(review):
    expected = yaml.safe_load((FIXTURE / "expected.yaml").read_text())
    got = _claims(review)
    for subject, predicate, obj, status in expected["candidates"]:
        assert (subject, predicate, obj) in got, f"missing {subject} {predicate} {obj}"
        assert got[(subject, predicate, obj)]["proposed_status"] == status, (subject, predicate, obj)
    for subject, predicate, obj in expected["not"]:
        assert (subject, predicate, obj) not in got
    for key, fields in expected["new_entities"].items():
        ent = next(e for e in review["entities"] if e["key"] == key)
        assert {k: ent[k] for k in fields} == fields
        assert "ids" not in ent and ent["status"] == "candidate"
    for sid, quals in expected["qualifiers"].items():
        assert got[tuple(sid.split("-"))]["qualifiers"] == quals


def test_candidates_are_in_the_data_format_with_why(review):
    text = (FIXTURE / "article.txt").read_text()
    flat = " ".join(text.split())
    assert review["sources"] == [{"key": "article", "title": "Drug B, Receptor R and Condition C",
                                  "kind": "document", "file": "article.txt"}]  # fmt: skip
    for st in review["statements"]:
        assert st["status"] == "candidate" and st["decision"] == "pending"
        assert 0 < st["confidence"] <= 1 and st["reason"] and st["words"]
        for ev in st["evidence"]:
            assert ev["source"] == "article"
            assert all(part.strip() in flat for part in ev["quote"].split(" ... "))  # verbatim sentences
    negated = _claims(review)[("drug_b", "causes", "symptom_s")]
    assert (
        "negated by 'not'" in negated["reason"]
        and negated["evidence"][0]["quote"] == "Drug B does not cause symptom S."
    )
    item = _claims(review)[("drug_b", "relieves", "symptom_t")]
    assert item["evidence"][0]["quote"] == "Drug B relieves the following symptoms of condition C: ... Symptom T"


def test_an_extra_cue_file_teaches_a_new_word(mini, tmp_path):
    doc = tmp_path / "d.txt"
    doc.write_text("Drug B curtails messenger M.\n")
    vocab = load_vocabulary()
    before = suggest_file(doc, mini, vocab)
    assert not before["statements"]
    cues = tmp_path / "cues.yaml"
    cues.write_text("relations:\n  - predicate: decreases\n    verbs: [curtail]\n")
    after = suggest_file(doc, mini, vocab, cues=[cues])
    assert [(s["subject"], s["predicate"], s["object"]) for s in after["statements"]] == [
        ("drug_b", "decreases", "messenger_m")
    ]


def test_a_bad_cue_file_is_one_clear_error(tmp_path):
    cues = tmp_path / "cues.yaml"
    cues.write_text("relations:\n  - predicate: frobnicates\n    verbs: [frob]\n")
    with pytest.raises(DataError, match="unknown predicate 'frobnicates'"):
        load_lexicon([cues])


def test_verb_forms():
    assert verb_forms("reduce") == ["reduce", "reduces", "reduced", "reducing"]
    assert verb_forms("block") == ["block", "blocks", "blocked", "blocking"]
    assert verb_forms("ramp up") == ["ramp up", "ramps up", "ramped up", "ramping up"]


def test_quantities_become_qualifiers():
    spec = load_lexicon().quantities
    words = {"two": 2, "three": 3, "six": 6}
    assert read_quantities("It acts within 4 hours.", spec, words) == {"onset": {"value": 4, "unit": "hour"}}
    assert read_quantities("Benefits last approx. 3 weeks.", spec, words) == {
        "duration": {"value": 3, "unit": "week", "approximate": True}
    }
    assert read_quantities("six infusions over two to three weeks", spec, words) == {
        "count": {"value": 6, "unit": "infusion"},
        "period": {"min": 2, "max": 3, "unit": "week"},
    }
    assert read_quantities("90% of people with depression feel tired", spec, words) == {
        "prevalence": {"value": 90, "unit": "percent"}
    }
    assert read_quantities("given at sub-anesthetic doses", spec, words) == {"dose": {"text": "sub-anesthetic"}}


def test_abbreviations_match_only_in_capitals(mini):
    reader = Reader(mini, load_vocabulary(), load_lexicon())
    found = reader.read("Drug B blocks R. The drug blocks r.\n")
    assert [(c.object, c.quotes) for c in found.candidates] == [("receptor_r", ["Drug B blocks R."])]


def test_a_seed_document_gives_back_claims_curated_from_it(real_graph):
    """One seed document with the whole graph: the claims it was curated for come back as candidates."""
    from conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("the corpus (../shared/seeds) is not beside this checkout")
    data = real_graph.data
    reader = Reader(data, load_vocabulary(), load_lexicon())
    text = (SEEDS / data.sources["infusion-guide"].file).read_text()
    got = {(c.subject, c.predicate, c.object) for c in reader.read(text).candidates}
    assert {("ketamine", "relieves", "fatigue"), ("depression", "hasSymptom", "anhedonia")} <= got


def test_a_negated_list_intro_negates_its_items(mini):
    reader = Reader(mini, load_vocabulary(), load_lexicon())
    found = reader.read("Drug B does not relieve the following symptoms:\n- Symptom S\n- Symptom T\n")
    got = {(c.subject, c.predicate, c.object, c.status) for c in found.candidates}
    assert got == {("drug_b", "relieves", "symptom_s", "negated"), ("drug_b", "relieves", "symptom_t", "negated")}


# --- reading rules: each one with a sentence it must read and a near miss it must not ----------------------------
_LEX = None


def _read(text: str, *entities: tuple) -> set[tuple[str, str, str, str]]:
    """(subject, predicate, object, status) of the candidates read from `text` with a dataset of just these
    entities, each given as (key, label, type, synonym…)."""
    global _LEX
    _LEX = _LEX or load_lexicon()
    ents = {e[0]: Entity(e[0], e[1], e[2], tuple(e[3:])) for e in entities}
    found = Reader(Dataset(sources={}, entities=ents, statements={}), load_vocabulary(), _LEX).read(text)
    return {(c.subject, c.predicate, c.object, c.status) for c in found.candidates}


def _pairs(text: str, *entities: tuple) -> set[tuple[str, str]]:
    """The (subject, object) pairs of the candidates read from `text`."""
    return {(s, o) for s, _, o, _ in _read(text, *entities)}


GLU = ("glutamate", "glutamate", "Neurotransmitter")
PAIN = ("pain", "pain", "Symptom", "physical pain")
STRESS = ("stress", "stress", "Symptom")


def test_a_name_written_as_noun_of_noun_is_found():
    """'remodeling of synapses' is the entity named 'synapse remodeling'; 'of V-ing' stands for 'to V'."""
    remodeling = ("synapse_remodeling", "synapse remodeling", "BiologicalProcess")
    assert ("glutamate", "increases", "synapse_remodeling", "asserted") in _read(
        "Glutamate promotes the remodeling of synapses.", GLU, remodeling
    )
    assert ("glutamate", "synapse_remodeling") not in _pairs("Glutamate promotes the remodeling of kitchens.", GLU)
    impaired = ("impaired_functioning", "impaired functioning", "Symptom", "inability to lead a normal life")
    assert ("pain", "causes", "impaired_functioning", "asserted") in _read(
        "Pain leads to an inability of leading a normal life.", PAIN, impaired
    )
    assert not _pairs("Pain leads to an inability of leaving the house.", PAIN, impaired) & {
        ("pain", "impaired_functioning")
    }


def test_a_list_that_writes_a_shared_word_once_names_both():
    """'emotional and physical pain' names emotional pain too; 'weight loss or gain' names weight gain."""
    emotional = ("emotional_pain", "emotional pain", "Symptom")
    assert {("stress", "emotional_pain"), ("stress", "pain")} <= _pairs(
        "Stress worsens emotional and physical pain.", STRESS, PAIN, emotional
    )
    assert ("stress", "emotional_pain") not in _pairs(
        "Stress worsens emotional states and physical pain.", STRESS, PAIN, emotional
    )
    loss = ("weight_loss", "weight loss", "Symptom")
    gain = ("weight_gain", "weight gain", "Symptom")
    assert {("stress", "weight_loss"), ("stress", "weight_gain")} <= _pairs(
        "Stress causes weight loss or gain.", STRESS, loss, gain
    )
    assert ("stress", "weight_gain") not in _pairs("Stress causes weight loss or gains in fat.", STRESS, loss, gain)


FATIGUE = ("fatigue", "fatigue", "Symptom")
INSOMNIA = ("insomnia", "insomnia", "Symptom")


def test_a_joiner_makes_two_names_one_party():
    """'X from work coupled with Y leads to Z': both lead to Z, as with 'and'."""
    assert {("stress", "fatigue"), ("pain", "fatigue")} <= _pairs(
        "Stress from work coupled with physical pain leads to fatigue.", STRESS, PAIN, FATIGUE
    )
    assert {("stress", "fatigue"), ("pain", "fatigue")} <= _pairs(
        "Stress as well as pain leads to fatigue.", STRESS, PAIN, FATIGUE
    )
    near = _pairs("Stress is worse when coupled with pain, which leads to fatigue.", STRESS, PAIN, FATIGUE)
    assert ("pain", "fatigue") in near and ("stress", "fatigue") not in near


def test_a_list_closed_by_a_name_we_lack_still_holds_the_names_before():
    """'pain, fatigue, and daily chores': pain and fatigue are both objects though 'daily chores' names nothing."""
    assert {("stress", "pain"), ("stress", "fatigue")} <= _pairs(
        "Stress worsens pain, fatigue, and daily chores.", STRESS, PAIN, FATIGUE
    )
    near = _pairs("Stress worsens pain, fatigue sets in, and sleep fails.", STRESS, PAIN, FATIGUE)
    assert ("stress", "pain") in near and ("stress", "fatigue") not in near


TIRED = ("fatigue", "fatigue", "Symptom", "fatigued", "tired")
INS = ("insomnia", "insomnia", "Symptom")
LEARNING = ("learning", "learning", "BiologicalProcess")


def test_leaving_someone_in_a_state_causes_it():
    """'can leave you feeling fatigued': the subject causes the state."""
    assert ("insomnia", "causes", "fatigue", "asserted") in _read(
        "Insomnia can leave you feeling fatigued.", INS, TIRED
    )
    assert ("insomnia", "fatigue") not in _pairs("Insomnia can leave you alone with fatigue.", INS, TIRED)


def test_what_a_thing_is_needed_for_it_helps_along():
    """'X plays a key role in Y', 'X is essential for Y': X positively affects Y."""
    assert ("glutamate", "positivelyAffects", "learning", "asserted") in _read(
        "Glutamate plays a key role in learning.", GLU, LEARNING
    )
    assert ("glutamate", "learning") not in _pairs("The key role of glutamate in learning is unclear.", GLU, LEARNING)


def test_which_after_this_includes_stands_for_what_this_stands_for():
    """'Pain is common. This includes back pain, which can leave you …': the kinds of pain do, so pain does."""
    assert ("pain", "fatigue") in _pairs(
        "Pain is common. This includes back pain, which can leave you feeling fatigued.", PAIN, TIRED
    )
    assert ("pain", "fatigue") not in _pairs(
        "Pain is common. Sleep includes dreams, which can leave you feeling fatigued.", PAIN, TIRED
    )


DEPRESSION = ("depression", "depression", "Disease")
ANXIETY = ("anxiety", "anxiety", "Symptom", "anxious")
ANGER = ("anger", "anger", "Symptom", "angry")


def test_what_people_with_a_condition_feel_is_its_symptom():
    """'people living with depression feel tired': depression has the symptom; the condition may come last."""
    assert {
        ("depression", "hasSymptom", "fatigue", "asserted"),
        ("depression", "hasSymptom", "anxiety", "asserted"),
    } <= (_read("People living with depression often feel tired and anxious.", DEPRESSION, TIRED, ANXIETY))
    assert ("depression", "hasSymptom", "anger", "hedged") in _read(
        "Patients may experience anger during their time with depression.", DEPRESSION, ANGER
    )
    assert ("depression", "fatigue") not in _pairs("Doctors treating depression feel tired.", DEPRESSION, TIRED)
    assert ("depression", "fatigue") not in _pairs(
        "People with depression who took the drug felt less tired.", DEPRESSION, TIRED
    )


def test_a_list_of_names_ends_where_and_goes_on_with_a_verb():
    """'feel tired, anxious, angry, and have no …': the three names are one list."""
    got = _read(
        "People with depression feel tired, anxious, angry, and have no energy.", DEPRESSION, TIRED, ANXIETY, ANGER
    )
    assert {o for _, _, o, _ in got} == {"fatigue", "anxiety", "anger"}
    near = _read(
        "People with depression feel tired, anxious, angry people have no energy.", DEPRESSION, TIRED, ANXIETY, ANGER
    )
    assert {o for _, _, o, _ in near} == {"fatigue"}


KETAMINE = ("ketamine", "ketamine", "Drug")


def test_the_example_of_an_unnamed_subject_is_the_subject():
    """'Drugs that lower glutamate (such as ketamine)': ketamine lowers glutamate; an example of the object is not."""
    assert ("ketamine", "decreases", "glutamate", "asserted") in _read(
        "Drugs that lower glutamate (such as ketamine) are new.", GLU, KETAMINE
    )
    near = _read("Drugs that lower neurotransmitters such as glutamate are new.", GLU, KETAMINE)
    assert not {c for c in near if c[1] == "decreases"}


def test_what_comes_with_a_thing_the_thing_brings():
    """'With stress comes insomnia': stress causes insomnia; 'comes' alone says nothing."""
    assert ("stress", "causes", "insomnia", "asserted") in _read("With stress comes insomnia.", STRESS, INSOMNIA)
    assert not _read("Stress comes and insomnia follows.", STRESS, INSOMNIA)


def test_what_a_thing_set_against_the_subject_does_the_subject_does_not():
    """'Unlike drugs that raise glutamate, ketamine eases pain': ketamine does not raise glutamate (negated)."""
    got = _read("Unlike drugs that raise glutamate, ketamine eases pain.", GLU, KETAMINE, PAIN)
    assert ("ketamine", "increases", "glutamate", "negated") in got
    near = _read("Unlike most drugs, ketamine raises glutamate and eases pain.", GLU, KETAMINE, PAIN)
    assert ("ketamine", "increases", "glutamate", "asserted") in near
    assert not {c for c in near if c[3] == "negated"}


NEURON = ("neuron", "neuron", "AnatomicalEntity")


def test_a_change_that_brings_another():
    """'By raising X, Y should decrease': X decreases Y; 'As X increases, Y increases': X increases Y."""
    assert ("glutamate", "decreases", "pain", "hedged") in _read(
        "By raising glutamate, pain should decrease.", GLU, PAIN
    )
    assert ("stress", "increases", "insomnia", "asserted") in _read(
        "As stress increases, insomnia increases.", STRESS, INSOMNIA
    )
    assert ("glutamate", "pain") not in _pairs("By raising glutamate, ketamine reduces pain.", GLU, PAIN, KETAMINE)
    assert ("neuron", "pain") not in _pairs("By increasing neuron activity, pain should decrease.", NEURON, PAIN)


SLEEP = ("sleep", "sleep", "BiologicalProcess")


def test_help_before_a_verb_only_carries_it():
    """'may help restore learning' restores it; a relief verb before a rise still turns it: 'relieves the rise'."""
    assert ("sleep", "increases", "learning", "hedged") in _read("Sleep may help restore learning.", SLEEP, LEARNING)
    assert ("sleep", "decreases", "pain", "asserted") in _read("Sleep relieves the increase in pain.", SLEEP, PAIN)


ALCOHOL = ("alcohol_abuse", "alcohol abuse", "Condition")
SUBSTANCE = ("substance_abuse", "substance abuse", "Condition")


def test_or_other_names_the_wider_kind_and_keeps_the_list_going():
    """'Abuse of alcohol or other substances': alcohol abuse is a kind of substance abuse, and both are list items."""
    got = _read("Stress worsens abuse of alcohol or other substances.", STRESS, ALCOHOL, SUBSTANCE)
    assert {
        ("stress", "increases", "alcohol_abuse", "asserted"),
        ("stress", "increases", "substance_abuse", "asserted"),
        ("alcohol_abuse", "isA", "substance_abuse", "asserted"),
    } <= got
    assert "substance_abuse" not in str(
        _read("Stress worsens abuse of alcohol or other people.", STRESS, ALCOHOL, SUBSTANCE)
    )
    intro = "The following are risk factors for depression:\n- Abuse of alcohol or other substances\n"
    assert ("substance_abuse", "depression") in _pairs(intro, DEPRESSION, ALCOHOL, SUBSTANCE)
    near = "The following are risk factors for depression:\n- Abuse of alcohol causes substance abuse\n"
    assert ("substance_abuse", "depression") not in _pairs(near, DEPRESSION, ALCOHOL, SUBSTANCE)


def test_an_unsaid_object_is_the_condition_the_text_is_about():
    """'Stress is another contributing factor, as …' after depression was named: stress is a risk factor for it."""
    text = "Depression is common. Stress is another contributing factor, as life is hard."
    assert ("stress", "riskFactorFor", "depression", "asserted") in _read(text, DEPRESSION, STRESS)
    said = "Depression is common. Stress is a risk factor for insomnia."
    assert ("stress", "depression") not in _pairs(said, DEPRESSION, STRESS, INSOMNIA)
    assert not _read("Stress may play a role.", DEPRESSION, STRESS)  # no condition named: nothing to fill in


def test_a_gerund_after_plays_a_role_in_carries_the_relation():
    """'plays a role in stimulating learning' stimulates it; 'plays a role in learning' only has a part in it."""
    assert ("ketamine", "increases", "learning", "asserted") in _read(
        "Ketamine plays a role in stimulating learning.", KETAMINE, LEARNING
    )
    assert _read("Ketamine plays a role in learning.", KETAMINE, LEARNING) == {
        ("ketamine", "associatedWith", "learning", "asserted")
    }


EXERCISE = ("exercise", "exercise", "Behavior")


def test_what_people_feel_without_a_thing_the_thing_keeps_away():
    """'Without sleep, you will feel tired': sleep decreases fatigue; 'without them' stands for the names before."""
    assert ("sleep", "decreases", "fatigue", "asserted") in _read("Without sleep, you will feel tired.", SLEEP, TIRED)
    both = _read("Exercise and sleep matter, and without them, you feel tired.", EXERCISE, SLEEP, TIRED)
    assert {("exercise", "decreases", "fatigue", "asserted"), ("sleep", "decreases", "fatigue", "asserted")} <= both
    near = _read("Without doubt, sleep makes you feel tired.", SLEEP, TIRED)
    assert ("sleep", "decreases", "fatigue", "asserted") not in near


def test_a_list_item_we_have_no_name_for_is_a_new_entity():
    """'pain, lethargy, and insomnia' with no name for lethargy: it is proposed, as is an unnamed last item."""
    assert {("stress", "pain"), ("stress", "lethargy"), ("stress", "insomnia")} <= _pairs(
        "Stress causes pain, lethargy, and insomnia.", STRESS, PAIN, INSOMNIA
    )
    assert ("stress", "loneliness") in _pairs("Stress causes pain, insomnia, and loneliness.", STRESS, PAIN, INSOMNIA)
    near = _pairs("Stress causes pain, people, and insomnia.", STRESS, PAIN, INSOMNIA)
    assert ("stress", "pain") in near and ("stress", "people") not in near


def test_a_noun_opening_a_copular_clause_before_a_noun_cue_is_its_subject():
    """'Poor diet is another contributing factor': a new entity 'Poor diet' is the risk factor (not 'Many people')."""
    got = _read("Depression is common. Poor diet is another contributing factor, as we know.", DEPRESSION)
    assert ("poor_diet", "riskFactorFor", "depression", "asserted") in got
    assert not _read("Depression is common. Many people are a contributing factor, as we know.", DEPRESSION)


def test_a_low_dose_of_a_drug_is_still_the_drug_acting():
    """'low doses of ketamine can treat pain': ketamine relieves pain; 'low levels of glutamate' still inverts."""
    assert ("ketamine", "relieves", "pain", "asserted") in _read(
        "Low doses of ketamine can treat pain.", KETAMINE, PAIN
    )
    assert _read("Low levels of glutamate are associated with pain.", GLU, PAIN) == {
        ("glutamate", "negativelyCorrelatedWith", "pain", "asserted")
    }
