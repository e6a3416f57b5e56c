"""Read a document into candidate claims: the graph's entities and the lexicon's cues found sentence by sentence.

Each candidate is a statement in the data format with status `candidate`, the verbatim sentence as its quote,
the status it would honestly get (asserted, hedged or negated), a confidence and the reason it was proposed.
A phrase in a cued relation with a known entity, that names no entity, is proposed as a new entity (surface
text and a suggested type; never an ontology ID).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.lexicon import Cue, Lexicon
from kg.matching import Hit, PhraseMatcher, Token, key_of, tokenize
from kg.model import Dataset, Vocabulary
from kg.reading import Sentence, split_sentences

WINDOW = 10  # tokens between a cue and the entity it takes
_PRONOUNS = {"it": "subject", "they": "subjects", "this": "object", "these": "objects", "which": "object"}
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
    new_entities: dict = field(default_factory=dict)  # key → (label, type, surface, reason)


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
        self.matcher = PhraseMatcher()
        m = self.matcher
        for ent in data.entities.values():
            names = [(ent.label, 1), (ent.key.replace("_", " "), 3)] + [(s, 2) for s in ent.synonyms]
            for name, rank in names:
                abbreviation = len(name) <= 6 and name.upper() == name and any(c.isalpha() for c in name)
                m.add(name, ("entity", ent.key, rank, abbreviation))
        for cue in lexicon.cues:
            m.add(cue.phrase, ("cue", cue))
        for kind in ("hedges", "negations", "inverters"):
            for phrase in getattr(lexicon, kind):
                m.add(phrase, (kind,))
        for pred, phrases in lexicon.item_cues.items():
            for phrase in phrases:
                m.add(phrase, ("item", pred))
        for phrase in lexicon.places:
            m.add(phrase, ("place",))
        self.stops = {key_of(w) for w in lexicon.phrase_stops}
        self.generic = {key_of(w) for w in lexicon.generic}
        self.trailing = {key_of(w) for w in lexicon.trailing}
        self.determiners = sorted((key_of(w).split() for w in lexicon.determiners), key=len, reverse=True)
        self._number_words = {key_of(k): v for k, v in (lexicon.quantities.get("numbers") or {}).items()}

    # --- one document -------------------------------------------------------------------------------------
    def read(self, text: str, source: str) -> Suggestions:
        """Candidates for a document's text, quotes taken verbatim from it."""
        sentences = split_sentences(text, self.lex.abbreviations)
        found: dict[tuple, Candidate] = {}
        new_entities: dict[str, dict] = {}
        context: dict[str, list[Mention]] = {"subject": [], "object": []}
        parsed: list[_Parsed] = []
        for i, sent in enumerate(sentences):
            p = self._parse(text, sent)
            parsed.append(p)
            intro = parsed[sent.intro] if sent.item and sent.intro is not None else None
            prev = parsed[i - 1] if i and not sent.item and sentences[i - 1].block == sent.block - 0 else None
            prev = parsed[i - 1] if i else None
            claims = self._item_claims(p, intro) if intro is not None else []
            claims += self._sentence_claims(p, context, prev)
            for claim in claims:
                self._add(found, new_entities, claim, text, sent, intro, source)
        cands = sorted(found.values(), key=lambda c: -c.confidence)
        return Suggestions(cands, new_entities, len(sentences), len(re.findall(r"\w+", text)))

    def _parse(self, text: str, sent: Sentence) -> _Parsed:
        tokens = tokenize(text[sent.start : sent.end], sent.start)
        hits = self.matcher.find(tokens)
        mentions = self._mentions(tokens, hits)
        taken = {i for m in mentions for i in range(m.first, m.last)}
        by_kind: dict[str, list[Hit]] = {}
        for h in hits:
            if h.payload[0] != "entity":
                by_kind.setdefault(h.payload[0], []).append(h)
        cues = _longest(
            [h for h in by_kind.get("cue", []) if not any(i in taken for i in range(h.first, h.last))],
        )
        inverters = by_kind.get("inverters", [])
        places = {h.first for h in by_kind.get("place", [])}
        marked = []
        for m in mentions:
            inv = next(
                (
                    " ".join(t.text for t in tokens[h.first : h.last])
                    for h in inverters
                    if 0 <= m.first - h.last <= 2 and not any(i in taken for i in range(h.first, h.last))
                ),
                "",
            )
            place = any(0 <= m.first - j <= 2 and j not in taken for j in places)
            marked.append(_replace(m, inverted=inv, place=place))
        cue_tokens = {i for h in cues for i in range(h.first, h.last)}
        return _Parsed(
            sent=sent,
            tokens=tokens,
            mentions=marked,
            cues=cues,
            hedges=[h for h in by_kind.get("hedges", []) if not any(i in cue_tokens for i in range(h.first, h.last))],
            negations=[
                h for h in by_kind.get("negations", []) if not any(i in cue_tokens for i in range(h.first, h.last))
            ],
            item_cues=[h for h in by_kind.get("item", []) if h.first == 0],
            qualifiers=self._quantities(text[sent.start : sent.end]),
        )

    def _mentions(self, tokens: list[Token], hits: list[Hit]) -> list[Mention]:
        ents = []
        for h in hits:
            if h.payload[0] != "entity":
                continue
            _, key, rank, abbreviation = h.payload
            if abbreviation and not _upper(tokens[h.first : h.last]):
                continue
            ents.append((h, key, rank))
        ents.sort(key=lambda x: (-(x[0].last - x[0].first), x[2], x[0].first, x[1]))
        taken: set[int] = set()
        out = []
        for h, key, _ in ents:
            span = set(range(h.first, h.last))
            if span & taken:
                continue
            taken |= span
            text = " ".join(t.text for t in tokens[h.first : h.last])
            out.append(Mention(h.first, h.last, key, text, self.data.entities[key].type))
        return sorted(out, key=lambda m: m.first)

    # --- claims -------------------------------------------------------------------------------------------
    def _sentence_claims(self, p: _Parsed, context: dict, prev: _Parsed | None) -> list[_Claim]:
        claims: list[_Claim] = []
        last: _Claim | None = None
        for cue_hit in p.cues:
            cue: Cue = cue_hit.payload[1]
            if p.sent.item and cue_hit.first == 0 and p.item_cues:
                continue
            made = self._cue_claims(p, cue_hit, cue, context, last, prev)
            if made:
                last = made[0]
                claims += made
        if claims:
            context["subject"] = [c.subject for c in claims[:1]]
            context["object"] = [c.object for c in claims if c.cue_hit is claims[-1].cue_hit]
        elif p.mentions:
            known = [m for m in p.mentions if m.key and not m.place]
            if known:
                context["subject"] = known[:1]
                context["object"] = known[-1:]
        return claims

    def _cue_claims(
        self, p: _Parsed, hit: Hit, cue: Cue, context: dict, last: _Claim | None, prev: _Parsed | None
    ) -> list[_Claim]:
        ms = [m for m in p.mentions if not m.place]
        if cue.order == "S O cue":
            objs = [m for m in ms if 0 <= hit.first - m.last <= 1]
            subjects = [m for m in ms if objs and m.last <= objs[0].first]
            subj = subjects[-1] if subjects else self._refer(p, objs[0].first if objs else hit.first, context, "left")
            return [self._claim(p, hit, cue, subj, o) for o in objs[:1] if subj]
        left_side, right_side = (True, False) if cue.order == "S cue O" else (False, True)
        rights = self._right(p, hit)
        lefts = self._left(p, hit, cue, last)
        subjects = lefts if left_side else rights[:1]
        objects = rights if left_side else lefts[-1:]
        if not subjects:
            ref = self._refer(p, hit.first if left_side else hit.last, context, "left" if left_side else "right")
            subjects = [ref] if ref else []
        if not subjects and left_side:
            subjects = self._new_phrase(p, hit.first, -1)
        if not objects:
            objects = self._new_phrase(p, hit.last - 1, +1) if left_side else self._new_phrase(p, hit.first, -1)
        if not subjects or not objects:
            return []
        out = []
        for o in objects:
            claim = self._claim(p, hit, cue, subjects[-1] if left_side else subjects[0], o)
            if claim:
                out.append(claim)
        return out

    def _right(self, p: _Parsed, hit: Hit) -> list[Mention]:
        """The entities a cue takes on its right: the nearest, and those coordinated with it."""
        ms = [m for m in p.mentions if m.first >= hit.last and not m.place]
        if not ms or ms[0].first - hit.last > WINDOW or self._blocked(p, hit.last, ms[0].first):
            return []
        out = [ms[0]]
        for m in ms[1:]:
            between = [t.norm for t in p.tokens[out[-1].last : m.first]]
            if len(between) <= 4 and any(w in (",", "and", "or", "/", "nor") for w in between):
                if all(w in _COORD or not self._is_cue_token(p, i) for i, w in enumerate(between)):
                    if not any(c.first >= out[-1].last and c.last <= m.first for c in p.cues):
                        out.append(m)
                        continue
            break
        return out

    def _left(self, p: _Parsed, hit: Hit, cue: Cue, last: _Claim | None) -> list[Mention]:
        """The entity a cue takes on its left: the subject of a coordinated or gerund clause, else the nearest."""
        ms = [m for m in p.mentions if m.last <= hit.first and not m.place]
        if last is not None and last.subject_mention is not None:
            gap = [t.norm for t in p.tokens[last.object_mention.last : hit.first]] if last.object_mention else []
            coordinated = gap and len(gap) <= 4 and gap[0] in (",", "and", "while", "or") and "which" not in gap
            if coordinated or (cue.gerund and cue.order == "S cue O"):
                return [last.subject_mention]
        if cue.gerund and cue.order == "S cue O" and ms and hit.first > 0:
            before = p.tokens[hit.first - 1].norm
            if before in ("by", "and", ",", "while", "thereby", "in", "through"):
                return ms[:1]
        if not ms:
            return []
        nearest = ms[-1]
        if hit.first - nearest.last > WINDOW or self._blocked(p, nearest.last, hit.first):
            return []
        return [nearest]

    def _blocked(self, p: _Parsed, a: int, b: int) -> bool:
        """Whether tokens [a, b) cross a clause boundary that a relation does not cross."""
        return any(t.norm in (";", ".", "?", "!") for t in p.tokens[a:b])

    def _is_cue_token(self, p: _Parsed, i: int) -> bool:
        return any(c.first <= i < c.last for c in p.cues)

    def _refer(self, p: _Parsed, at: int, context: dict, side: str) -> Mention | None:
        """The entity a pronoun next to the cue stands for ("It works by blocking …", "This, in turn, …")."""
        window = p.tokens[max(0, at - 3) : at] if side == "left" else p.tokens[at : at + 3]
        for t in reversed(window) if side == "left" else window:
            role = _PRONOUNS.get(t.norm)
            if role:
                pool = context["subject"] if role.startswith("subject") else context["object"]
                if pool:
                    return _replace(pool[0], referred=t.text)
        return None

    def _new_phrase(self, p: _Parsed, at: int, step: int) -> list[Mention]:
        """A noun phrase next to a cue that names no known entity, proposed as a new one."""
        toks = p.tokens
        i = at + step
        words: list[int] = []
        while 0 <= i < len(toks) and len(words) < 5:
            t = toks[i]
            if not t.word or t.norm in self.stops or self._is_cue_token(p, i) or any(
                m.first <= i < m.last for m in p.mentions
            ):
                if step > 0 and not words and t.word and self._determiner_at(p, i):
                    i += len(self._determiner_at(p, i))
                    continue
                break
            words.append(i)
            i += step
        words.sort()
        while words and toks[words[-1]].norm in self.trailing:
            words.pop()
        while words and self._determiner_at(p, words[0]) and len(self._determiner_at(p, words[0])) == 1:
            words.pop(0)
        if not words or (step > 0 and words[0] - at > 4):
            return []
        text = " ".join(toks[j].text for j in words)
        norm = " ".join(toks[j].norm for j in words)
        if norm in self.generic or all(toks[j].norm in self.generic for j in words) or len(norm) < 3:
            return []
        if not any(c.isalpha() for c in norm) or words[0] == 0 and toks[0].norm in _PRONOUNS:
            return []
        return [Mention(words[0], words[-1] + 1, None, text)]

    def _determiner_at(self, p: _Parsed, i: int) -> list[str]:
        for det in self.determiners:
            if [t.norm for t in p.tokens[i : i + len(det)]] == det:
                return det
        return []

    def _item_claims(self, p: _Parsed, intro: _Parsed) -> list[_Claim]:
        """A list item under an intro ("relieves the following symptoms of depression:"): the item fills the
        side of the intro's cue that the intro leaves open; an item opening with "Increased …" says the sign."""
        end = next(
            (i for i, t in enumerate(p.tokens) if t.norm in ("(", "-", ":", ";", ".") and i > 0), len(p.tokens)
        )
        items = [m for m in p.mentions if m.last <= end and not m.place]
        if not items:
            items = self._new_item(p, end)
        if not items:
            return []
        claims = []
        for hit in intro.cues:
            cue: Cue = hit.payload[1]
            before = [m for m in intro.mentions if m.last <= hit.first and not m.place]
            after = [m for m in intro.mentions if m.first >= hit.last and not m.place]
            s_side = before if cue.order in ("S cue O", "S O cue") else after
            o_side = after if cue.order == "S cue O" else before
            if p.item_cues and s_side:
                pred = p.item_cues[0].payload[1]
                item_cue = Cue(" ".join(t.text for t in p.tokens[: p.item_cues[0].last]), pred, confidence=0.7)
                for m in items:
                    c = self._claim(p, p.item_cues[0], item_cue, s_side[-1], m, intro=intro, intro_hit=hit)
                    claims += [c] if c else []
                break
            if o_side and s_side:
                continue  # the intro is complete in itself
            for m in items:
                subj, obj = (s_side[-1], m) if s_side else (m, o_side[0]) if o_side else (None, None)
                if subj is not None:
                    c = self._claim(p, hit, cue, subj, obj, intro=intro, intro_hit=hit)
                    claims += [c] if c else []
        return claims

    def _new_item(self, p: _Parsed, end: int) -> list[Mention]:
        words = [i for i in range(end) if p.tokens[i].word]
        start = p.item_cues[0].last if p.item_cues else 0
        words = [i for i in words if i >= start]
        if not words or len(words) > 5:
            return []
        text = " ".join(p.tokens[i].text for i in range(words[0], words[-1] + 1))
        if key_of(text) in self.generic:
            return []
        return [Mention(words[0], words[-1] + 1, None, text)]

    def _claim(
        self,
        p: _Parsed,
        hit: Hit,
        cue: Cue,
        subj: Mention,
        obj: Mention,
        intro: _Parsed | None = None,
        intro_hit: Hit | None = None,
    ) -> _Claim | None:
        if subj.key is None and obj.key is None:
            return None
        if subj.key is not None and subj.key == obj.key:
            return None
        obj_type = obj.type or self._suggest_type(obj.text, cue.predicate_for(None, self.vocab.is_a), "object")
        pred = cue.predicate_for(obj_type, self.vocab.is_a)
        inverted = bool(subj.inverted) != bool(obj.inverted)
        if inverted and self.vocab.predicates[pred].kind != "structural":
            if pred not in _OPPOSITE:
                return None
            pred = _OPPOSITE[pred]
        p_info = self.vocab.predicates[pred]
        subj_type = subj.type or self._suggest_type(subj.text, pred, "subject")
        if obj.key is None:
            obj_type = self._suggest_type(obj.text, pred, "object")
        for t, allowed in ((subj_type, p_info.domain), (obj_type, p_info.range)):
            if allowed and not any(self.vocab.is_a(t, a) for a in allowed):
                return None
        sources = [intro, p] if intro is not None else [p]
        negated = self._negated(p, hit, subj, obj) if intro is None else self._negated(intro, intro_hit, subj, obj)
        hedged = any(s.hedges for s in sources)
        distance = max(0, min(abs(hit.first - subj.last), abs(subj.first - hit.last)) - 3) if intro is None else 0
        conf = cue.confidence * (0.9 if hedged else 1) * (0.8 if subj.referred or obj.referred else 1)
        conf *= 0.85 if subj.key is None or obj.key is None else 1
        conf *= 0.9 if inverted else 1
        conf = round(max(0.1, conf - 0.03 * distance), 2)
        status = "negated" if negated else "hedged" if hedged else "asserted"
        return _Claim(
            subject_mention=subj,
            object_mention=obj,
            subject_type=subj_type,
            object_type=obj_type,
            predicate=pred,
            cue=cue,
            cue_hit=hit,
            cue_text=" ".join(t.text for t in (intro or p).tokens[(intro_hit or hit).first : (intro_hit or hit).last])
            if intro_hit is not None or intro is None
            else cue.phrase,
            item_cue=cue.phrase if intro is not None and intro_hit is not hit else "",
            status=status,
            negation=negated,
            hedges=[" ".join(t.text for t in s.tokens[h.first : h.last]) for s in sources for h in s.hedges],
            confidence=conf,
            parsed=p,
            intro=intro,
        )

    def _negated(self, p: _Parsed, hit: Hit, subj: Mention, obj: Mention) -> str:
        """The negation that scopes over the relation: between its two parties, or just before the cue."""
        lo = min(subj.last, hit.first) if subj.last <= hit.first else hit.first
        lo = max(0, min(lo, hit.first - 3))
        hi = max(hit.last, min(obj.first, hit.last + 2)) if obj.first >= hit.last else hit.last
        for n in p.negations:
            if lo <= n.first and n.last <= hi and not (subj.first <= n.first < subj.last):
                return " ".join(t.text for t in p.tokens[n.first : n.last])
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

    def _quantities(self, sentence: str) -> dict:
        return read_quantities(sentence, self.lex.quantities, self._number_words)

    # --- merge into candidates ----------------------------------------------------------------------------
    def _add(self, found, new_entities, claim: _Claim, text, sent, intro, source) -> None:
        subj_key = self._entity_key(claim.subject_mention, claim.subject_type, new_entities, claim)
        obj_key = self._entity_key(claim.object_mention, claim.object_type, new_entities, claim)
        quote = _quote(text, sent, claim)
        key = (subj_key, claim.predicate, obj_key, claim.status == "negated")
        quals = dict(claim.parsed.qualifiers) if self.vocab.predicates[claim.predicate].kind != "structural" else {}
        if claim.intro is not None:
            quals = {**claim.intro.qualifiers, **quals}
        loc = self._location(claim)
        if loc and self.vocab.predicates[claim.predicate].kind != "structural":
            quals["location"] = loc
        if key in found:
            cand = found[key]
            if quote not in cand.quotes:
                cand.quotes.append(quote)
            cand.confidence = max(cand.confidence, claim.confidence)
            for k, v in quals.items():
                cand.qualifiers.setdefault(k, v)
            if cand.status == "asserted" and claim.status == "hedged":
                pass
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
        p = claim.parsed
        for m in p.mentions:
            if m.place and m.key and self.vocab.is_a(self.data.entities[m.key].type, "AnatomicalEntity"):
                if m.first > claim.cue_hit.first:
                    return m.key
        return None

    def _entity_key(self, m: Mention, typ: str, new_entities: dict, claim: _Claim) -> str:
        if m.key:
            return m.key
        key = re.sub(r"[^a-z0-9]+", "_", key_of(m.text)).strip("_") or "entity"
        if key in self.data.entities:
            key = f"{key}_new"
        if key not in new_entities:
            new_entities[key] = {
                "label": m.text,
                "type": typ,
                "surface": m.text,
                "reason": f"named beside the cue '{claim.cue_text}' in a relation with a known entity",
            }
        return key


@dataclass
class _Parsed:
    sent: Sentence
    tokens: list[Token]
    mentions: list[Mention]
    cues: list[Hit]
    hedges: list[Hit]
    negations: list[Hit]
    item_cues: list[Hit]
    qualifiers: dict


@dataclass
class _Claim:
    subject_mention: Mention
    object_mention: Mention
    subject_type: str
    object_type: str
    predicate: str
    cue: Cue
    cue_hit: Hit
    cue_text: str
    item_cue: str
    status: str
    negation: str
    hedges: list[str]
    confidence: float
    parsed: _Parsed
    intro: _Parsed | None

    @property
    def subject(self) -> Mention:
        return self.subject_mention

    @property
    def object(self) -> Mention:
        return self.object_mention

    def words(self) -> list[str]:
        """The words to highlight: both parties, the cue, hedges and negations."""
        out = [self.subject_mention.referred or self.subject_mention.text, self.cue_text]
        out += [self.item_cue] if self.item_cue else []
        out.append(self.object_mention.referred or self.object_mention.text)
        out += [m for m in (self.subject_mention.inverted, self.object_mention.inverted) if m]
        out += self.hedges + ([self.negation] if self.negation else [])
        return list(dict.fromkeys(w for w in out if w))

    def reason(self, vocab: Vocabulary) -> str:
        """Which cue, which words: e.g. "cue 'blocking' (antagonizes, −) between 'It' (= ketamine) and …"."""
        sign = {1: "+", -1: "−", 0: "no sign"}[vocab.predicates[self.predicate].sign]

        def who(m: Mention) -> str:
            said = f"'{m.referred}' (= {m.key or m.text}, from the sentence before)" if m.referred else f"'{m.text}'"
            return said + (" (new entity)" if m.key is None else "")

        cue = f"list intro '{self.cue_text}'" if self.intro is not None else f"cue '{self.cue_text}'"
        if self.item_cue:
            cue += f" and item cue '{self.item_cue}'"
        parts = [f"{cue} ({self.predicate}, {sign}): {who(self.subject_mention)} → {who(self.object_mention)}"]
        for m in (self.subject_mention, self.object_mention):
            if m.inverted:
                parts.append(f"'{m.inverted}' turns the sign")
        if self.negation:
            parts.append(f"negated by '{self.negation}'")
        if self.hedges:
            parts.append(f"hedged by '{', '.join(dict.fromkeys(self.hedges))}'")
        return "; ".join(parts)


def _quote(text: str, sent: Sentence, claim: _Claim) -> str:
    """The verbatim sentence (with the sentence a pronoun refers to, or the list's intro joined by '...')."""
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


def _replace(m: Mention, **kw) -> Mention:
    from dataclasses import replace

    return replace(m, **kw)


_NUM = r"\d+(?:[.,]\d+)?"


def read_quantities(sentence: str, spec: dict, number_words: dict[str, float]) -> dict:
    """Onset, duration, period, dose, count and prevalence written in a sentence, as qualifiers of the data format."""
    units = {key_of(w): unit for unit, words in (spec.get("units") or {}).items() for w in words}
    words_re = "|".join(sorted((re.escape(w) for w in number_words), key=len, reverse=True))
    num = f"(?:{_NUM}|{words_re})" if words_re else _NUM
    unit_re = "|".join(
        sorted((re.escape(w) for ws in (spec.get("units") or {}).values() for w in ws), key=len, reverse=True)
    )
    pattern = re.compile(
        rf"(?<![\w.])(?P<a>{num})(?:\s*(?:-|–|to)\s*(?P<b>{num}))?\s*(?P<unit>{unit_re})(?![\w])", re.IGNORECASE
    )
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


def _number(text: str, words: dict[str, float]) -> float:
    k = key_of(text)
    if k in words:
        return float(words[k])
    return float(text.replace(",", ""))
