"""The CLI as users meet it: in-process through click and as a real subprocess."""

import json

import pytest

from conftest import SEEDS, run_kg


def test_validate_ok_prints_counts(mini_dir, mini_corpus):
    r = run_kg("validate", "--data", str(mini_dir), "--corpus", str(mini_corpus))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("valid: 2 sources, 9 entities, 9 statements")


def test_validate_reports_problems_exit_1(data_copy, mini_corpus):
    (data_copy / "entities.yaml").write_text((data_copy / "entities.yaml").read_text() + "  - {key: x, label: [\n")
    r = run_kg("--data", str(data_copy), "validate", "--corpus", str(mini_corpus))
    assert r.returncode == 1
    assert "entities.yaml:" in r.stdout and "malformed YAML" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the corpus (../shared/seeds) is not beside this checkout")
def test_real_data_validates_against_the_seeds():
    r = run_kg("validate", "--corpus", str(SEEDS))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "checked: yaml, references, types, curies, quotes, shacl" in r.stdout


def test_stats_json(kg_cli, mini_dir):
    r = kg_cli("--data", str(mini_dir), "stats", "--format", "json")
    s = json.loads(r.stdout)
    assert s["counts"]["statements"] == 9
    assert s["statements_by_status"] == {"asserted": 7, "disputed": 1, "negated": 1}
    assert s["statements_by_source"]["b"]["statements"] == 3


def test_show_card_text_and_json(kg_cli, mini_dir):
    r = kg_cli("--data", str(mini_dir), "show", "drug A")
    assert r.exit_code == 0
    assert "CHEBI:6121" in r.output and "Drug A blocks receptor R." in r.output and "[DISPUTED]" in r.output
    card = json.loads(kg_cli("--data", str(mini_dir), "show", "CHEBI:6121", "-f", "json").stdout)
    assert card["key"] == "drug_a" and len(card["outgoing"]) == 4


def test_unknown_name_exits_2_with_suggestion(mini_dir):
    r = run_kg("--data", str(mini_dir), "show", "drug Q")
    assert r.returncode == 2
    assert "'drug Q' is ambiguous: did you mean drug A or drug B?" in r.stderr  # one letter from each: no guess
    assert "Traceback" not in r.stderr


def test_data_option_works_after_the_command_too(kg_cli, mini_dir):
    before = kg_cli("--data", str(mini_dir), "show", "drug A")
    after = kg_cli("show", "drug A", "--data", str(mini_dir))
    assert after.exit_code == 0 and after.output == before.output and "Drug A blocks receptor R." in after.output


def test_missing_data_dir_is_one_line(tmp_path):
    r = run_kg("--data", str(tmp_path / "nope"), "stats")
    assert r.returncode == 2  # a usage error
    assert r.stderr.strip().count("\n") == 0 and "no such data directory" in r.stderr


def test_export_to_unwritable_place_is_clean(mini_dir, tmp_path):
    r = run_kg("--data", str(mini_dir), "export", "-o", str(tmp_path / "no" / "such" / "dir" / "g.ttl"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "cannot write" in r.stderr


def test_export_kgx_needs_a_path(mini_dir):
    r = run_kg("--data", str(mini_dir), "export", "-f", "kgx")
    assert r.returncode == 2 and "give -o" in r.stderr


def test_debug_shows_traceback(tmp_path):
    r = run_kg("--debug", "--data", str(tmp_path / "nope"), "stats")
    assert "Traceback" in r.stderr
