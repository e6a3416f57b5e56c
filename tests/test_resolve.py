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
    assert res.key == "condition_c" and res.matched == "fuzzy"
    assert "fuzzy match" in res.describe()


def test_unknown_name_suggests(resolver):
    with pytest.raises(ResolveError) as err:
        resolver.resolve("proces Q")
    assert err.value.kind == "unknown" and "process_p" in err.value.candidates
    assert "did you mean" in str(err.value)


def test_ambiguous_name_lists_candidates(resolver):
    with pytest.raises(ResolveError) as err:
        resolver.resolve("symptom")
    assert err.value.kind == "ambiguous"


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
