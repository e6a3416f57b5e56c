"""Read a document (plain text, HTML, PDF) into plain text, and split that text into sentences and list items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataError

KINDS = ("text", "html", "pdf")
_SUFFIXES = {".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html", ".xhtml": "html"}
_SUFFIXES[".pdf"] = "pdf"
ITEM_RE = re.compile(r"^[ \t]*(?:[-*•·▪◦‣–—]|\d{1,2}[.)])[ \t]+(?=\S)")
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre", "table", "tr",
    "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "li",
}  # fmt: skip


def need(module: str):
    """Import one of the readers' libraries, or say in one line how to install them."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise DataError(f"kg suggest needs {module}: pip install 'mechkg[suggest]'") from None


@dataclass(frozen=True, slots=True)
class Document:
    """A document's plain text (what quotes are taken from and what goes into the corpus), kind and title."""

    text: str
    kind: str
    title: str = ""


def guess_kind(path: Path, head: bytes) -> str:
    """text, html or pdf: from the file's first bytes, else its extension."""
    if head.startswith(b"%PDF"):
        return "pdf"
    sniff = head[:2048].lstrip().lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in sniff or b"<p>" in sniff:
        return "html"
    return _SUFFIXES.get(path.suffix.lower(), "text")


def read_document(path: Path, kind: str | None = None) -> Document:
    """Read a text, HTML or PDF file into plain text; DataError (one line) if it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the document: {exc.strerror or exc}", where=str(path)) from None
    kind = kind or guess_kind(path, raw[:4096])
    if kind == "pdf":
        doc = _pdf(raw, path)
    elif kind == "html":
        doc = _html(_decode(raw, path), path)
    else:
        text = _decode(raw, path)
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        doc = Document(text=text, kind="text", title=first[:200])
    if not doc.text.strip():
        raise DataError(f"no text found in this {kind} document", where=str(path))
    return doc


def _decode(raw: bytes, path: Path) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte {exc.start}); save it as UTF-8 first", where=str(path)) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _html(markup: str, path: Path) -> Document:
    """The main text of a web page (readability drops navigation, footers, ads), as lines: one per block."""
    Readable = need("readability").Document
    import lxml.html
    from lxml.etree import ParserError

    try:
        page = Readable(markup, min_text_length=1)  # keep short lists (symptoms, routes): they carry claims
        title = page.short_title() or ""
        main = lxml.html.fromstring(page.summary(html_partial=True))
    except (ParserError, ValueError) as exc:
        raise DataError(f"cannot read this HTML: {exc}", where=str(path)) from None
    lines: list[str] = []
    _html_lines(main, lines, [])
    text = "\n".join(lines)
    if title and not text.lstrip().startswith(title):
        text = f"{title}\n\n{text}"
    return Document(text=text.strip() + "\n", kind="html", title=title.strip())


def _html_lines(el, lines: list[str], current: list[str]) -> None:
    """Walk the tree: text flows into the current line; a block element ends it; a list item starts with '- '."""

    def flush() -> None:
        line = re.sub(r"\s+", " ", "".join(current)).strip()
        if line and line != "-":
            lines.append(line)
        current.clear()

    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("script", "style", "noscript", "template"):
        return
    block = tag in _BLOCK_TAGS
    if block:
        flush()
        if tag == "li":
            current.append("- ")
    if el.text and tag:
        current.append(el.text)
    for child in el:
        _html_lines(child, lines, current)
        if child.tail:
            current.append(child.tail)
    if block:
        flush()
        if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote") and lines:
            lines.append("")


def _pdf(raw: bytes, path: Path) -> Document:
    """The text layer of a PDF, with lines that a page wrapped joined again and words split by hyphens mended."""
    import io

    PdfReader = need("pypdf").PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise DataError("the PDF is encrypted; decrypt it first", where=str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "")
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"not a readable PDF: {exc}", where=str(path)) from None
    if not any(p.strip() for p in pages):
        raise DataError("the PDF has no text layer (a scan?); run OCR on it first", where=str(path))
    text = "\n\n".join(reflow(p) for p in pages)
    return Document(text=text, kind="pdf", title=title.strip())


def reflow(page: str) -> str:
    """Join the lines of a PDF page that belong to one paragraph; keep headings and list items on their own."""
    lines = [line.rstrip() for line in page.replace("\r", "\n").split("\n")]
    width = max((len(line) for line in lines), default=0)
    out: list[str] = []
    for line in lines:
        if not line.strip():
            out.append("")
            continue
        prev = out[-1] if out else ""
        wrapped = prev and len(prev) >= 0.6 * width and not prev.endswith((".", "!", "?", ":"))
        continues = prev and not ITEM_RE.match(line) and (wrapped or line.lstrip()[:1].islower())
        if continues and prev.endswith("-") and line.lstrip()[:1].islower() and prev[-2:-1].isalpha():
            out[-1] = prev[:-1] + line.lstrip()  # a word the line break split: "synapto-" + "genesis"
        elif continues:
            out[-1] = f"{prev} {line.strip()}"
        else:
            out.append(line.strip())
    return "\n".join(out).strip() + "\n"


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or list item) of a text: where it is, and the list it belongs to."""

    start: int
    end: int
    text: str
    item: bool = False  # a list item ('- …', '• …', '1. …')
    intro: int | None = None  # for a list item, the index of the sentence that introduces the list
    block: int = 0  # index of the line (paragraph, item, heading) it comes from


_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")


def split_sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[Sentence]:
    """Sentences and list items with their character spans; a full stop after an abbreviation ends nothing."""
    out: list[Sentence] = []
    pos = 0
    intro: int | None = None
    for block, line in enumerate(text.split("\n")):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        m = ITEM_RE.match(line)
        if m:
            s = start + m.end()
            out.append(Sentence(s, end, text[s:end].strip(), item=True, intro=intro, block=block))
            continue
        for s, e in _sentences_in(text, start, end, abbreviations):
            out.append(Sentence(s, e, text[s:e], block=block))
        intro = len(out) - 1  # a list right below a line hangs on its last sentence
    return out


def _sentences_in(text: str, start: int, end: int, abbreviations: frozenset[str]) -> list[tuple[int, int]]:
    spans = []
    s = start
    for m in _END_RE.finditer(text, start, end):
        word = re.search(r"(\S+)$", text[s : m.start()])
        last = word.group(1).casefold().lstrip("(\"'“") if word else ""
        if m.group().startswith(".") and last in abbreviations:
            continue
        spans.append((s, m.end()))
        s = m.end()
    spans.append((s, end))
    return [(a + len(text[a:b]) - len(text[a:b].lstrip()), b) for a, b in spans if text[a:b].strip()]
