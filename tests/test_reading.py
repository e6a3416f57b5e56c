"""Reading documents: plain text, the main text of an HTML page, the text layer of a PDF; sentences and list items."""

from pathlib import Path

import pytest

from kg.errors import DataError
from kg.reading import read_document, reflow, split_sentences

PARAGRAPHS = [
    "Drug B blocks receptor R in many patients, and the effect is a well documented one in the literature.",
    "It also triggers the release of messenger M within 3 hours of the first dose in most of the people studied.",
    "Drug B relieves the following symptoms of condition C:",
]
ARTICLE = "\n".join(PARAGRAPHS)


PAGE = f"""<!DOCTYPE html><html><head><title>Drug B and receptor R</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/shop">Drug A blocks receptor R: buy now</a></li></ul></nav>
<header><div class="menu">Menu | Login | Subscribe to our newsletter</div></header>
<article><h1>Drug B and receptor R</h1>
<p>{ARTICLE.splitlines()[0]}</p><p>{ARTICLE.splitlines()[1]}</p>
<p>{ARTICLE.splitlines()[2]}</p><ul><li>Symptom S</li><li>Symptom T</li></ul></article>
<aside class="sidebar"><p>Related: Drug A causes symptom T, say our sponsors.</p></aside>
<footer><p>Copyright 2024 Example Clinic. Drug A treats condition C. All rights reserved.</p></footer>
<script>var x = "Drug A blocks receptor R";</script></body></html>"""


def test_plain_text(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Title line\n\nDrug B blocks receptor R.\n")
    got = read_document(doc)
    assert (got.kind, got.title) == ("text", "Title line")
    assert "Drug B blocks receptor R." in got.text


def test_html_main_text_only(tmp_path):
    doc = tmp_path / "page.html"
    doc.write_text(PAGE)
    got = read_document(doc)
    assert got.kind == "html" and got.title == "Drug B and receptor R"
    assert "It also triggers the release of messenger M within 3 hours" in got.text
    assert "- Symptom S\n- Symptom T" in got.text  # list items stay list items
    for boilerplate in ("buy now", "Login", "sponsors", "Copyright", "var x"):
        assert boilerplate not in got.text


def test_pdf_text_layer(tmp_path):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.set_title("Drug B and receptor R")
    for para in ARTICLE.splitlines():
        pdf.multi_cell(120, 6, para, new_x="LMARGIN", new_y="NEXT")  # narrow: the page wraps the lines
        pdf.ln(3)
    for item in ("Symptom S", "Symptom T"):
        pdf.multi_cell(120, 6, f"- {item}", new_x="LMARGIN", new_y="NEXT")
    doc = tmp_path / "paper.pdf"
    pdf.output(str(doc))
    got = read_document(doc)
    assert got.kind == "pdf" and got.title == "Drug B and receptor R"
    flat = " ".join(got.text.split())
    for para in ARTICLE.splitlines():
        assert para in flat  # wrapped lines joined again
    assert "- Symptom S\n- Symptom T" in got.text


def test_reflow_mends_words_split_at_line_ends():
    page = "The growth of synapses is called synapto-\ngenesis, a process of the brain.\nHeading\n- item one\n"
    assert "synaptogenesis, a process" in reflow(page)
    assert "\n- item one" in reflow(page)


def test_sentences_items_and_abbreviations():
    text = "Benefits last approx. 3 weeks. In the U.S. adults are affected. It helps.\nIt relieves:\n- A\n- B\n"
    got = split_sentences(text, frozenset({"approx", "u.s"}))
    assert [s.text for s in got] == [
        "Benefits last approx. 3 weeks.",
        "In the U.S. adults are affected.",
        "It helps.",
        "It relieves:",
        "A",
        "B",
    ]
    assert [s.item for s in got] == [False, False, False, False, True, True]
    assert got[4].intro == got[5].intro == 3
    assert all(text[s.start : s.end].strip() == s.text for s in got)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.txt", b"\xff\xfe\x00broken", "not UTF-8 text"),
        ("empty.txt", b"  \n", "no text found"),
        ("fake.pdf", b"%PDF-1.4 this is not a pdf", "not a readable PDF"),
    ],
)
def test_bad_documents_are_one_clear_error(tmp_path, name, content, message):
    doc = tmp_path / name
    doc.write_bytes(content)
    with pytest.raises(DataError, match=message) as err:
        read_document(doc)
    assert str(doc) in str(err.value)


def test_missing_document(tmp_path):
    with pytest.raises(DataError, match="cannot read the document"):
        read_document(Path(tmp_path / "nope.txt"))


def test_a_missing_reader_library_says_how_to_install_it(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pypdf", None)  # as if `pip install 'mechkg[suggest]'` had not been run
    doc = tmp_path / "x.pdf"
    doc.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(DataError, match=r"kg suggest needs pypdf: pip install 'mechkg\[suggest\]'"):
        read_document(doc)
