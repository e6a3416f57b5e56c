"""Find names and cue words in text with one Aho-Corasick automaton over folded words (case, accents, plurals)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.resolve import normalize

TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[^\w\s]")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True, slots=True)
class Token:
    """A word or punctuation mark of a sentence: where it is, as written, and folded for matching."""

    start: int
    end: int
    text: str
    norm: str

    @property
    def word(self) -> bool:
        """Whether the token is a word (not punctuation)."""
        return self.text[:1].isalnum()


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """A word as names are compared: case, accents and plurals folded (resolve.normalize), contractions kept."""
    word = word.translate(_FOLD)
    if "'" in word:
        low = word.casefold()
        return low[:-2] if low.endswith("'s") else low
    return normalize(word) or word.casefold()


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Words and punctuation; a hyphen inside a word (N-methyl-D-aspartate) is dropped, so it matches a space."""
    out = []
    for m in TOKEN_RE.finditer(text):
        tok = m.group()
        inside = m.start() > 0 and m.end() < len(text) and text[m.start() - 1].isalnum() and text[m.end()].isalnum()
        if tok in "-‐‑" and inside:
            continue
        norm = fold_word(tok) if tok[0].isalnum() else tok.translate(_FOLD)
        out.append(Token(m.start() + offset, m.end() + offset, tok, norm))
    return out


def key_of(phrase: str) -> str:
    """The folded form of a name or phrase, as the automaton stores it."""
    return " ".join(t.norm for t in tokenize(phrase))


@dataclass(frozen=True, slots=True)
class Hit:
    """A pattern found at tokens [first, last) of a token list."""

    first: int
    last: int
    payload: tuple


class PhraseMatcher:
    """Many phrases, each with payloads, found in a token list in one pass (pyahocorasick)."""

    def __init__(self) -> None:
        from kg.reading import need

        self._auto = need("ahocorasick").Automaton()
        self._payloads: dict[str, list[tuple]] = {}
        self._ready = False

    def add(self, phrase: str, payload: tuple) -> None:
        """Register a phrase (folded like the text) with a payload; a phrase may carry several."""
        key = key_of(phrase)
        if key:
            self._payloads.setdefault(f" {key} ", []).append(payload)

    def find(self, tokens: list[Token]) -> list[Hit]:
        """Every occurrence of every phrase (overlapping ones included), on whole tokens only."""
        if not self._ready:
            for key, payloads in self._payloads.items():
                self._auto.add_word(key, (len(key), payloads))
            self._auto.make_automaton()
            self._ready = True
        starts: dict[int, int] = {}
        ends: dict[int, int] = {}
        parts = [" "]
        pos = 1
        for i, t in enumerate(tokens):
            starts[pos - 1] = i
            parts.append(t.norm)
            pos += len(t.norm)
            ends[pos] = i + 1
            parts.append(" ")
            pos += 1
        stream = "".join(parts)
        hits = []
        for end, (length, payloads) in self._auto.iter(stream):
            first, last = starts.get(end - length + 1), ends.get(end)
            if first is not None and last is not None:
                hits.extend(Hit(first, last, p) for p in payloads)
        return hits
