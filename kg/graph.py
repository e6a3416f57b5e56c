"""The built knowledge graph in memory: vocabulary, records and adjacency, fast to load from cache."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.curation import report as curation_report
from kg.model import Dataset, Entity, Statement, Vocabulary


@dataclass
class KnowledgeGraph:
    """Vocabulary + dataset with out/in statement indexes; the RDF lives beside it in the cache."""

    vocab: Vocabulary
    data: Dataset
    out_edges: dict[str, tuple[str, ...]]
    in_edges: dict[str, tuple[str, ...]]
    cache_dir: Path | None = field(default=None, compare=False)
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # derived structures, per process

    @classmethod
    def create(cls, vocab: Vocabulary, data: Dataset) -> KnowledgeGraph:
        """Index a validated dataset."""
        out: dict[str, list[str]] = {}
        inc: dict[str, list[str]] = {}
        for st in data.statements.values():
            out.setdefault(st.subject, []).append(st.id)
            inc.setdefault(st.object, []).append(st.id)
        return cls(
            vocab=vocab,
            data=data,
            out_edges={k: tuple(v) for k, v in out.items()},
            in_edges={k: tuple(v) for k, v in inc.items()},
        )

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["memo"] = {}
        state["cache_dir"] = None
        return state

    @property
    def entities(self) -> dict[str, Entity]:
        """Entities by key."""
        return self.data.entities

    @property
    def statements(self) -> dict[str, Statement]:
        """Statements by id."""
        return self.data.statements

    def outgoing(self, key: str) -> list[Statement]:
        """Statements whose subject is `key`."""
        return [self.data.statements[i] for i in self.out_edges.get(key, ())]

    def incoming(self, key: str) -> list[Statement]:
        """Statements whose object is `key`."""
        return [self.data.statements[i] for i in self.in_edges.get(key, ())]

    def sign(self, st: Statement) -> int:
        """The sign a statement carries through its predicate (+1, -1 or 0)."""
        return self.vocab.predicates[st.predicate].sign

    def display(self, key: str) -> str:
        """'CHEBI:6121 ! ketamine' when the entity has a standard ID, else its label."""
        ent = self.data.entities[key]
        return f"{ent.xrefs[0].curie} ! {ent.label}" if ent.xrefs else ent.label

    def sentence(self, st: Statement) -> str:
        """The statement as an English sentence, e.g. 'ketamine blocks NMDA receptor'."""
        pred = self.vocab.predicates[st.predicate]
        s, o = self.data.entities[st.subject].label, self.data.entities[st.object].label
        text = f"{s[:1].upper()}{s[1:]} {pred.phrase} {o}"
        return f"Not so: {text[:1].lower()}{text[1:]}" if st.status == "negated" else text

    def stats(self) -> dict:
        """Counts of entities by type, statements by predicate, status and source, and the curation report."""
        data = self.data
        by_source: Counter[str] = Counter()
        evidence_by_source: Counter[str] = Counter()
        for st in data.statements.values():
            for src in st.sources:
                by_source[src] += 1
            for ev in st.evidence:
                evidence_by_source[ev.source] += 1
        return {
            "counts": data.counts(),
            "entities_by_type": dict(sorted(Counter(e.type for e in data.entities.values()).items())),
            "statements_by_predicate": dict(sorted(Counter(s.predicate for s in data.statements.values()).items())),
            "statements_by_status": dict(sorted(Counter(s.status for s in data.statements.values()).items())),
            "statements_by_source": {
                k: {"title": data.sources[k].title, "statements": by_source[k], "evidence": evidence_by_source[k]}
                for k in sorted(data.sources)
            },
            **curation_report(data),
        }
