"""Read a document into candidate claims: the graph's entities and the lexicon's cues found sentence by sentence.

Each candidate is a statement in the data format with status `candidate`, the verbatim sentence as its quote,
the status it would honestly get (asserted, hedged or negated), a confidence and the reason it was proposed.
A phrase in a cued relation with a known entity, that names no entity, is proposed as a new entity (surface
text and a suggested type; never an ontology ID).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from kg.lexicon import Cue, Lexicon, verb_forms
from kg.matching import Hit, PhraseMatcher, Token, key_of, tokenize
from kg.model import Dataset, Vocabulary
from kg.reading import Sentence, split_sentences

_OPPOSITE = {
    "increases": "decreases",
    "decreases": "increases",
    "causes": "decreases",
    "produces": "decreases",
    "positivelyAffects": "negativelyAffects",
    "negativelyAffects": "positivelyAffects",
    "inhibits": "increases",
    "antagonizes": "increases",
    "treats": "increases",
    "relieves": "increases",
    "associatedWith": "negativelyCorrelatedWith",
    "positivelyCorrelatedWith": "negativelyCorrelatedWith",
    "negativelyCorrelatedWith": "positivelyCorrelatedWith",
}
_COORD = {",", "and", "or", "/", "&", "as", "well", "both", "either", "nor", "also", "the", "a", "an", "other"}


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity named in a sentence (tokens [first, last)), or a phrase proposed as a new entity (key None)."""

    first: int
    last: int
    key: str | None
    text: str
    type: str | None = None
    inverted: str = ""  # the words that turn it into its opposite ("low levels of")
    place: bool = False  # "in the brain": a location, not a party to a relation
    referred: str = ""  # the pronoun this mention was read from ("it", "this")
    apposed: str = ""  # the entity a dash or parenthesis sets this one beside, as a kind of it
    via: str = ""  # the cue of a relative clause it was reached through ("that can lead to")
    unsaid: bool = False  # not named: the condition the text is about, the object of "X may play a role."
    shares: str = ""  # the word it shares with the next or last name of a list ("emotional [pain] and physical pain")


@dataclass
class Candidate:
    """A proposed claim and why; merged with others that state the same thing."""

    subject: str
    predicate: str
    object: str
    quotes: list[str]
    status: str  # what the claim would honestly be: asserted, hedged or negated
    confidence: float
    reason: str
    words: list[str]  # the matched words, for highlighting
    qualifiers: dict = field(default_factory=dict)


@dataclass
class Suggestions:
    """Everything `kg suggest` proposes for one document."""

    candidates: list[Candidate]
    new_entities: dict[str, dict]
    sentences: int
    words: int


class Reader:
    """The dataset's names and the lexicon's cues in one matcher, ready to read any number of documents."""

    def __init__(self, data: Dataset, vocab: Vocabulary, lexicon: Lexicon) -> None:
        self.data, self.vocab, self.lex = data, vocab, lexicon
        self.matcher = m = PhraseMatcher()
        self.names: dict[str, str] = {}  # folded name (and variant) → entity key, for names split by a list
        for ent in data.entities.values():
            names = [(ent.label, 1), (ent.key.replace("_", " "), 3)] + [(s, 2) for s in ent.synonyms]
            for name, rank in names:
                abbreviation = len(name) <= 6 and name.upper() == name and any(c.isalpha() for c in name)
                m.add(name, ("entity", ent.key, rank, abbreviation))
                self.names.setdefault(key_of(name), ent.key)
            for name, rank in names:
                for variant in name_variants(name):
                    m.add(variant, ("entity", ent.key, rank + 3, False))
                    self.names.setdefault(key_of(variant), ent.key)
        for cue in lexicon.cues:
            m.add(cue.phrase, ("cue", cue))
        for kind in ("hedges", "negations", "inverters"):
            for phrase in getattr(lexicon, kind):
                m.add(phrase, (kind,))
        for pred, phrases in lexicon.item_cues.items():
            for phrase in phrases:
                m.add(phrase, ("item", pred))
        for role, phrases in lexicon.anaphors.items():
            for phrase in phrases:
                m.add(phrase, ("anaphor", role))
        for phrase in lexicon.places:
            m.add(phrase, ("place",))
        self.stops = {key_of(w) for w in lexicon.phrase_stops}
        self.generic = {key_of(w) for w in lexicon.generic}
        self.trailing = {key_of(w) for w in lexicon.trailing}
        self.vehicles = {key_of(w) for w in lexicon.vehicles}
        self.joiners = [key_of(w).split() for w in lexicon.joiners]
        self.contrasts = [key_of(w).split() for w in lexicon.contrasts]
        self.people = {key_of(w) for w in lexicon.sufferers.get("people", ())}
        self.feel_verbs = [key_of(w).split() for w in lexicon.sufferers.get("verbs", ())]
        self.classes = {key_of(c.label).split()[-1]: k for k, c in vocab.classes.items() if k != "Entity"}
        self.determiners = sorted((key_of(w).split() for w in lexicon.determiners), key=len, reverse=True)
        self._number_words = {key_of(k): v for k, v in (lexicon.quantities.get("numbers") or {}).items()}
        self._quantity = quantity_pattern(lexicon.quantities, self._number_words)

    # --- one document -------------------------------------------------------------------------------------
    def read(self, text: str) -> Suggestions:
        """Candidates for a document's text, quotes taken verbatim from it."""
        sentences = split_sentences(text, self.lex.abbreviations)
        intros = {s.intro for s in sentences if s.item and s.intro is not None}
        found: dict[tuple, Candidate] = {}
        new_entities: dict[str, dict] = {}
        ctx: dict[str, list[Mention]] = {"subject": [], "object": [], "topic": []}
        parsed: list[_Parsed] = []
        named: dict[str, int] = {}  # how often each condition was named so far
        for i, sent in enumerate(sentences):
            p = self._parse(text, sent, is_intro=i in intros)
            parsed.append(p)
            for m in p.mentions:
                if self._is(m.key, "Disease"):
                    named[m.key] = named.get(m.key, 0) + 1
            if named:
                ent = self.data.entities[max(named, key=named.__getitem__)]
                ctx["topic"] = [Mention(0, 0, ent.key, ent.label, ent.type, unsaid=True)]
            if sent.text.rstrip().endswith("?"):
                continue  # a question states nothing
            claims: list[_Claim] = self._kinds(p) + self._sufferers(p) + self._contrast(p) + self._follows(p)
            claims += self._without(p)
            if sent.item and sent.intro is not None:
                claims += self._item_claims(p, parsed[sent.intro], ctx)
                self._remember(ctx, p, claims)
            more = self._sentence_claims(p, ctx)
            if more or not claims:
                self._remember(ctx, p, more)
            claims += more
            for claim in claims:
                self._add(found, new_entities, claim, text)
        cands = sorted(found.values(), key=lambda c: -c.confidence)
        return Suggestions(cands, new_entities, len(sentences), len(re.findall(r"\w+", text)))

    def _kinds(self, p: _Parsed) -> list[_Claim]:
        """Kinds named beside an entity: 'Sleep disturbance (insomnia/ excessive sleep)', 'X – A and B are …'."""
        out = []
        is_a = Cue("is a kind of", "isA", confidence=0.45)
        for k, m in enumerate(p.mentions):
            if m.key is None or m.last >= len(p.tokens) or p.tokens[m.last].norm not in ("(", "-"):
                continue
            inside = [n for n in p.mentions[k + 1 :] if n.first == m.last + 1 and n.key != m.key]
            if not inside:
                continue
            group = self._coordinated(p, [n for n in p.mentions[k + 1 :] if not n.place])
            close = p.tokens[group[-1].last].norm if group[-1].last < len(p.tokens) else ""
            if (p.tokens[m.last].norm == "(" and close == ")" and len(group) > 1) or (
                p.tokens[m.last].norm == "-" and close in _BE
            ):
                hit = Hit(m.last, m.last + 1, ("cue", is_a))
                out += [c for n in group if n.key != m.key and (c := self._claim(p, hit, is_a, n, m))]
        return out

    def _sufferers(self, p: _Parsed) -> list[_Claim]:
        """'People living with depression feel tired, lethargic', 'People may experience anger … during their time
        with depression': what people with a condition feel is a symptom of it."""
        toks = p.tokens
        norms = [t.norm for t in toks]
        person = next((i for i, w in enumerate(norms) if w in self.people), None)
        if person is None:
            return []
        withs = [m for m in p.mentions if self._is(m.key, "Disease") and norms[m.first - 1 : m.first] == ["with"]]
        for i in range(person + 1, len(toks)):
            n = next((len(v) for v in self.feel_verbs if norms[i : i + len(v)] == v), 0)
            if not n or any(m.first < i < m.last for m in p.mentions):
                continue
            j = i + n
            while j < len(toks) and (norms[j].endswith("ly") or norms[j] in ("having", "some", "a", "an")):
                j += 1
            after = [m for m in p.mentions if m.first >= i and m.key and not m.place]
            if not after or after[0].first not in (i, j):
                continue
            felt = [m for m in self._coordinated(p, after) if not self._is(m.key, "Disease")]
            end = felt[-1].last if felt else j
            with_ = [m for m in withs if person < m.first < i] or [
                m for m in withs if end <= m.first <= end + 8 and not any(t.norm in ".;:" for t in toks[end : m.first])
            ]
            if not felt or not with_:
                return []
            cue = Cue(_span(toks, i, j), "hasSymptom", confidence=0.55)
            hit = Hit(i, i + n, ("cue", cue))
            sick = replace(with_[0], via=_span(toks, person, with_[0].first))
            return [c for m in felt if (c := self._claim(p, hit, cue, sick, m))]
        return []

    def _without(self, p: _Parsed) -> list[_Claim]:
        """'Without sleep, you will feel tired', 'exercise and nutrition …, and without them, you feel run down':
        what people feel for want of a thing, the thing keeps away."""
        toks = p.tokens
        w = next((i for i, t in enumerate(toks) if t.norm == "without"), None)
        if w is None:
            return []
        i = w + 1
        while i < len(toks) and toks[i].norm in ("the", "a", "an", "any", "enough", "proper", "good", "sufficient"):
            i += 1
        ms = [m for m in p.mentions if m.first >= i and m.key and not m.place]
        if ms and ms[0].first == i:
            absent = self._coordinated(p, ms)
        elif i < len(toks) and toks[i].norm in ("them", "it", "these", "those", "this"):  # the names before
            before = [m for m in p.mentions if m.last <= w and m.key and not m.place]
            group = self._coordinated(p, before) if before else []
            absent = [replace(m, referred=toks[i].text, inverted="without") for m in group]
        else:
            return []
        comma = next((j for j in range(i, min(len(toks), i + 6)) if toks[j].norm == ","), None)
        if not absent or comma is None:
            return []
        for j in range(comma + 1, len(toks)):
            if toks[j].norm in (";", ".", ":"):
                return []
            n = next((len(v) for v in self.feel_verbs if [t.norm for t in toks[j : j + len(v)]] == v), 0)
            felt = [m for m in p.mentions if m.first >= j and m.key and not m.place]
            if n and felt and felt[0].first - (j + n) <= 1:
                cue = Cue(f"without … {_span(toks, j, j + n)}", "causes", confidence=0.5)
                hit = Hit(w, j + n, ("cue", cue))
                made = [self._claim(p, hit, cue, a, f) for a in absent for f in self._coordinated(p, felt)]
                return [replace(c, cue_text=cue.phrase) for c in made if c]
        return []

    def _contrast(self, p: _Parsed) -> list[_Claim]:
        """'Unlike antidepressants that influence serotonin, ketamine works on glutamate': what the thing set against
        the subject does (in a relative clause), the subject does not."""
        toks = p.tokens
        lead = next((c for c in self.contrasts if [t.norm for t in toks[: len(c)]] == c), None)
        rel = next((i for i, t in enumerate(toks) if t.norm in ("that", "which", "who")), None)
        if lead is None or rel is None or any(t.norm in ",;:" for t in toks[:rel]):
            return []
        hit = next((h for h in p.cues if rel < h.first <= rel + 2 and h.payload[1].order == "S cue O"), None)
        comma = next((i for i in range(rel, len(toks)) if toks[i].norm == ","), None)
        if hit is None or comma is None:
            return []
        objects = [m for m in p.mentions if hit.last <= m.first < comma and m.key and not m.place]
        subject = next((m for m in p.mentions if m.first > comma and m.key and not m.place), None)
        verb = subject is not None and any(0 <= c.first - subject.last <= 2 for c in p.cues)
        if not objects or not verb or any(t.norm in ",;:" for t in toks[comma + 1 : subject.first]):
            return []
        out = []
        for o in self._coordinated(p, objects):
            c = self._claim(p, hit, hit.payload[1], subject, o)
            if c:
                out.append(
                    replace(c, status="negated", negation=_span(toks, 0, len(lead)), confidence=c.confidence * 0.7)
                )
        return out

    def _follows(self, p: _Parsed) -> list[_Claim]:
        """'By increasing brain activity, your symptoms of depression decrease', 'As serotonin rises, anxiety falls':
        a change that brings another. X raised and Y lowered: X decreases Y; both the same way: X increases Y."""
        toks = p.tokens
        end = next((h for h in reversed(p.cues) if self._ends(p, h) and self._change(h)), None)
        comma = next((i for i in range(end.first - 1, 0, -1) if toks[i].norm == ","), None) if end else None
        if end is None or comma is None:
            return []
        start = next((i + 1 for i in range(comma - 1, -1, -1) if toks[i].norm in (",", ";", ":")), 0)
        said = [m for m in p.mentions if comma < m.first and m.last <= end.first and m.key and not m.place]
        if not said or any(self._is_cue(p, i) for i in range(said[-1].last, end.first)):
            return []
        for h in p.cues:
            if not (start <= h.first and h.last <= comma and self._change(h)):
                continue
            if h.first and toks[h.first - 1].norm == "by":  # "by increasing X,"
                cause = next((m for m in p.mentions if h.last <= m.first < comma and m.key and not m.place), None)
            elif self._ends(p, h) and any(t.norm in ("as", "when", "if", "once") for t in toks[start : h.first]):
                cause = next((m for m in reversed(p.mentions) if start <= m.first and m.last <= h.first), None)
            else:
                continue
            if cause is None or cause.key is None or self._modifier(p, cause):
                return []
            sign = self.vocab.predicates[h.payload[1].predicate].sign
            sign *= self.vocab.predicates[end.payload[1].predicate].sign
            cue = Cue(
                f"{_words(toks, h)} … {_words(toks, end)}", "increases" if sign > 0 else "decreases", confidence=0.5
            )
            claim = self._claim(p, Hit(h.first, end.last, ("cue", cue)), cue, cause, said[-1])
            return [replace(claim, cue_text=cue.phrase)] if claim else []
        return []

    def _modifier(self, p: _Parsed, m: Mention) -> bool:
        """Whether a name only modifies a noun we have no name for: 'brain cell' in 'brain cell activity'."""
        nxt = p.tokens[m.last] if m.last < len(p.tokens) else None
        return (
            nxt is not None and nxt.word and nxt.norm not in self.stops | self.trailing and not self._is_cue(p, m.last)
        )

    def _ends(self, p: _Parsed, h: Hit) -> bool:
        """Whether a verb cue ends its clause (used without an object: 'symptoms decrease.')."""
        nxt = p.tokens[h.last].norm if h.last < len(p.tokens) else "."
        return h.payload[1].verb and nxt in (".", ",", ";", "!", "?", ":")

    def _change(self, h: Hit) -> bool:
        info = self.vocab.predicates[h.payload[1].predicate]
        return info.kind == "causal" and info.sign != 0

    def _remember(self, ctx: dict, p: _Parsed, claims: list[_Claim]) -> None:
        """What 'it', 'this' and 'these' in the next sentence stand for."""
        if claims:
            ctx["subject"] = [claims[0].subject]
            last = claims[-1].cue_hit
            ctx["object"] = [c.object for c in claims if c.cue_hit is last and c.object.key]
        else:
            known = [m for m in p.mentions if m.key and not m.place]
            if known:
                ctx["subject"], ctx["object"] = known[:1], known[-1:]

    def _parse(self, text: str, sent: Sentence, is_intro: bool = False) -> _Parsed:
        tokens = tokenize(text[sent.start : sent.end], sent.start)
        hits = self.matcher.find(tokens)
        mentions = self._mentions(tokens, hits)
        taken = {i for m in mentions for i in range(m.first, m.last)}
        by_kind: dict[str, list[Hit]] = {}
        for h in hits:
            if h.payload[0] != "entity" and not any(i in taken for i in range(h.first, h.last)):
                by_kind.setdefault(h.payload[0], []).append(h)
        cues = _longest([h for h in by_kind.get("cue", []) if _opened(tokens, h)])
        places = {h.first for h in by_kind.get("place", [])}
        marked = []
        busy = {i for h in cues + by_kind.get("item", []) for i in range(h.first, h.last)}
        inverters = [h for h in by_kind.get("inverters", []) if not busy & set(range(h.first, h.last))]
        inverted = {
            a.first: _words(tokens, h)
            for a in by_kind.get("anaphor", [])
            for h in inverters
            if 0 <= a.first - h.last <= 2 and all(t.word for t in tokens[h.last : a.first])
        }
        for m in mentions:
            inv = next(
                (
                    _words(tokens, h)
                    for h in inverters
                    if 0 <= m.first - h.last <= 2
                    and all(t.word and t.norm not in self.vehicles for t in tokens[h.last : m.first])
                ),
                "",
            )  # "low levels of the dopamine"; not "Without doubt, sleep", nor "low doses of ketamine" (still ketamine)
            place = any(0 <= m.first - j <= 2 for j in places) and not any(
                c.first < m.first and m.first - c.last <= 2 for c in cues
            )
            marked.append(replace(m, inverted=inv, place=place))
        cue_tokens = {i for h in cues for i in range(h.first, h.last)}

        def free(kind: str) -> list[Hit]:
            return [h for h in by_kind.get(kind, []) if not any(i in cue_tokens for i in range(h.first, h.last))]

        return _Parsed(
            sent=sent,
            tokens=tokens,
            mentions=marked,
            cues=cues,
            hedges=free("hedges"),
            negations=free("negations"),
            item_cues=[h for h in by_kind.get("item", []) if h.first == 0] if sent.item else [],
            anaphors=_longest(free("anaphor")),
            qualifiers=read_quantities(
                text[sent.start : sent.end], self.lex.quantities, self._number_words, self._quantity
            ),
            is_intro=is_intro,
            inverted=inverted,
        )

    def _mentions(self, tokens: list[Token], hits: list[Hit]) -> list[Mention]:
        """Entities named, longest names first; a drug named with a vehicle ('ketamine infusion treatment') is
        the drug acting."""
        ents = []
        for h in hits:
            if h.payload[0] == "entity":
                _, key, rank, abbreviation = h.payload
                if not abbreviation or _upper(tokens[h.first : h.last]):
                    ents.append((h, key, rank))
        drugs = {(h.first, h.last): key for h, key, _ in ents if self._is(key, "Drug")}
        ents.sort(key=lambda x: (-(x[0].last - x[0].first), x[2], x[0].first, x[1]))
        taken: set[int] = set()
        out: list[Mention] = []
        for h, key, _ in ents:
            span = set(range(h.first, h.last))
            if span & taken:
                continue
            taken |= span
            out.append(Mention(h.first, h.last, key, _words(tokens, h), self.data.entities[key].type))
        out.sort(key=lambda m: m.first)
        merged: list[Mention] = []
        for m in out:
            drug = next(((k, b) for (a, b), k in drugs.items() if a == m.first and b < m.last), None)
            if drug and drug[0] != m.key and self._vehicle(tokens, drug[1], m.last):
                m = replace(m, key=drug[0], type=self.data.entities[drug[0]].type)
            elif (
                merged
                and merged[-1].last == m.first
                and self._is(merged[-1].key, "Drug")
                and self._vehicle(tokens, m.first, m.last)
            ):
                merged[-1] = replace(merged[-1], last=m.last, text=f"{merged[-1].text} {m.text}")
                continue
            merged.append(m)
        return self._elided(tokens, merged)

    def _elided(self, tokens: list[Token], ms: list[Mention]) -> list[Mention]:
        """Names a list writes once for two: 'emotional and physical pain' names emotional pain too, 'weight loss
        or gain' weight gain, 'difficulty making decisions and concentrating' difficulty concentrating."""
        taken = {i for m in ms for i in range(m.first, m.last)}
        out = list(ms)

        def add(a: int, b: int, name: str, m: Mention, shared: str) -> bool:
            key = self.names.get(name, m.key)
            if key == m.key or not all(
                tokens[i].word and i not in taken and tokens[i].norm not in self.stops for i in range(a, b)
            ):
                return False
            out.append(Mention(a, b, key, _span(tokens, a, b), self.data.entities[key].type, shares=shared))
            taken.update(range(a, b))
            return True

        for m in ms:
            if m.key is None or m.last - m.first < 2:
                continue
            head = tokens[m.last - 1]
            if m.first >= 2 and tokens[m.first - 1].norm in ("and", "or", "/"):  # "emotional and physical pain"
                for a in (m.first - 2, m.first - 3):
                    words = " ".join(t.norm for t in tokens[max(0, a) : m.first - 1])
                    if a >= 0 and add(a, m.first - 1, f"{words} {head.norm}", m, head.text):
                        break
            if m.last + 1 < len(tokens) and tokens[m.last].norm in ("and", "or", "/"):  # "weight loss or gain"
                a = m.last + 1 + (tokens[m.last + 1].norm in ("other", "another"))  # "abuse of alcohol or other …"
                found = False
                for b in (a + 2, a + 1):
                    ends = b >= len(tokens) or not tokens[b].word or tokens[b].norm in ("and", "or", "but")
                    words = " ".join(t.norm for t in tokens[a:b])
                    for k in range(m.last - m.first - 1, 0, -1):  # the words the two share: "abuse of", "weight"
                        lead = tokens[m.first : m.first + k]
                        name = " ".join(t.norm for t in lead) + f" {words}"
                        if b <= len(tokens) and ends and add(a, b, name, m, _span(lead, 0, k)):
                            found = True
                            break
                    if found:
                        break
        return sorted(out, key=lambda m: m.first)

    def _vehicle(self, tokens: list[Token], a: int, b: int) -> bool:
        words = [t.norm for t in tokens[a:b]]
        return bool(words) and all(w in self.vehicles for w in words)

    def _is(self, key: str | None, typ: str) -> bool:
        return key is not None and key in self.data.entities and self.vocab.is_a(self.data.entities[key].type, typ)

    # --- claims from one sentence -------------------------------------------------------------------------
    def _sentence_claims(self, p: _Parsed, ctx: dict) -> list[_Claim]:
        claims: list[_Claim] = []
        last: list[_Claim] = []
        chained: set[int] = set()
        for a, b in zip(p.cues, p.cues[1:], strict=False):
            acting = all(self.vocab.predicates[h.payload[1].predicate].kind in ("causal", "clinical") for h in (a, b))
            acting = acting and b.payload[1].order == "S cue O"
            if acting and 0 <= b.first - a.last <= 2 and not any(a.last <= m.first < b.first for m in p.mentions):
                chained.add(id(a))  # "lead to a reduction in": the second cue carries the relation
            elif b.first == a.last and b.payload[1].gerund and a.payload[1].order == "S cue O" and self._part(a):
                chained.add(id(a))  # "plays a role in stimulating X": the gerund carries the relation
        for i, hit in enumerate(p.cues):
            if id(hit) in chained or (p.item_cues and hit.first == 0):
                continue
            prev = p.cues[i - 1] if i and id(p.cues[i - 1]) in chained else None
            made = self._cue_claims(p, hit, ctx, last, prev)
            if made:
                last = made
                claims += made
        return claims

    def _cue_claims(self, p: _Parsed, hit: Hit, ctx: dict, last: list[_Claim], chain: Hit | None) -> list[_Claim]:
        cue: Cue = hit.payload[1]
        order = cue.order
        flip = (
            chain is not None
            and chain.payload[1].phrase not in _CARRIERS
            and self.vocab.predicates[chain.payload[1].predicate].sign < 0
            and self.vocab.predicates[cue.predicate].sign > 0
        )
        start = chain.first if chain is not None else hit.first
        if cue.participle and order == "S cue O" and self._passive(p, start):
            order = "O cue S"
            after = [m for m in p.mentions if m.first >= hit.last]
            by = next((i for i in range(hit.last, min(len(p.tokens), hit.last + 3)) if p.tokens[i].norm == "by"), None)
            if by is None or not after:
                return []
        before = hit.first - 1
        if (
            cue.verb
            and before >= 0
            and p.tokens[before].norm in _ARTICLES
            and not any(m.first <= before < m.last for m in p.mentions)
        ):
            return []  # "The causes of depression": a noun, not a verb
        if p.is_intro and (self._following(p, hit) or not [m for m in p.mentions if m.first >= hit.last]):
            return []  # the list below fills this relation
        if order == "S O cue":
            objs = [m for m in p.mentions if 0 <= hit.first - m.last <= 1 and not m.place]
            if not objs:
                return []
            subjects = self._left(p, objs[0].first, cue, last, ctx)
            objects = objs[:1]
        elif order == "S cue O":
            subjects = self._left(p, start, cue, last, ctx)
            objects = self._right(p, hit.last, ctx, new=cue.confidence >= 0.6 and self._signed(cue))
            nxt = p.tokens[hit.last].norm if hit.last < len(p.tokens) else "."
            if not objects and cue.object_unsaid and nxt in (".", ",", ";", "!") and ctx["topic"]:
                objects = [replace(ctx["topic"][0], first=hit.last, last=hit.last)]  # "X may play a role."
        else:
            objects = (self._left(p, start, cue, [], ctx, adjacent=True) or [[]])[0]
            subjects = [self._right(p, hit.last, ctx, new=False)]
        out = []
        for o in objects:
            for group in (g for g in subjects if g):
                made = [c for s in group if (c := self._claim(p, hit, cue, s, o, flip=flip))]
                if made:
                    out += made
                    break
        return out

    def _part(self, h: Hit) -> bool:
        """Whether a cue only says its subject has a part in something, no sign against it ('plays a role in')."""
        info = self.vocab.predicates[h.payload[1].predicate]
        return info.sign >= 0 and info.kind in ("associative", "causal") and not h.payload[1].verb

    def _signed(self, cue: Cue) -> bool:
        pred = self.vocab.predicates[cue.predicate]
        return pred.sign != 0 or pred.kind == "clinical"

    def _following(self, p: _Parsed, hit: Hit) -> bool:
        near = p.tokens[max(0, hit.first - 3) : hit.last + 3]
        return any(t.norm == "following" for t in near)

    def _passive(self, p: _Parsed, at: int) -> bool:
        """An -ed verb form reads as passive after 'is/are/was …' or straight after a word that names nothing."""
        i = at - 1
        while i >= 0 and (p.tokens[i].norm.endswith("ly") or p.tokens[i].norm in ("also", "not", "often", "then")):
            i -= 1
        if i < 0:
            return True
        word = p.tokens[i].norm
        if word in _BE:
            return True
        if any(m.last == i + 1 for m in p.mentions) or word in (
            "have",
            "ha",
            "had",
            "which",
            "that",
            "who",
            ",",
            "and",
        ):
            return False
        return p.tokens[i].word

    def _blockers(self, p: _Parsed, a: int, b: int, allow_comma: bool = False) -> bool:
        """Whether tokens [a, b) hold a clause boundary that a relation does not cross."""
        skip = {i for m in p.mentions if m.place and a <= m.first < b for i in range(max(a, m.first - 2), m.last)}
        if b - 1 >= a and p.tokens[b - 1].norm in ("that", "this", "these", "those"):
            skip.add(b - 1)  # "beat that fatigued feeling": a determiner, not a clause
        for i in range(a, b):
            if i in skip:
                continue
            w = p.tokens[i].norm
            if w == "," and not allow_comma:
                nxt = p.tokens[i + 1].norm if i + 1 < len(p.tokens) else ""
                if nxt not in _LEADS:
                    return True
            elif (
                w in _BLOCK
                or (w == "-" and p.tokens[i].text != "-")
                or (w == "-" and i > 0 and p.tokens[i - 1].end < p.tokens[i].start)
            ):
                return True
        return False

    def _gap(self, p: _Parsed, a: int, b: int) -> int:
        skip = {i for m in p.mentions if m.place and a <= m.first < b for i in range(max(a, m.first - 2), m.last)}
        return sum(1 for i in range(a, b) if i not in skip)

    def _right(self, p: _Parsed, at: int, ctx: dict, new: bool) -> list[Mention]:
        """What a cue takes on its right: the nearest entity and those coordinated with it; a pronoun ('this
        metabolite'); or, failing that, a noun phrase proposed as a new entity."""
        ms = [m for m in p.mentions if m.first >= at and not m.place]
        if ms and self._gap(p, at, ms[0].first) <= 5 and not self._blockers(p, at, ms[0].first):
            return self._coordinated(p, ms)
        skip = at
        while self._determiner_at(p, skip):
            skip += len(self._determiner_at(p, skip))
        ana = next((h for h in p.anaphors if at <= h.first <= max(at + 2, skip)), None)
        if ana is not None:
            refs = self._refer(p, ana, ctx)
            if refs:
                return refs
        chained = self._through_relative(p, at)
        if chained:
            return chained
        return self._new_phrase(p, at) if new else []

    def _through_relative(self, p: _Parsed, at: int) -> list[Mention]:
        """'preventing the thoughts and acts that can lead to suicide': what the unnamed object raises is what
        the cue acts on (a raising cue only, so the sign holds)."""
        toks = p.tokens
        rel = next((i for i in range(at, min(len(toks), at + 8)) if toks[i].norm in ("that", "which")), None)
        if rel is None or any(m.first < rel and m.last > at for m in p.mentions) or self._blockers(p, at, rel):
            return []
        nxt = next((c for c in p.cues if rel < c.first <= rel + 3), None)
        if nxt is None or nxt.payload[1].order != "S cue O":
            return []
        if self.vocab.predicates[nxt.payload[1].predicate].sign <= 0:
            return []
        ms = [m for m in p.mentions if m.first >= nxt.last and not m.place]
        if not ms or self._gap(p, nxt.last, ms[0].first) > 3 or self._blockers(p, nxt.last, ms[0].first):
            return []
        return [replace(m, via=_words(toks, nxt)) for m in self._coordinated(p, ms)]

    def _coordinated(self, p: _Parsed, ms: list[Mention]) -> list[Mention]:
        """'disturbed sleep, brain fog, and lack of motivation': a list that ends with and/or; else the first."""
        chain, closed = [ms[0]], 1
        for m in ms[1:]:
            join = self._join(p, chain[-1].last, m.first)
            unnamed = None if join else self._unnamed_item(p, chain[-1].last, m.first)
            if unnamed:  # "tired, lethargic, exhausted": an item we have no name for between two we have
                chain.append(unnamed[0])
                join = unnamed[1]
            if not join or any(
                self._is_cue(p, i) and not self._and_other(p, i) for i in range(chain[-1].last, m.first)
            ):
                break
            chain.append(m)
            if join == "and":
                closed = len(chain)
        last = self._last_unnamed(p, chain[-1].last) if closed < len(chain) else False
        if last:
            closed = len(chain)  # "improved mood, cognition, and mental patterns": the list ends with a name we lack
            if isinstance(last, Mention) and len([m for m in chain if m.key]) >= 2:
                chain.append(last)
                closed += 1
        return chain[:closed]

    def _unnamed_item(self, p: _Parsed, a: int, b: int) -> tuple[Mention, str] | None:
        """', lethargic,' between two names of a list: a list item we have no name for (a new entity), and how it
        joins the next name."""
        toks = p.tokens
        if a >= b or toks[a].norm != ",":
            return None
        j = a + 1
        while j < b and toks[j].word and toks[j].norm not in self.stops and j - a <= 3:
            j += 1
        if j == a + 1 or any(t.norm in self.generic for t in toks[a + 1 : j]):
            return None
        join = self._join(p, j, b)
        if not join or any(self._is_cue(p, i) for i in range(a, b)):
            return None
        return Mention(a + 1, j, None, _span(toks, a + 1, j)), join

    def _last_unnamed(self, p: _Parsed, at: int) -> bool | Mention:
        """Whether ', and …' at `at` closes a list with a last item we have no name for (a few words, no verb we
        know, up to the end of the clause: that item, as a new entity, unless it is a generic word), or ends it and
        goes on with a verb ('feel tired, lethargic, exhausted, and have no energy')."""
        toks = p.tokens
        i = at + (at < len(toks) and toks[at].norm == ",")
        if i >= len(toks) or toks[i].norm not in ("and", "or"):
            return False
        if i > at and i + 1 < len(toks) and (toks[i + 1].norm in _BE or toks[i + 1].norm in _VERBS):
            return True
        j = i + 1
        while j < len(toks) and toks[j].word and j - i <= 3:
            if toks[j].norm in self.stops or self._is_cue(p, j) or any(m.first <= j < m.last for m in p.mentions):
                return False
            j += 1
        if j == i + 1 or not (j == len(toks) or toks[j].norm in (".", ",", ";", ":", ")", "!", "?")):
            return False
        if any(t.norm in self.generic for t in toks[i + 1 : j]):
            return True
        return Mention(i + 1, j, None, _span(toks, i + 1, j))

    def _join(self, p: _Parsed, a: int, b: int) -> str:
        """How tokens [a, b) join the names around them: 'and' (and, or, nor, '/', or a joiner such as 'coupled
        with', after at most a short phrase of the first name: 'a lack of X from society coupled with the Y'), ','
        (a comma of a list that goes on), or '' (they are not one list)."""
        words = [t.norm for t in p.tokens[a:b]]
        if words and len(words) <= 3 and set(words) <= _COORD and set(words) & {",", "and", "or", "nor", "/"}:
            return "and" if set(words) & {"and", "or", "nor", "/"} else ","
        while words and words[-1] in ("the", "a", "an", "its", "their"):
            words.pop()
        for joiner in self.joiners:
            n = len(joiner)
            if words[-n:] != joiner:
                continue
            lead = words[:-n]
            if not lead or (
                lead[0] in ("from", "of", "in", "among", "with", "for", "by")
                and len(lead) <= 5
                and all(p.tokens[i].word and not self._is_cue(p, i) for i in range(a, a + len(lead)))
            ):
                return "and"
        return ""

    def _left(
        self, p: _Parsed, at: int, cue: Cue, last: list[_Claim], ctx: dict, adjacent: bool = False
    ) -> list[list[Mention]]:
        """Who a cue's subject is, as groups to try in turn: the subject of a coordinated or gerund clause, the
        nearest entities on the left (walking past those of the wrong type), or what a pronoun stands for."""
        toks = p.tokens
        ms = [m for m in p.mentions if m.last <= at and not m.place]
        if adjacent:
            if ms and self._gap(p, ms[-1].last, at) <= 3 and not self._blockers(p, ms[-1].last, at):
                return [self._apposed(p, ms, len(ms) - 1)]
            ana = next((h for h in p.anaphors if 0 <= at - h.last <= 1), None)
            structural = self.vocab.predicates[cue.predicate].kind == "structural"
            return [self._refer(p, ana, ctx, structural)] if ana is not None else []
        if last:
            end = max(c.object.last for c in last if c.object.first >= 0) if last else at
            gap = [toks[i].norm for i in range(end, at) if not self._is_cue(p, i)]
            if gap and len(gap) <= 3 and set(gap) <= {",", "and", "or", "also", "then", "thereby", "while", "thus"}:
                return [[c.subject for c in last][:1]]
        before = toks[at - 1].norm if at else ""
        if cue.gerund and before == "by":
            i = at - 2
            while i >= 0 and (toks[i].norm.endswith("ly") or self._verbish(p, i)):
                i -= 1
            owner = [m for m in ms if m.last == i + 1]
            if owner and i < at - 2:
                return [owner]
            if i < 0 or toks[i].norm in (",", "so", "and", "then", "thus"):
                agents = [m for m in p.mentions if self._is(m.key, "Drug") or self._is(m.key, "TreatmentRegimen")]
                return [agents[:1]] if agents else [ctx["subject"]] if ctx["subject"] else []
            first = [m for m in ms if not any(t.norm in (",", ";") for t in toks[: m.first])]
            if first:
                return [first[:1]]
        elif cue.gerund and before in (",", "and", "while", "thereby", "thus") and last:
            return [[last[0].subject]]
        example = self._example(p, at)
        if example:
            return [example]
        unknown = self._unknown_subject(p, at) if cue.verb and not (cue.gerund or cue.participle) else None
        copula = self._copula(p, at) if not cue.verb else None
        if copula is not None:  # "Genetic predisposition is another contributing factor"
            unknown = self._unknown_subject(p, copula)
        if unknown is not None:
            return [unknown] if unknown else []
        groups: list[list[Mention]] = []
        for k in range(len(ms) - 1, -1, -1):
            m = ms[k]
            if at - m.last > 25 or any(t.norm in (";", ".", ":", "?", "!") for t in toks[m.last : at]):
                break
            if self._relative(p, m.last, at):
                break  # "signals that trigger …": the subject is a noun we do not know
            if any(t.norm == "-" and t.start > toks[i - 1].end for i, t in enumerate(toks[m.last : at], m.last) if i):
                break  # "Dopamine – low levels of these …": a dash starts another clause
            groups.append(self._apposed(p, ms, k))
        ana = [h for h in p.anaphors if h.last <= at and not any(m.first >= h.last for m in ms)]
        if ana and not self._relative(p, ana[-1].last, at):
            refs = self._refer(p, ana[-1], ctx, self.vocab.predicates[cue.predicate].kind == "structural")
            between = {t.norm for t in toks[ana[-1].last : at]}
            leading = ana[-1].payload[1] == "subject" or ana[-1].first == 0 or toks[ana[-1].first - 1].norm == ","
            if refs:  # a subject pronoun, one opening the clause ("This, …") or one right before the verb first
                groups.insert(0 if leading or "," not in between else min(1, len(groups)), refs)
        return groups

    def _example(self, p: _Parsed, at: int) -> list[Mention]:
        """'Medications that affect serotonin (such as SSRIs)': the subject of a relative clause on a noun we have
        no name for is the example the sentence gives of it, after the clause's named object."""
        toks = p.tokens
        i = at - 1
        while i >= 0 and (toks[i].norm.endswith("ly") or toks[i].norm in _AUX):
            i -= 1
        if i < 1 or toks[i].norm not in ("that", "which", "who") or not toks[i - 1].word:
            return []
        if any(m.first <= i - 1 < m.last for m in p.mentions) or any(a.first <= i - 1 < a.last for a in p.anaphors):
            return []
        for h in p.cues:
            cue = h.payload[1]
            if h.first <= at or cue.predicate != "isA" or cue.order != "O cue S":
                continue
            if any(t.norm in (";", ".", ":", "?", "!") for t in toks[at : h.first]):
                return []
            named = [m for m in p.mentions if at <= m.first and m.last <= h.first and m.key and not m.place]
            examples = [m for m in p.mentions if m.first == h.last and m.key]
            return examples[:1] if named else []
        return []

    def _copula(self, p: _Parsed, at: int) -> int | None:
        """Where 'is', 'are' … stands before a noun cue ('is another contributing factor', 'are a risk factor')."""
        i = at - 1
        while i >= 0 and p.tokens[i].norm in ("a", "an", "another", "one", "the", "also", "often", "major", "key"):
            i -= 1
        return i if i >= 0 and p.tokens[i].norm in ("is", "are", "was", "were") and i < at - 1 else None

    def _unknown_subject(self, p: _Parsed, at: int) -> list[Mention] | None:
        """'BDNF promotes …', 'Esketamine blocks …': a noun we do not know right before the cue is its subject
        (proposed as a new entity when it opens its clause, else no claim); None when there is no such noun."""
        toks = p.tokens
        i = at - 1
        while i >= 0 and (toks[i].norm.endswith("ly") or toks[i].norm in _AUX):
            i -= 1
        if i < 0 or not toks[i].word or toks[i].norm in self.stops or self._is_cue(p, i):
            return None
        if any(m.first <= i < m.last for m in p.mentions) or any(a.first <= i < a.last for a in p.anaphors):
            return None
        if toks[i].norm in self.generic or toks[i].norm in self.trailing:
            return None  # "people", "patients", "levels": look further left
        if any(m.last == i for m in p.mentions):
            return None  # "Ketamine essential causes": a word between an entity and its verb
        j = i
        while j - 1 >= 0 and toks[j - 1].word and toks[j - 1].norm not in self.stops and i - j < 3:
            if any(m.first <= j - 1 < m.last for m in p.mentions) or self._is_cue(p, j - 1):
                break
            j -= 1
        opens = (
            j == 0 or toks[j - 1].norm in (",", ";", ":", "and", "or", "but", "(", "-") or self._determiner_at(p, j - 1)
        )
        text = " ".join(t.text for t in toks[j : i + 1])
        if (
            not opens
            or not any(c.isalpha() for c in text)
            or any(toks[k].norm in self.generic for k in range(j, i + 1))
        ):
            return []
        return [Mention(j, i + 1, None, text)]

    def _relative(self, p: _Parsed, a: int, b: int) -> bool:
        """Whether a relative clause about a noun we do not know starts in [a, b): 'acts that can lead to'."""
        rel = [i for i in range(a, b) if p.tokens[i].norm in ("that", "which", "who")]
        return bool(rel) and rel[0] - a > 1 and p.tokens[rel[0] - 1].norm not in self.generic

    def _verbish(self, p: _Parsed, i: int) -> bool:
        w = p.tokens[i].norm
        return w in _BE or w in ("work", "act", "function", "help", "doe", "does", "did", "can", "may", "might")

    def _apposed(self, p: _Parsed, ms: list[Mention], k: int) -> list[Mention]:
        """The subject group ending with mention k: 'Ketamine, a widely used anesthetic' → ketamine; 'A, B, or C'
        → all three."""
        m = ms[k]
        if k and p.tokens[ms[k - 1].last].norm == "," if ms[k - 1].last < len(p.tokens) else False:
            after = p.tokens[ms[k - 1].last + 1].norm if ms[k - 1].last + 1 < len(p.tokens) else ""
            if after in ("a", "an", "the") and m.first - ms[k - 1].last <= 8:
                return [ms[k - 1]]
        group = [m]
        joined = False
        for j in range(k - 1, -1, -1):
            join = self._join(p, ms[j].last, group[0].first)
            if not join:
                break
            group.insert(0, ms[j])
            joined = joined or join == "and"
        return group if joined else [m]

    def _is_cue(self, p: _Parsed, i: int) -> bool:
        return any(c.first <= i < c.last for c in p.cues)

    def _refer(self, p: _Parsed, ana: Hit, ctx: dict, structural: bool = False) -> list[Mention]:
        """The entities a pronoun stands for: 'it' at a sentence's start is the subject before, mid-sentence the
        entity just named; 'this' / 'these' the object(s) before; 'which' right after an entity is that entity."""
        role = ana.payload[1]
        word = _words(p.tokens, ana)
        if structural and role == "object":
            return []  # "This includes …": a whole situation, not an entity to classify
        here = {"first": ana.first, "last": ana.last, "referred": word, "inverted": p.inverted.get(ana.first, "")}
        nxt = p.tokens[ana.last] if ana.last < len(p.tokens) else None
        kind = self.classes.get(nxt.norm) if nxt is not None else None  # "these neurotransmitters"
        verb = nxt is not None and (self._is_cue(p, ana.last) or nxt.norm in self.stops | _AUX)
        if role == "object" and nxt is not None and nxt.word and not verb and not kind:
            return []  # "this cascade", "this method": a noun, not a pronoun
        earlier = [m for m in p.mentions if m.last <= ana.first and m.key and not m.place]
        if len(word.split()) > 1:  # "the treatment", "the drug": a drug or a regimen named before
            agents = [m for m in earlier + ctx["subject"] + ctx["object"] if self._agent(m.key)]
            return [replace(agents[-1] if agents[-1] in earlier else agents[0], **here)] if agents else []
        if word.casefold() == "which":
            opening = p.anaphors[0] if p.anaphors and p.anaphors[0].first == 0 else None
            if not earlier and opening is not None and opening is not ana and self._includes(p, opening.last):
                # "This includes trouble falling asleep, which can leave you tired": a kind of what 'this' is
                return [replace(m, **here) for m in self._refer(p, opening, ctx)]
            gap = [t.norm for t in p.tokens[earlier[-1].last : ana.first]] if earlier else ["x"]
            here["inverted"] = earlier[-1].inverted if earlier else ""
            return [replace(earlier[-1], **here)] if set(gap) <= {","} else []
        if role == "subject" and earlier and ana.first > 2:
            pool = earlier[:1]  # "…, it increases …": the sentence's own subject
        else:
            pool = ctx["subject"] if role == "subject" else ctx["object"]
        if kind:
            pool = [m for m in pool if self._is(m.key, kind)]
        plural = word.casefold() in ("these", "they", "those")
        return [replace(m, **here) for m in (pool if plural else pool[:1]) if m.key]

    def _includes(self, p: _Parsed, at: int) -> bool:
        """Whether a cue that lists kinds or parts of what stands before it ('includes') starts at `at`."""
        cue = next((c.payload[1] for c in p.cues if c.first == at), None)
        return cue is not None and cue.predicate == "partOf" and cue.order == "O cue S"

    def _agent(self, key: str | None) -> bool:
        return any(self._is(key, t) for t in ("ChemicalEntity", "TreatmentRegimen"))

    def _new_phrase(self, p: _Parsed, at: int) -> list[Mention]:
        """The noun phrase right after a cue, when it names no known entity: proposed as a new entity."""
        toks = p.tokens
        i = at
        det = self._determiner_at(p, i)
        while det:
            i += len(det)
            det = self._determiner_at(p, i)
        first = i
        while i < len(toks) and i - first < 5:
            t = toks[i]
            inside = any(m.first <= i < m.last for m in p.mentions)
            if not t.word or t.norm in self.stops or self._is_cue(p, i) or inside:
                break
            i += 1
        words = list(range(first, i))
        if (i < len(toks) and toks[i].norm in _PREPOSITIONS) or not words:
            return []  # the head of a longer phrase
        while words and toks[words[-1]].norm in self.trailing:
            words.pop()
        norm = " ".join(toks[j].norm for j in words)
        if not words or any(toks[j].norm in self.generic for j in words) or len(norm) < 3:
            return []
        if not any(c.isalpha() for c in norm):
            return []
        return [Mention(words[0], words[-1] + 1, None, " ".join(toks[j].text for j in words))]

    def _determiner_at(self, p: _Parsed, i: int) -> list[str]:
        for det in self.determiners:
            if [t.norm for t in p.tokens[i : i + len(det)]] == det:
                return det
        return []

    # --- claims from a list item --------------------------------------------------------------------------
    def _item_claims(self, p: _Parsed, intro: _Parsed, ctx: dict) -> list[_Claim]:
        """A list item under an intro ("relieves the following symptoms of depression:"): the item fills the
        side of the intro's cue that the intro leaves open; an item opening with "Increased …" says the sign."""
        start = p.item_cues[0].last if p.item_cues else 0
        colon = next((i for i, t in enumerate(p.tokens[:4]) if t.norm == ":"), None)
        if colon is not None and not p.item_cues:  # "Physical: fatigue, insomnia": a label, then the items
            start = colon + 1
        end = next(
            (
                i
                for i in range(start, len(p.tokens))
                if p.tokens[i].norm in ("(", "-", ":", ";", ".", "that", "which", "who")
                or (self._is_cue(p, i) and not self._and_other(p, i))
            ),
            len(p.tokens),
        )
        items = [m for m in p.mentions if start <= m.first and m.last <= end and not m.place]
        if not items:  # "Medications that … (such as SSRI's)": the example names what the item is
            such = next((h for h in p.cues if h.payload[1].order == "O cue S" and "such" in h.payload[1].phrase), None)
            items = [m for m in p.mentions if such is not None and 0 <= m.first - such.last <= 1][:1]
        if not items:
            items = self._new_item(p, start, end)
        if not items:
            return []
        members = self._members(p, items, end)
        claims: list[_Claim] = []
        if p.item_cues:
            hit = p.item_cues[0]
            pred = hit.payload[1]
            by_type = (("Disease", "treats"), ("Symptom", "relieves")) if pred == "decreases" else ()
            cue = Cue(_words(p.tokens, hit), pred, by_type=by_type, confidence=0.7)
            subjects = [m for m in intro.mentions if m.key and not m.place]
            for m in items + members:
                for s in subjects:
                    c = self._claim(p, hit, cue, s, m, intro=intro)
                    if c:
                        claims.append(c)
                        break
            return claims
        for hit in intro.cues:
            cue = hit.payload[1]
            before = [m for m in intro.mentions if m.last <= hit.first and not m.place]
            after = [m for m in intro.mentions if m.first >= hit.last and not m.place]
            open_after = "following" in cue.phrase or (
                self._following(intro, hit) and not (cue.order == "O cue S" and after)
            )
            if cue.order == "S cue O":
                if before and (open_after or not after):
                    pairs = [(before[-1], m) for m in items + members]
                elif after and not before:
                    pairs = [(m, after[0]) for m in items + members]
                else:
                    continue
            elif cue.order == "O cue S" and after:
                pairs = [(after[0], m) for m in items + members]
            else:
                continue
            for s, o in pairs:
                c = self._claim(p, hit, cue, s, o, intro=intro)
                if c:
                    claims.append(c)
        return claims

    def _and_other(self, p: _Parsed, i: int) -> bool:
        """Whether token i is in a cue 'and other' / 'or other', which goes on with another item of the same list:
        'Abuse of alcohol or other substances' lists both."""
        return any(c.first <= i < c.last and c.payload[1].phrase.split()[0] in ("and", "or") for c in p.cues)

    def _members(self, p: _Parsed, items: list[Mention], end: int) -> list[Mention]:
        """'Tryptophan metabolites – quinolinic acid and 3-hydroxykynurenine are …': the entities a dash sets
        beside the item's own are its kinds; they share the item's relation, with less confidence."""
        if len(items) != 1 or end >= len(p.tokens) or p.tokens[end].norm not in ("-", "("):
            return []
        after = [m for m in p.mentions if m.first > end and not m.place]
        if not after or after[0].first - end > 1:
            return []
        group = self._coordinated(p, after)
        nxt = p.tokens[group[-1].last].norm if group[-1].last < len(p.tokens) else ""
        closes = nxt in _BE if p.tokens[end].norm == "-" else nxt == ")" and len(group) > 1
        return [replace(m, apposed=items[0].key or "") for m in group if m.key != items[0].key] if closes else []

    def _new_item(self, p: _Parsed, start: int, end: int) -> list[Mention]:
        words = [i for i in range(start, end) if p.tokens[i].word]
        if not words or len(words) > 5 or any(p.tokens[i].norm in self.stops | self.generic for i in words):
            return []
        text = " ".join(p.tokens[i].text for i in range(words[0], words[-1] + 1))
        if key_of(text) in self.generic:
            return []
        return [Mention(words[0], words[-1] + 1, None, text)]

    # --- one claim ----------------------------------------------------------------------------------------
    def _claim(
        self, p: _Parsed, hit: Hit, cue: Cue, subj: Mention, obj: Mention, intro: _Parsed | None = None,
        flip: bool = False,
    ) -> _Claim | None:  # fmt: skip
        if (subj.key is None and obj.key is None) or (subj.key is not None and subj.key == obj.key):
            return None
        for pred in dict.fromkeys([cue.predicate_for(obj.type, self.vocab.is_a), cue.predicate]):
            inverted = flip != (bool(subj.inverted) != bool(obj.inverted))
            if inverted and self.vocab.predicates[pred].kind != "structural":
                if pred not in _OPPOSITE:
                    continue
                pred = _OPPOSITE[pred]
            info = self.vocab.predicates[pred]
            subj_type = subj.type or self._suggest_type(subj.text, pred, "subject")
            obj_type = obj.type or self._suggest_type(obj.text, pred, "object")
            if all(
                not allowed or any(self.vocab.is_a(t, a) for a in allowed)
                for t, allowed in ((subj_type, info.domain), (obj_type, info.range))
            ):
                break
        else:
            return None
        where = intro if intro is not None and not p.item_cues else p
        if where is p:
            negated = self._negated(p, hit, subj, obj)
        else:  # "Ketamine does not relieve the following symptoms:": a negation just before the intro's cue
            negated = next((_words(where.tokens, n) for n in where.negations if 0 <= hit.first - n.last <= 3), "")
        hedges = [_words(s.tokens, h) for s in {id(p): p, id(intro or p): intro or p}.values() for h in s.hedges]
        distance = max(0, min(abs(hit.first - subj.last), abs(subj.first - hit.last)) - 3) if intro is None else 0
        conf = cue.confidence * (0.9 if hedges else 1) * (0.8 if subj.referred or obj.referred or obj.unsaid else 1)
        conf *= 0.85 if subj.key is None or obj.key is None else 1
        conf *= 0.9 if inverted else 1
        conf *= 0.8 if obj.apposed or subj.apposed else 1
        conf = round(max(0.1, conf - 0.02 * distance), 2)
        return _Claim(
            subject=subj,
            object=obj,
            subject_type=subj_type,
            object_type=obj_type,
            predicate=pred,
            cue_hit=hit,
            cue_text=_words(where.tokens, hit),
            intro_cue="" if intro is None or p.item_cues else _words(intro.tokens, hit),
            status="negated" if negated else "hedged" if hedges else "asserted",
            negation=negated,
            hedges=hedges,
            confidence=conf,
            parsed=p,
            intro=intro,
        )

    def _negated(self, p: _Parsed, hit: Hit, subj: Mention, obj: Mention) -> str:
        """The negation that scopes over the relation: between its two parties, or just before the cue."""
        lo = max(0, min(subj.last if subj.last <= hit.first else hit.first, hit.first - 3))
        hi = max(hit.last, min(obj.first, hit.last + 2)) if obj.first >= hit.last else hit.last
        for n in p.negations:
            if lo <= n.first and n.last <= hi and not (subj.first <= n.first < subj.last):
                return _words(p.tokens, n)
        return ""

    def _suggest_type(self, text: str, predicate: str, role: str) -> str:
        words = key_of(text).split()
        head = words[-1] if words else ""
        for typ, heads in self.lex.types_by_head.items():
            for h in heads:
                kh = key_of(h)
                if head == kh or (len(kh) <= 3 and head.endswith(kh) and len(head) > len(kh) + 3):
                    return typ
        by_pred = self.lex.types_by_predicate.get(predicate) or {}
        return by_pred.get(role, self.lex.default_type)

    # --- merge into candidates ----------------------------------------------------------------------------
    def _add(self, found: dict, new_entities: dict, claim: _Claim, text: str) -> None:
        subj_key = self._entity_key(claim.subject, claim.subject_type, new_entities, claim)
        obj_key = self._entity_key(claim.object, claim.object_type, new_entities, claim)
        quote = _quote(text, claim)
        key = (subj_key, claim.predicate, obj_key, claim.status == "negated")
        structural = self.vocab.predicates[claim.predicate].kind == "structural"
        quals = {} if structural else dict(claim.parsed.qualifiers)
        if claim.intro is not None and not structural:
            quals = {**claim.intro.qualifiers, **quals}
        loc = None if structural else self._location(claim)
        if loc:
            quals["location"] = loc
        if key in found:
            cand = found[key]
            if quote not in cand.quotes:
                cand.quotes.append(quote)
            cand.confidence = max(cand.confidence, claim.confidence)
            for k, v in quals.items():
                cand.qualifiers.setdefault(k, v)
            return
        found[key] = Candidate(
            subject=subj_key,
            predicate=claim.predicate,
            object=obj_key,
            quotes=[quote],
            status=claim.status,
            confidence=claim.confidence,
            reason=claim.reason(self.vocab),
            words=claim.words(),
            qualifiers=quals,
        )

    def _location(self, claim: _Claim) -> str | None:
        """'blocks receptors in the brain': a place named just after the claim's object (or its cue)."""
        after = max(claim.cue_hit.last, claim.object.last if claim.object.first >= claim.cue_hit.last else 0)
        for m in claim.parsed.mentions:
            if m.place and m.key and 0 <= m.first - after <= 6 and self._is(m.key, "AnatomicalEntity"):
                return m.key
        return None

    def _entity_key(self, m: Mention, typ: str, new_entities: dict, claim: _Claim) -> str:
        if m.key:
            return m.key
        key = re.sub(r"[^a-z0-9]+", "_", m.text.casefold()).strip("_") or "entity"
        if key in self.data.entities:
            key = f"{key}_new"
        new_entities.setdefault(
            key,
            {
                "label": m.text,
                "type": typ,
                "surface": m.text,
                "reason": f"named beside '{claim.cue_text}' in a relation with a known entity",
            },
        )
        return key


_ARTICLES = {"the", "a", "an", "its", "their", "your", "our", "his", "her", "my"}  # before a noun, never a verb
_PREPOSITIONS = {"of", "to", "between", "among"}  # after a phrase's last word: it goes on ("inability of …")
_AUX = {
    "also",
    "not",
    "can",
    "may",
    "might",
    "could",
    "will",
    "would",
    "does",
    "doe",
    "do",
    "did",
    "often",
    "then",
    "thus",
    "directly",
    "further",
    "in",
    "turn",
    ",",
    "n't",
    "can't",
    "cannot",
    "doesn't",
    "don't",
    "still",
}
_CARRIERS = {"help", "helps", "helped", "helping"}  # before a verb they only carry it: "help restore" restores
_VERBS = {"have", "has", "had", "can", "may", "might", "will", "would", "could", "should", "do", "doe", "did"}
_BE = {"is", "are", "was", "were", "be", "been", "being", "get", "gets", "got", "become", "becomes"}
_LEADS = {"particularly", "especially", "such", "including", "namely", "mainly", "notably", "like", "e"}
_BLOCK = {
    ";", ".", ":", "?", "!", "(", "to", "that", "which", "who", "whom", "but", "while", "when", "because", "if",
    "so", "after", "before", "during", "since", "than", "although", "though", "until", "unless", "whether", "in",
    "on", "at", "for", "with", "from", "into", "between", "over", "under", "within", "without", "through", "by",
    "about", "against", "toward", "towards", "upon", "via",
}  # fmt: skip


def _opened(tokens: list[Token], hit: Hit) -> bool:
    """Whether a cue that counts only in a clause opened by certain words ('with X comes Y') has one of them."""
    opened_by = hit.payload[1].opened_by
    i = hit.first - 1
    while opened_by and i >= 0 and tokens[i].norm not in (",", ";", ":", ".", "(", "-"):
        if tokens[i].norm in opened_by:
            return True
        i -= 1
    return not opened_by


def _words(tokens: list[Token], hit: Hit) -> str:
    return _span(tokens, hit.first, hit.last)


def _span(tokens: list[Token], a: int, b: int) -> str:
    return " ".join(t.text for t in tokens[a:b])


def name_variants(name: str) -> list[str]:
    """Other ways English writes a name: 'synapse remodeling' → 'remodeling of (the) synapses', 'inability to lead
    a normal life' → 'inability of leading a normal life', 'feeling uneasy' → 'feel uneasy', 'felt uneasy'."""
    words = key_of(name).split()
    out = []
    if len(words) == 2 and all(w.isalpha() for w in words):
        out += [f"{words[1]} of {words[0]}", f"{words[1]} of the {words[0]}"]
    for i in range(1, len(words) - 1):
        if words[i] == "to" and words[i + 1].isalpha():
            out.append(" ".join([*words[:i], "of", verb_forms(words[i + 1])[3], *words[i + 2 :]]))
    if len(words) > 1 and words[0] == "feeling":
        out += [" ".join([verb, *words[1:]]) for verb in ("feel", "felt")]
    return out


@dataclass
class _Parsed:
    sent: Sentence
    tokens: list[Token]
    mentions: list[Mention]
    cues: list[Hit]
    hedges: list[Hit]
    negations: list[Hit]
    item_cues: list[Hit]
    anaphors: list[Hit]
    qualifiers: dict
    is_intro: bool = False
    inverted: dict = field(default_factory=dict)  # token index of a pronoun → the words that invert it


@dataclass
class _Claim:
    subject: Mention
    object: Mention
    subject_type: str
    object_type: str
    predicate: str
    cue_hit: Hit
    cue_text: str
    intro_cue: str
    status: str
    negation: str
    hedges: list[str]
    confidence: float
    parsed: _Parsed
    intro: _Parsed | None

    def words(self) -> list[str]:
        """The words to highlight: both parties, the cue, hedges and negations."""
        out = [self.subject.referred or self.subject.text, self.intro_cue, self.cue_text]
        out += [self.object.referred or self.object.text, self.object.via, self.subject.via]
        out += [m for m in (self.subject.inverted, self.object.inverted) if m]
        out += self.hedges + ([self.negation] if self.negation else [])
        return list(dict.fromkeys(w for w in out if w))

    def reason(self, vocab: Vocabulary) -> str:
        """Which cue, which words: e.g. "cue 'blocking' (antagonizes, −): 'It' (= ketamine …) → …"."""
        sign = {1: "+", -1: "−", 0: "no sign"}[vocab.predicates[self.predicate].sign]

        def who(m: Mention) -> str:
            said = f"'{m.referred}' (= {m.key or m.text}, named before)" if m.referred else f"'{m.text}'"
            said += f" (through '… {m.via}')" if m.via else ""
            said += f" (with '{m.shares}' from the list)" if m.shares else ""
            if m.unsaid:
                return f"'{m.text}' (left unsaid: the condition the text names most)"
            return said + (" (new entity)" if m.key is None else "")

        if self.intro is not None and self.intro_cue:
            cue = f"list intro '{self.intro_cue}'"
        elif self.intro is not None:
            cue = f"list item '{self.cue_text}'"
        else:
            cue = f"cue '{self.cue_text}'"
        parts = [f"{cue} ({self.predicate}, {sign}): {who(self.subject)} → {who(self.object)}"]
        parts += [f"'{m.inverted}' turns the sign" for m in (self.subject, self.object) if m.inverted]
        if self.negation:
            parts.append(f"negated by '{self.negation}'")
        if self.hedges:
            parts.append(f"hedged by '{', '.join(dict.fromkeys(self.hedges))}'")
        return "; ".join(parts)


def _quote(text: str, claim: _Claim) -> str:
    """The verbatim sentence; for a list item, the list's intro and the item joined by '...'."""
    sent = claim.parsed.sent
    span = " ".join(text[sent.start : sent.end].split())
    if claim.intro is not None:
        intro = claim.intro.sent
        return f"{' '.join(text[intro.start : intro.end].split())} ... {span}"
    return span


def _upper(tokens: list[Token]) -> bool:
    """An abbreviation must be written in capitals (NMDA, SSRIs, SSRI's) to count."""
    letters = "".join(t.text for t in tokens if t.word)
    letters = re.sub(r"(['’]s|s)$", "", letters)
    return letters.upper() == letters


def _longest(hits: list[Hit]) -> list[Hit]:
    """The longest non-overlapping hits, in text order."""
    chosen: list[Hit] = []
    taken: set[int] = set()
    for h in sorted(hits, key=lambda h: (-(h.last - h.first), h.first)):
        span = set(range(h.first, h.last))
        if not span & taken:
            chosen.append(h)
            taken |= span
    return sorted(chosen, key=lambda h: h.first)


_NUM = r"\d+(?:[.,]\d+)?"


def quantity_pattern(spec: dict, number_words: dict[str, float]) -> tuple[dict[str, str], re.Pattern]:
    """The units by folded word and the pattern of a number with its unit, built once per lexicon."""
    units = {key_of(w): unit for unit, words in (spec.get("units") or {}).items() for w in words}
    words_re = "|".join(sorted((re.escape(w) for w in number_words), key=len, reverse=True))
    num = f"(?:{_NUM}|{words_re})" if words_re else _NUM
    unit_re = "|".join(
        sorted((re.escape(w) for ws in (spec.get("units") or {}).values() for w in ws), key=len, reverse=True)
    )
    pattern = re.compile(
        rf"(?<![\w.])(?P<a>{num})(?:\s*(?:-|–|to)\s*(?P<b>{num}))?\s*(?P<unit>{unit_re})(?![\w])", re.IGNORECASE
    )
    return units, pattern


def read_quantities(sentence: str, spec: dict, number_words: dict[str, float], compiled=None) -> dict:
    """Onset, duration, period, dose, count and prevalence written in a sentence, as qualifiers of the data format."""
    units, pattern = compiled or quantity_pattern(spec, number_words)
    out: dict = {}
    low = sentence.casefold()
    approx_words = [w.casefold() for w in spec.get("approximate") or []]
    for m in pattern.finditer(sentence):
        unit = units.get(key_of(m.group("unit")), m.group("unit").casefold())
        a = _number(m.group("a"), number_words)
        b = _number(m.group("b"), number_words) if m.group("b") else None
        before = low[max(0, m.start() - 40) : m.start()].split()
        after = low[m.end() : m.end() + 40].split()
        approx = any(" ".join(before).endswith(w) for w in approx_words)
        value = {"min": a, "max": b} if b is not None else {"value": a}
        value = {**value, "unit": unit, **({"approximate": True} if approx else {})}
        if unit == "percent":
            dose = any(w.strip(".,") in spec.get("dose_words", []) for w in after[:4])
            name = "dose" if dose else "prevalence"
            if name == "prevalence" and not any(
                w.strip(".,") in spec.get("prevalence_words", []) for w in after[:5] + before[-3:]
            ):
                continue
        elif unit in ("mg", "mg/kg"):
            name = "dose"
        elif unit in ("infusion", "session", "dose"):
            name = "count"
        else:
            name = _time_role(before[-3:], after[:2], spec)
            if name is None:
                continue
        out.setdefault(name, value)
    for phrase in spec.get("dose_phrases") or []:
        if re.search(rf"(?<!\w){re.escape(phrase.casefold())}(?!\w)", low) and "dose" not in out:
            out["dose"] = {"text": phrase}
    return out


def _time_role(before: list[str], after: list[str], spec: dict) -> str | None:
    for role in ("duration", "period", "onset"):
        cues = [w.casefold() for w in spec.get(role) or []]
        joined = " ".join(before)
        if any(joined.endswith(c) or c in before[-2:] for c in cues):
            return role
    if after[:1] and after[0].strip(".,") in ("post", "after", "later"):
        return "onset"
    return None


def _number(text: str, words: dict[str, float]) -> float | int:
    k = key_of(text)
    x = float(words[k]) if k in words else float(text.replace(",", ""))
    return int(x) if x.is_integer() else x


@dataclass(frozen=True)
class SuggestedDocument:
    """What `kg suggest` read: the document's path, kind and text."""

    path: str
    kind: str
    text: str


def suggest_file(
    path, data: Dataset, vocab: Vocabulary, source: str | None = None, title: str | None = None, cues=()
) -> dict:
    """Read a text, HTML or PDF file and return its review file's content (see kg.review)."""
    from pathlib import Path

    from kg.errors import UsageError
    from kg.lexicon import load_lexicon
    from kg.load import KEY_RE
    from kg.reading import read_document
    from kg.review import review_record

    path = Path(path)
    doc = read_document(path)
    key = source or re.sub(r"[^A-Za-z0-9_.\-]+", "-", path.stem).strip("-.").lower() or "document"
    if not KEY_RE.match(key):
        raise UsageError(f"source key {key!r} must be letters, digits, '_', '-' or '.'")
    if key in data.sources:
        raise UsageError(f"the dataset already has a source '{key}'; give this document another key with --source")
    found = Reader(data, vocab, load_lexicon(cues)).read(doc.text)
    src = {
        "key": key,
        "title": title or doc.title or path.stem,
        "kind": {"pdf": "PDF document"}.get(doc.kind, "web article" if doc.kind == "html" else "document"),
        "file": f"{key}.txt",
    }
    return review_record(found, SuggestedDocument(str(path), doc.kind, doc.text), src)
