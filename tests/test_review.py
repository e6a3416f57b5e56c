"""kg review: the loop driven by piped keys, duplicates and conflicts, writing only what validates, then kg how."""

import difflib
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_kg

ARTICLE = Path(__file__).resolve().parent / "fixtures" / "suggest" / "article.txt"


@pytest.fixture()
def workspace(tmp_path, mini_dir, mini_corpus):
    """Copies of the fixture dataset and corpus, and a review file of the test article made by `kg suggest`."""
    shutil.copytree(mini_dir, tmp_path / "data")
    shutil.copytree(mini_corpus, tmp_path / "corpus")
    r = run_kg("--data", str(tmp_path / "data"), "suggest", str(ARTICLE), "-o", str(tmp_path / "r.yaml"),
               "--source", "art", "--title", "The test article")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "candidate claim(s)" in r.stderr
    return tmp_path


def _review(ws: Path) -> dict:
    return yaml.safe_load((ws / "r.yaml").read_text())


def _ids(ws: Path) -> dict:
    return {(s["subject"], s["predicate"], s["object"]): s["id"] for s in _review(ws)["statements"]}


def _only_added(before: str, after: str) -> bool:
    """Every character of the file before is still there, in order: text was only added."""
    ops = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    return all(op in ("equal", "insert") for op, *_ in ops)


def _snapshot(ws: Path) -> dict:
    return {p.relative_to(ws): p.read_bytes() for d in ("data", "corpus") for p in (ws / d).rglob("*") if p.is_file()}


def test_piped_keys_accept_reject_skip_undo_quit_then_resume(workspace):
    ws = workspace
    args = ("--data", str(ws / "data"), "review", str(ws / "r.yaml"), "--corpus", str(ws / "corpus"))
    r = run_kg(*args, input="a\nr\nu\ns\nq\n")
    assert r.returncode == 0, r.stderr
    assert "[1/" in r.stdout and "→ accepted" in r.stdout and "undone: c002 is pending again" in r.stdout
    assert "[Drug B] [blocks] [receptor R]." in r.stdout  # the matched words, marked
    decisions = [s["decision"] for s in _review(ws)["statements"]][:3]
    assert decisions == ["accepted", "skipped", "pending"]
    r = run_kg(*args, input="q\n")  # resume: the pending ones first, then the skipped one
    assert r.returncode == 0, r.stderr
    first = r.stdout.split("[1/", 1)[1]
    assert first.split()[1] == "c003"


def test_edit_changes_status_and_entity(workspace):
    ws = workspace
    cid = _ids(ws)[("drug_b", "relieves", "symptom_t")]
    keys = "\n".join(["e", "t", "hedged", "o", "symptom S", "d", "a", "q"]) + "\n"
    r = run_kg("--data", str(ws / "data"), "review", str(ws / "r.yaml"), "--corpus", str(ws / "corpus"),
               input="s\n" * (int(cid[1:]) - 1) + keys)  # fmt: skip
    assert r.returncode == 0, r.stderr
    st = next(s for s in _review(ws)["statements"] if s["id"] == cid)
    assert (st["object"], st["final_status"], st["decision"]) == ("symptom_s", "hedged", "accepted")


def test_accept_all_writes_validates_and_answers_how(workspace):
    ws = workspace
    before = {p: (ws / "data" / p).read_text() for p in ("sources.yaml", "statements.yaml", "entities.yaml")}
    r = run_kg("--data", str(ws / "data"), "review", str(ws / "r.yaml"), "--corpus", str(ws / "corpus"),
               "--accept-all", "--min-confidence", "0.5")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "new claim(s)" in r.stderr and "art.txt" in r.stderr
    for name, text in before.items():  # existing files: only added to, formatting and comments kept
        assert _only_added(text, (ws / "data" / name).read_text()), name
    assert (ws / "corpus" / "art.txt").read_text() == ARTICLE.read_text()
    new = yaml.safe_load((ws / "data" / "statements" / "art.yaml").read_text())["statements"]
    assert all(s.get("status", "asserted") in ("asserted", "hedged", "negated") for s in new)
    hedged = next(s for s in new if s["subject"] == "messenger_m")
    assert hedged["status"] == "hedged"
    negated = next(s for s in new if (s["subject"], s["object"]) == ("drug_b", "symptom_s") and s.get("status"))
    assert negated["status"] == "negated" and negated["note"]
    assert yaml.safe_load((ws / "data" / "entities" / "art.yaml").read_text())["entities"][0]["key"] == "bdnf"

    v = run_kg("--data", str(ws / "data"), "validate", "--corpus", str(ws / "corpus"))
    assert v.returncode == 0, v.stdout
    h = run_kg("--data", str(ws / "data"), "how", "drug B", "messenger M")
    assert h.returncode == 0, h.stderr
    assert "INCREASES" in h.stdout and "It also triggers the release of messenger M" in h.stdout
    h = run_kg("--data", str(ws / "data"), "how", "drug A", "BDNF")
    assert h.returncode == 0 and "INCREASES" in h.stdout


def test_duplicate_becomes_evidence_and_conflict_shows_both_quotes(workspace):
    ws = workspace
    ids = _ids(ws)
    dup, conflict = ids[("drug_a", "antagonizes", "receptor_r")], ids[("drug_a", "causes", "symptom_t")]
    order = [s["id"] for s in _review(ws)["statements"]]
    keys = ["a" if i in (dup, conflict) else "s" for i in order[: max(order.index(dup), order.index(conflict)) + 1]]
    r = run_kg("--data", str(ws / "data"), "review", str(ws / "r.yaml"), "--corpus", str(ws / "corpus"),
               input="\n".join([*keys, "q"]) + "\n")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "RESTATES drug_a-antagonizes-receptor_r: accepting adds this quote to its evidence" in r.stdout
    assert "CONFLICT with drug_a-causes-symptom_t" in r.stdout
    assert 'b: "Drug A does not cause symptom T."' in r.stdout  # the other claim's quote beside this one
    statements = yaml.safe_load((ws / "data" / "statements.yaml").read_text())["statements"]
    blocks = next(s for s in statements if (s["subject"], s["predicate"]) == ("drug_a", "antagonizes"))
    assert {"source": "art", "quote": "Drug A blocks receptor R, approx. 2 h after a dose."} in blocks["evidence"]
    new = yaml.safe_load((ws / "data" / "statements" / "art.yaml").read_text())["statements"]
    assert [(s["subject"], s["predicate"], s["object"], s["conflicts_with"]) for s in new] == [
        ("drug_a", "causes", "symptom_t", ["drug_a-causes-symptom_t"])
    ]
    assert new[0]["id"] == "drug_a-causes-symptom_t-art"  # the negated claim already has the plain id
    negated = next(s for s in statements if s.get("status") == "negated")
    assert negated["conflicts_with"] == ["drug_a-causes-symptom_t-art"]  # recorded on both statements
    assert run_kg("--data", str(ws / "data"), "validate", "--corpus", str(ws / "corpus")).returncode == 0


def test_nothing_is_written_when_the_result_does_not_validate(workspace):
    ws = workspace
    review = (ws / "r.yaml").read_text().replace("quote: Drug B blocks receptor R.", "quote: Drug B blocks R forever.")
    (ws / "r.yaml").write_text(review)
    before = _snapshot(ws)
    r = run_kg("--data", str(ws / "data"), "review", str(ws / "r.yaml"), "--corpus", str(ws / "corpus"),
               "--accept", "c001")  # fmt: skip
    assert r.returncode == 1
    assert "quote not found verbatim in 'art'" in r.stderr and "nothing written" in r.stderr
    assert "Traceback" not in r.stderr
    assert _snapshot(ws) == before


def test_unknown_candidate_is_a_usage_error_and_no_corpus_writes_nothing(workspace):
    ws = workspace
    r = run_kg("--data", str(ws / "data"), "review", str(ws / "r.yaml"), "--corpus", str(ws / "corpus"),
               "--accept", "c999")  # fmt: skip
    assert r.returncode == 2 and "no candidate c999" in r.stderr
    before = _snapshot(ws)
    r = run_kg("--data", str(ws / "data"), "review", str(ws / "r.yaml"), "--accept", "c001")
    assert r.returncode == 0 and "nothing written (give --corpus DIR" in r.stderr
    assert _snapshot(ws) == before and _review(ws)["statements"][0]["decision"] == "accepted"


def test_suggest_refuses_a_source_key_already_in_use(workspace):
    r = run_kg("--data", str(workspace / "data"), "suggest", str(ARTICLE), "-o", str(workspace / "x.yaml"),
               "--source", "a")  # fmt: skip
    assert r.returncode == 2 and "already has a source 'a'" in r.stderr


def test_how_does_not_load_the_reading_libraries():
    """`kg how` must not pay for kg suggest: its modules and libraries stay unimported."""
    code = (
        "import sys; from kg.__main__ import main; sys.argv = ['kg', 'how', 'ketamine', 'fatigue'];\n"
        "try: main()\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('kg.suggest', 'kg.review', 'ahocorasick', 'readability', 'pypdf', 'lxml') "
        "if m in sys.modules]; print('HEAVY', heavy, file=sys.stderr)"
    )
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "HEAVY []" in r.stderr, r.stderr


def test_a_broken_review_file_is_one_clear_line(tmp_path, mini_dir):
    bad = tmp_path / "bad.yaml"
    bad.write_text("statements:\n  - id: c001\n    subject: [unclosed\n")
    r = run_kg("--data", str(mini_dir), "review", str(bad), "--accept", "c001")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"{bad}:" in r.stderr and "malformed review file" in r.stderr
