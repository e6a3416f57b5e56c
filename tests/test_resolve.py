import pytest

from kg.resolve import ResolveError, Resolver, normalize


@pytest.fixture(scope="module")
def resolver(mini_graph):
    return Resolver(mini_graph)


@pytest.mark.parametrize(
    "name, key, how",
    [
        ("drug A", "drug_a", "label"),
        ("DRUG a", "drug_a", "label"),
        ("drug_a", "drug_a", "key"),
        ("drug-a", "drug_a", "synonym"),
        ("Drug A's", "drug_a", "label"),
        ("CHEBI:6121", "drug_a", "id"),
        ("chebi:6121", "drug_a", "id"),
        ("http://purl.obolibrary.org/obo/CHEBI_6121", "drug_a", "iri"),
        ("https://w3id.org/mechkg/entity/process_p", "process_p", "iri"),
        ("ent:process_p", "process_p", "key"),
        ("tiredness", "symptom_s", "synonym"),
        ("  condition C ", "condition_c", "label"),
    ],
)
def test_exact_forms(resolver, name, key, how):
    res = resolver.resolve(name)
    # a key like drug_a normalizes like its label "drug A": either exact match is right
    names = {"label": {"label", "key"}, "synonym": {"synonym", "key"}}.get(how, {how})
    assert res.key == key and res.matched in names


def test_typo_resolves_fuzzily_and_says_so(resolver):
    res = resolver.resolve("condtion C")
    assert res.key == "condition_c" and res.matched == "fuzzy" and res.distance == 1
    assert "taken as a typo" in res.describe()


def test_unknown_name_suggests(resolver):
    with pytest.raises(ResolveError) as err:
        resolver.resolve("proces Q")
    assert err.value.kind == "unknown" and "process_p" in err.value.candidates
    assert "did you mean" in str(err.value)


def test_ambiguous_name_lists_candidates(resolver):
    with pytest.raises(ResolveError) as err:
        resolver.resolve("symptom X")  # one letter from symptom S and from symptom T
    assert err.value.kind == "ambiguous" and set(err.value.candidates) == {"symptom_s", "symptom_t"}


def test_nonsense_still_offers_nearest(resolver):
    with pytest.raises(ResolveError) as err:
        resolver.resolve("zzzzqqq")
    assert err.value.kind == "unknown"


def test_empty_name(resolver):
    with pytest.raises(ResolveError):
        resolver.resolve("   ")


def test_normalize():
    assert normalize("SSRI's") == normalize("SSRIs") == "ssri"
    assert normalize("N-methyl-D-aspartate") == "n methyl d aspartate"
    assert normalize("Glutamic  Acid") == "glutamic acid"
    assert normalize("stress") == "stress"  # -ss is not a plural
    assert normalize("NMDA receptors") == normalize("NMDA receptor")


# --- resolution on the real data: a typo resolves, another word never does (issue 16) ----------------------

REAL_TYPOS = [
    ("ketamin", "ketamine"),  # a letter missing at the end
    ("ketmaine", "ketamine"),  # two letters swapped
    ("glutamte", "glutamate"),
    ("serotonine", "serotonin"),  # one letter added at the end
    ("depresion", "depression"),
    ("synaptogensis", "synaptogenesis"),
    ("anxeity", "anxiety"),
    ("NMDA recepter", "nmda_receptor"),
    ("norepinefrine", "norepinephrine"),  # two edits in a long name
]

REAL_REFUSED = [
    ("happiness", "sadness"),  # un-happiness: the antonym, by letters added at the start
    ("esketamine", "ketamine"),  # es-ketamine: another drug that contains the name
    ("arketamine", "ketamine"),
    ("epinephrine", "norepinephrine"),  # nor-epinephrine: a different neurotransmitter
    ("adrenaline", "norepinephrine"),  # nor-adrenaline
    ("danger", "anger"),  # a letter added at the start is another word
    ("flood", "blood"),  # an unrelated near-spelling: another first letter in a short word
]


@pytest.fixture(scope="module")
def real_resolver(real_graph):
    return Resolver(real_graph)


@pytest.mark.parametrize("typed, key", REAL_TYPOS)
def test_a_typo_of_one_name_resolves_and_says_so(real_resolver, typed, key):
    res = real_resolver.resolve(typed)
    assert (res.key, res.matched) == (key, "fuzzy") and 1 <= res.distance <= 2
    assert f"{typed} → " in res.describe() and "typo" in res.describe()


@pytest.mark.parametrize("typed, wrong", REAL_REFUSED)
def test_another_word_is_refused_with_suggestions_never_substituted(real_resolver, real_graph, typed, wrong):
    if any(typed.casefold() == n.casefold() for e in real_graph.entities.values() for n in (e.label, *e.synonyms)):
        pytest.skip(f"the data now names '{typed}' itself")
    with pytest.raises(ResolveError) as err:
        real_resolver.resolve(typed)
    assert err.value.kind == "unknown" and err.value.candidates
    assert "did you mean" in str(err.value) or "nearest names" in str(err.value)


def test_typo_rule():
    from kg.resolve import typo_distance

    assert typo_distance("ketamin", "ketamine") == 1
    assert typo_distance("ketmaine", "ketamine") == 1  # a swap is one edit
    assert typo_distance("esketamine", "ketamine") is None  # letters added at the start
    assert typo_distance("ketamineabc", "ketamine") is None  # three letters added at the end
    assert typo_distance("pain", "gain") is None  # a short word with another first letter
    assert typo_distance("ssri", "ssrs") == 1 and typo_distance("abc", "abd") is None  # under four letters: exact only
    assert typo_distance("hypotension", "hypertension") is None  # two edits in an 11-letter name
