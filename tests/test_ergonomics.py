"""Issue 22: answers sized for a person, the field's conventions, usage errors, completion (the CLI as used)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios

import pytest

from conftest import ROOT, run_kg


def run_tty(*args: str, cols: int = 80, rows: int = 24, env: dict | None = None) -> tuple[int, str]:
    """Run `kg` on a pseudo-terminal of the given size, as a person at a terminal would; returns (exit, screen)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PAGER": "cat", "TERM": "xterm", **(env or {})},
    )
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), out.decode("utf-8", "replace").replace("\r\n", "\n")


def _visible(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_how_fits_one_80_column_screen_with_the_mechanism_and_says_what_more_there_is():
    code, screen = run_tty("how", "ketamine", "fatigue")
    lines = _visible(screen).rstrip("\n").split("\n")
    assert code == 0
    assert len(lines) <= 23 and max(map(len, lines)) <= 80, (len(lines), max(map(len, lines)))
    text = "\n".join(lines)
    assert lines[0].startswith("ketamine → fatigue: DECREASES")
    assert "molecular mechanism" in text and "“" in text  # the mechanism chain, quoted
    assert "more chains not shown" in text and "--evidence all" in text
    assert "\x1b[" in screen  # colour on a terminal


def test_piped_output_is_plain_stable_and_complete():
    a, b = run_kg("how", "ketamine", "fatigue"), run_kg("how", "ketamine", "fatigue")
    assert a.stdout == b.stdout and "\x1b[" not in a.stdout
    assert a.stdout.count("\n\n") >= 5  # every chain shown (7 here), one quote per hop
    full = run_kg("how", "ketamine", "fatigue", "--evidence", "all").stdout
    assert len(full) > 2 * len(a.stdout) and "Ketamine infusion treatment relieves" in full


def test_a_hop_already_shown_is_referred_to_not_repeated():
    out = run_kg("how", "ketamine", "fatigue").stdout
    assert "— as in chain" in out
    assert all(line.startswith("     (") for line in out.splitlines() if "— as in chain" in line)  # indented as a hop
    sentences = [line.strip() for line in out.splitlines() if line.strip().startswith("(−) Ketamine blocks NMDA")]
    assert len(sentences) >= 2 and sum("as in chain" not in s for s in sentences) == 1


def test_top_one_is_short():
    out = run_kg("how", "ketamine", "fatigue", "--top", "1").stdout
    assert len(out.splitlines()) < 40


def test_ids_are_shown_with_their_labels():
    out = run_kg("show", "ketamine").stdout
    assert "CHEBI:6121 ! ketamine" in out


def test_quiet_and_verbose(tmp_path):
    quiet = run_kg("how", "ketamin", "fatigue", "-q", "--html", str(tmp_path / "p.html"))
    assert quiet.returncode == 0 and quiet.stderr == "" and (tmp_path / "p.html").is_file()
    loud = run_kg("-v", "show", "ketamine")
    assert "graph from" in loud.stderr


def test_debug_anywhere_and_env_vars_in_help():
    r = run_kg("show", "xyzzy", "--debug")
    assert r.returncode != 0 and "Traceback" in r.stderr
    help_text = run_kg("how", "--help").stdout
    assert "MECHKG_DATA" in help_text


def test_type_names_in_any_case():
    r = run_kg("effects", "ketamine", "--type", "symptom", "-f", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["results"]
    assert run_kg("effects", "ketamine", "--type", "biological process").returncode == 0
    bad = run_kg("effects", "ketamine", "--type", "nonsense")
    assert bad.returncode == 2 and "known types" in bad.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("export", "-o", "k.xyz"),
        ("sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "-o", "rows.xyz"),
        ("--data", "/nonexistent-mechkg", "stats"),
        ("stats", "--data", "/nonexistent-mechkg"),
    ],
)
def test_usage_errors_exit_2_in_one_line(args, tmp_path):
    r = run_kg(*args, cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "k.xyz").exists() and not (tmp_path / "rows.xyz").exists()


def test_same_entity_is_said_on_stderr():
    r = run_kg("how", "ketamine", "ketamine")
    assert r.returncode == 1 and r.stdout == "" and "same entity" in r.stderr


def test_errors_are_json_when_json_was_asked_for():
    r = run_kg("show", "xyzzy", "-f", "json")
    assert r.returncode == 2
    err = json.loads(r.stdout)["error"]
    assert err["exit"] == 2 and err["resolution"] == "unknown" and "xyzzy" in err["message"]


def test_shell_completion_of_entities_queries_and_parameters():
    run_kg("stats")  # a cached build to complete from

    def complete(words: str) -> list[str]:
        env = {"_KG_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
        r = subprocess.run(
            [sys.executable, "-m", "kg"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        )
        return [line.split(",", 1)[1] for line in r.stdout.splitlines() if "," in line]

    assert "ketamine" in complete("kg how keta")
    assert "mechanism-chain" in complete("kg sparql mech")
    assert "drug=" in complete("kg sparql mechanism-chain -p dr")


def test_no_progress_bar_when_the_graph_comes_from_the_cache():
    run_kg("stats")
    code, screen = run_tty("stats")
    assert code == 0 and "starting" not in screen and "reading the data" not in screen
