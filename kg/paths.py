"""Signed path search: how X affects Y, through which mechanism chains, ranked with stated reasons.

Sign composition runs on a signed-node graph: every entity n appears as (n,+), (n,−) and (n,0)
(unknown). A positive edge keeps the state, a negative edge flips it, an unsigned edge leads to 0.
A path from (X,+) to (Y,−) is a way in which X decreases Y. Only causal and clinical statements are
steps (associative ones too when asked); structural ones are context; negated ones are never steps.
Paths are found k-shortest first by A* over the signed states, bounded below by the exact backward cost
to the object, so the search stays bounded where all-simple-paths would explode (see find_paths).
Open search (effects / causes) runs Dijkstra from one end over the same signed states.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import deque
from dataclasses import dataclass, field, replace

from kg.graph import KnowledgeGraph
from kg.model import Statement

# Result codes of an answer (asserted in tests; carried in JSON).
FOUND = "found"
NO_PATH = "no-path"
SAME_ENTITY = "same-entity"
UNKNOWN_SUBJECT = "unknown-subject"
UNKNOWN_OBJECT = "unknown-object"
AMBIGUOUS_SUBJECT = "ambiguous-subject"
AMBIGUOUS_OBJECT = "ambiguous-object"

DISPUTED_ONLY = "disputed-only"  # chains exist, but every one runs through a claim the curation disputes

INCREASES, DECREASES, MIXED, UNKNOWN, NO_LINK = "increases", "decreases", "mixed", "unknown", "no known link"
NO_UNDISPUTED = "no undisputed link"
_EFFECT = {1: INCREASES, -1: DECREASES, 0: UNKNOWN}

# How strongly the documents back a chain: its weakest hop, from strongest to weakest (disputed and negated
# claims never support an effect; they are counted apart).
SUPPORT_LEVELS = ("asserted", "hedged", "speculative", "inferred")

# Ranking weights: a path's cost is the sum of its hops' costs; lower is better.
HOP_COST = 1.0
# What a hop's status adds: a document's hedge costs a little, a hypothesis more, the curator's own inference
# more still — more than an extra stated hop, so that a chain the documents state outranks one that needs the
# curator to connect their sentences —, a disputed claim most.
STATUS_COST = {"asserted": 0.0, "hedged": 0.3, "speculative": 0.8, "inferred": 2.5, "disputed": 3.0}
SINGLE_SOURCE_COST = 0.4  # a hop backed by one document costs this much more than one backed by several
HUB_COST = 0.15  # × log2(degree) of the node a hop enters: explanations through hubs say less
SIGN_BASIS_COST = 0.3  # a hop whose sign comes from a reading rule (precursor → product), not from the text


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path: a statement read in its direction, with its sign."""

    statement: str
    source: str
    target: str
    predicate: str
    sign: int
    status: str


@dataclass(frozen=True, slots=True)
class MechanismPath:
    """A chain of statements from subject to object, its net effect and why it ranks where it does."""

    hops: tuple[Hop, ...]
    effect: str
    cost: float
    reasons: dict[str, float]
    mechanism: bool = False  # starts at one of the subject's molecular targets

    @property
    def nodes(self) -> list[str]:
        """Entity keys from subject to object."""
        return [self.hops[0].source] + [h.target for h in self.hops]

    @property
    def disputed(self) -> bool:
        """Whether any hop is a disputed claim."""
        return any(h.status == "disputed" for h in self.hops)

    @property
    def support(self) -> str:
        """How the documents back the chain: the status of its weakest hop (disputed if any hop is)."""
        if self.disputed:
            return "disputed"
        return SUPPORT_LEVELS[max(SUPPORT_LEVELS.index(h.status) for h in self.hops)]


@dataclass(frozen=True)
class HowAnswer:
    """The answer to 'how does subject affect object?' with an explicit result code."""

    code: str
    subject: str | None
    object: str | None
    effect: str
    paths: tuple[MechanismPath, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    limited: str = ""  # non-empty when a time or count limit cut the search
    downstream: tuple[tuple[str, int], ...] = ()  # why-not: what the subject affects (key, hops), nearest first
    upstream: tuple[tuple[str, int], ...] = ()  # why-not: what affects the object
    message: str = ""
    support: str = ""  # the strongest backing of the effect's chains: asserted | hedged | speculative | inferred
    disputed_effect: str = ""  # disputed-only answers: what the disputed chains alone would say
    why_not: WhyNot | None = None  # no-path and disputed-only answers: what does connect the two, and why not counted


@dataclass(frozen=True)
class WhyNot:
    """What links two entities when no undisputed signed chain does, and what would walk it."""

    no_claims: tuple[str, ...] = ()  # entities with no claims at all
    no_steps: tuple[str, ...] = ()  # entities whose claims are all context (is a, part of …) or negated
    associative: tuple[MechanismPath, ...] = ()  # chains through correlations (walked with --associative)
    disputed: tuple[MechanismPath, ...] = ()  # chains through disputed claims (left out by --exclude-disputed)
    context: tuple[Hop, ...] = ()  # the shortest connection through any claim, direction and kind ignored
    max_length: int = 0  # chains longer than this were not searched


@dataclass(frozen=True)
class Reached:
    """An entity reached by open search, with its net effect and best path."""

    key: str
    effect: str
    path: MechanismPath
    disputed_only: bool = False
    disputed_effect: str = ""  # when disputed_only: what the disputed chains alone would say (effect is then
    # NO_UNDISPUTED)

    @property
    def support(self) -> str:
        """How the documents back the best chain (see MechanismPath.support)."""
        return self.path.support


def signed_graph(graph: KnowledgeGraph, *, exclude_disputed: bool = False, associative: bool = False) -> SignedGraph:
    """The SignedGraph for these options, built once per graph and process."""
    key = ("signed", exclude_disputed, associative)
    if key not in graph.memo:
        graph.memo[key] = SignedGraph(graph, exclude_disputed=exclude_disputed, associative=associative)
    return graph.memo[key]


class SignedGraph:
    """The step edges of a knowledge graph, prepared for signed search."""

    def __init__(self, graph: KnowledgeGraph, *, exclude_disputed: bool = False, associative: bool = False) -> None:
        self.graph = graph
        kinds = {"causal", "clinical"} | ({"associative"} if associative else set())
        self.edges: dict[str, list[Statement]] = {}
        self.redges: dict[str, list[Statement]] = {}
        preds = graph.vocab.predicates
        for st in graph.statements.values():
            if st.status == "negated" or preds[st.predicate].kind not in kinds:
                continue
            if exclude_disputed and st.status == "disputed":
                continue
            if st.subject == st.object:
                continue
            self.edges.setdefault(st.subject, []).append(st)
            self.redges.setdefault(st.object, []).append(st)
        self.degree = {
            n: len(self.edges.get(n, ())) + len(self.redges.get(n, ())) for n in set(self.edges) | set(self.redges)
        }
        self._costs: dict[str, float] = {}
        self._adjacency: dict[bool, dict[str, list[tuple[str, int, float, Statement]]]] = {}
        self._in_costs: dict[str, list[tuple[str, float]]] | None = None
        self._backward: dict[tuple[str, int], tuple[dict[str, int], dict[str, float]]] = {}

    def sign(self, st: Statement) -> int:
        """The statement's sign, from its predicate in the ontology."""
        return self.graph.vocab.predicates[st.predicate].sign

    def hop_cost(self, st: Statement) -> float:
        """What a hop adds to a path's cost: base, dispute, hedge, single source, hub entered (memoized)."""
        cost = self._costs.get(st.id)
        if cost is None:
            cost = self._costs[st.id] = self._hop_cost(st)
        return cost

    def _hop_cost(self, st: Statement) -> float:
        cost = HOP_COST + HUB_COST * math.log2(max(self.degree.get(st.object, 1), 1))
        cost += STATUS_COST.get(st.status, 0.0)
        if self.graph.vocab.predicates[st.predicate].sign_basis:
            cost += SIGN_BASIS_COST
        first = st.evidence[0].source if st.evidence else None
        if all(e.source == first for e in st.evidence):  # one source document (cheaper than len(st.sources) < 2)
            cost += SINGLE_SOURCE_COST
        return cost

    def in_costs(self) -> dict[str, list[tuple[str, float]]]:
        """Per entity, the entities with a step into it and the cheapest such step's cost (signs merged)."""
        if self._in_costs is None:
            inc: dict[str, list[tuple[str, float]]] = {}
            for node, sts in self.redges.items():
                best: dict[str, float] = {}
                for st in sts:
                    c = self.hop_cost(st)
                    if c < best.get(st.subject, math.inf):
                        best[st.subject] = c
                inc[node] = list(best.items())
            self._in_costs = inc
        return self._in_costs

    def costs_to(self, target: str, region: dict[str, int]) -> dict[str, float]:
        """Cheapest path cost from every entity of `region` to `target` (backward Dijkstra over step costs)."""
        inc = self.in_costs()
        best = {target: 0.0}
        heap = [(0.0, target)]
        pop, push, inf = heapq.heappop, heapq.heappush, math.inf
        while heap:
            c, n = pop(heap)
            if c > best[n]:
                continue
            for m, step in inc.get(n, ()):
                nc = c + step
                if nc < best.get(m, inf) and m in region:
                    best[m] = nc
                    push(heap, (nc, m))
        return best

    def backward(self, target: str, max_length: int) -> tuple[dict[str, int], dict[str, float]]:
        """Hops and cheapest cost still needed from each entity within `max_length` hops of `target` (memoized:
        a `how` answer searches to the same object several times)."""
        key = (target, max_length)
        if key not in self._backward:
            if len(self._backward) >= 8:
                self._backward.pop(next(iter(self._backward)))
            to_go = self.distances(target, reverse=True, limit=max_length)
            self._backward[key] = (to_go, self.costs_to(target, to_go))
        return self._backward[key]

    def distances(self, start: str, reverse: bool = False, limit: int | None = None) -> dict[str, int]:
        """Hop distances from `start` along (or against) step edges, up to `limit` hops."""
        if reverse:
            inc = self.in_costs()
            adj = {n: [m for m, _ in v] for n, v in inc.items()}
        else:
            adj = {n: [st.object for st in v] for n, v in self.edges.items()}
        dist = {start: 0}
        queue = deque([start])
        while queue:
            n = queue.popleft()
            d = dist[n]
            if limit is not None and d >= limit:
                continue
            for m in adj.get(n, ()):
                if m not in dist:
                    dist[m] = d + 1
                    queue.append(m)
        return dist

    def adjacency(self, reverse: bool = False) -> dict[str, list[tuple[str, int, float, Statement]]]:
        """Steps per entity as (next entity, sign, cost, statement), out-steps or with `reverse` in-steps;
        parallel claims of one sign keep the cheapest."""
        if reverse not in self._adjacency:
            adj: dict[str, list[tuple[str, int, float, Statement]]] = {}
            for node, sts in (self.redges if reverse else self.edges).items():
                best: dict[tuple[str, int], tuple[float, str, Statement]] = {}
                for st in sts:
                    k, c = (st.subject if reverse else st.object, self.sign(st)), self.hop_cost(st)
                    if k not in best or (c, st.id) < best[k][:2]:
                        best[k] = (c, st.id, st)
                adj[node] = [(t, sg, c, st) for (t, sg), (c, _, st) in best.items()]
            self._adjacency[reverse] = adj
        return self._adjacency[reverse]


def _scored(sg: SignedGraph, hops: tuple[Hop, ...], effect: str) -> MechanismPath:
    sts = [sg.graph.statements[h.statement] for h in hops]
    cost = sum(sg.hop_cost(st) for st in sts)
    reasons = {
        "hops": float(len(hops)),
        "min_sources_per_hop": float(min(len(st.sources) for st in sts)),
        "disputed_hops": float(sum(st.status == "disputed" for st in sts)),
        "hedged_hops": float(sum(st.status == "hedged" for st in sts)),
        "speculative_hops": float(sum(st.status == "speculative" for st in sts)),
        "inferred_hops": float(sum(st.status == "inferred" for st in sts)),
        "hub_penalty": round(sum(HUB_COST * math.log2(max(sg.degree.get(st.object, 1), 1)) for st in sts), 3),
    }
    return MechanismPath(hops=hops, effect=effect, cost=round(cost, 3), reasons=reasons)


def net_effect(paths: list[MechanismPath] | tuple[MechanismPath, ...]) -> str:
    """Increases / decreases when undisputed signed paths agree, mixed when they disagree, unknown when they are
    all unsigned; NO_UNDISPUTED when every path runs through a disputed claim, NO_LINK when there is none."""
    return _net([(p.effect, p.disputed) for p in paths])


def _net(outcomes: list[tuple[str, bool]]) -> str:
    if not outcomes:
        return NO_LINK
    support = [e for e, disputed in outcomes if not disputed]
    return _combine(support) if support else NO_UNDISPUTED


def _combine(effects: list[str]) -> str:
    signs = set(effects) - {UNKNOWN}
    if not signs:
        return UNKNOWN
    return signs.pop() if len(signs) == 1 else MIXED


def support_of(paths: list[MechanismPath] | tuple[MechanismPath, ...], effect: str) -> str:
    """The strongest backing among the undisputed chains that give `effect` (for mixed: the weaker of the two
    signs' best); '' when no undisputed chain does."""
    wanted = {INCREASES, DECREASES} if effect == MIXED else {effect}
    best = {}
    for p in paths:
        if not p.disputed and p.effect in wanted:
            level = SUPPORT_LEVELS.index(p.support)
            best[p.effect] = min(best.get(p.effect, level), level)
    return SUPPORT_LEVELS[max(best.values())] if best else ""


def find_paths(
    graph: KnowledgeGraph,
    subject: str,
    obj: str,
    *,
    max_length: int = 6,
    top: int = 5,
    exclude_disputed: bool = False,
    associative: bool = False,
    time_limit: float = 2.0,
    max_expansions: int = 200_000,
    first_hop: frozenset[str] | None = None,
) -> tuple[list[MechanismPath], str]:
    """The best simple paths subject → object, `top` per end sign, ranked; plus a note if a limit cut the search.

    k-shortest simple paths by best-first (A*) search over signed states: partial paths are expanded in
    order of cost so far + a lower bound of the cost still to come (1 per remaining hop, from a backward
    breadth-first search), so complete paths come out cheapest first and only the region that can still
    beat them is explored. `first_hop` restricts the subject's first step (e.g. to its molecular targets).
    """
    sg = signed_graph(graph, exclude_disputed=exclude_disputed, associative=associative)
    # hops and cheapest cost still needed, ignoring sign and simplicity: an admissible bound
    to_go, bound = sg.backward(obj, max_length)
    if subject not in to_go:
        return [], ""
    out = sg.adjacency()
    results: dict[int, list[tuple[Statement, ...]]] = {1: [], -1: [], 0: []}
    # Partial paths live in `store` as (entity, sign, statement, parent index, hops); the heap holds
    # (lower bound of total cost, tie, cost so far, index), so a push costs a few small tuples.
    store: list[tuple[str, int, Statement | None, int, int]] = [(subject, 1, None, -1, 0)]
    heap: list[tuple[float, int, float, int]] = [(bound[subject], 0, 0.0, 0)]
    expansions = 0
    deadline = time.monotonic() + time_limit
    limited = ""
    while heap:
        _, _, cost, idx = heapq.heappop(heap)
        node, sign, _, parent, hops = store[idx]
        if node == obj:
            if len(results[sign]) < top:
                results[sign].append(_statements(store, idx))
            if all(len(r) >= top for r in results.values()) or sum(map(len, results.values())) >= 3 * top:
                break
            continue
        expansions += 1
        if expansions > max_expansions or (expansions % 1024 == 0 and time.monotonic() > deadline):
            limited = (
                f"search stopped after {expansions - 1} expansions"
                if expansions > max_expansions
                else f"time limit of {time_limit:g} s reached"
            ) + "; some paths may be missing"
            break
        visited = {node}
        while parent >= 0:
            visited.add(store[parent][0])
            parent = store[parent][3]
        budget = max_length - hops - 1
        for target, sigma, step, st in out.get(node, ()):
            if target in visited or to_go.get(target, max_length + 1) > budget:
                continue
            if hops == 0 and first_hop is not None and target not in first_hop:
                continue
            store.append((target, sign * sigma, st, idx, hops + 1))
            g = cost + step
            heapq.heappush(heap, (g + bound[target], len(store), g, len(store) - 1))
    paths = [
        _scored(sg, tuple(_hop(sg, st) for st in sts), _EFFECT[end]) for end, found in results.items() for sts in found
    ]
    return sorted(paths, key=_rank), limited


def _rank(p: MechanismPath) -> tuple:
    """Cheapest first, then shortest, then by statement ids (a stable order)."""
    return (p.cost, len(p.hops), [h.statement for h in p.hops])


def _statements(store: list, idx: int) -> tuple[Statement, ...]:
    sts = []
    while idx > 0:
        sts.append(store[idx][2])
        idx = store[idx][3]
    return tuple(reversed(sts))


def _hop(sg: SignedGraph, st: Statement) -> Hop:
    return Hop(st.id, st.subject, st.object, st.predicate, sg.sign(st), st.status)


MECHANISM_CHAINS = 2  # how many chains from the subject's molecular targets an answer always shows


def molecular_targets(graph: KnowledgeGraph, subject: str, **options) -> frozenset[str]:
    """The receptors a subject acts on directly (else the chemicals it changes): where its mechanism starts."""
    sg = signed_graph(graph, **options)
    objects = [st.object for st in sg.edges.get(subject, ())]
    for kind in ("Receptor", "ChemicalEntity"):
        found = frozenset(o for o in objects if graph.vocab.is_a(graph.entities[o].type, kind))
        if found:
            return found
    return frozenset()


def how(
    graph: KnowledgeGraph,
    subject: str,
    obj: str,
    *,
    max_length: int = 6,
    top: int = 5,
    exclude_disputed: bool = False,
    associative: bool = False,
    time_limit: float = 2.0,
) -> HowAnswer:
    """How does entity `subject` affect entity `obj` (both keys)? Effect, ranked paths and why-not lists."""
    for key, code in ((subject, UNKNOWN_SUBJECT), (obj, UNKNOWN_OBJECT)):
        if key not in graph.entities:
            return HowAnswer(code=code, subject=subject, object=obj, effect=NO_LINK, message=f"unknown entity '{key}'")
    if subject == obj:
        return HowAnswer(SAME_ENTITY, subject, obj, NO_LINK, message="subject and object are the same entity")
    options = dict(
        max_length=max_length, exclude_disputed=exclude_disputed, associative=associative, time_limit=time_limit
    )
    paths, limited = find_paths(graph, subject, obj, top=max(top, 5), **options)
    shown = paths[:top]
    targets = molecular_targets(graph, subject, exclude_disputed=exclude_disputed, associative=associative)
    if paths and targets:
        mech, _ = find_paths(graph, subject, obj, top=MECHANISM_CHAINS, first_hop=targets, **options)
        have = {tuple(h.statement for h in p.hops) for p in shown}
        missing = MECHANISM_CHAINS - sum(p.nodes[1] in targets for p in shown)
        shown += [p for p in mech if tuple(h.statement for h in p.hops) not in have][: max(0, missing)]
        shown = sorted((replace(p, mechanism=p.nodes[1] in targets) for p in shown), key=_rank)
    if not paths:
        sg = signed_graph(graph, exclude_disputed=exclude_disputed, associative=associative)
        down = sorted(((k, d) for k, d in sg.distances(subject).items() if d > 0), key=lambda kv: (kv[1], kv[0]))
        up = sorted(
            ((k, d) for k, d in sg.distances(obj, reverse=True).items() if d > 0), key=lambda kv: (kv[1], kv[0])
        )
        why = why_not(graph, subject, obj, **options)
        return HowAnswer(
            NO_PATH,
            subject,
            obj,
            NO_LINK,
            downstream=tuple(down[:12]),
            upstream=tuple(up[:12]),
            why_not=why,
            limited=limited,
        )
    found = list({tuple(h.statement for h in p.hops): p for p in [*paths, *shown]}.values())
    missing = {INCREASES, DECREASES, UNKNOWN} - {p.effect for p in found if not p.disputed}
    if missing and any(p.disputed for p in found):
        # the net effect rests on undisputed chains; a sign seen only through disputed ones among the top few
        # may still have an undisputed chain further down: look for the best one of each sign without them
        extra, more_limited = find_paths(graph, subject, obj, top=1, **{**options, "exclude_disputed": True})
        have = {tuple(h.statement for h in p.hops) for p in found}
        found += [p for p in extra if p.effect in missing and tuple(h.statement for h in p.hops) not in have]
        limited = limited or more_limited
    effect = net_effect(found)
    # every sign the verdict claims is backed by a chain the answer shows: the best undisputed one of each sign
    signs = {INCREASES, DECREASES} if effect == MIXED else {effect}
    have = {tuple(h.statement for h in p.hops) for p in shown}
    for sign in sorted(signs - {p.effect for p in shown if not p.disputed}):
        best = min((p for p in found if p.effect == sign and not p.disputed), key=_rank, default=None)
        if best is not None and tuple(h.statement for h in best.hops) not in have:
            shown.append(best)
    shown = sorted(shown, key=_rank)
    counts = {
        "paths": len(found),
        "shown": len(shown),
        "increases": sum(p.effect == INCREASES for p in found),
        "decreases": sum(p.effect == DECREASES for p in found),
        "unknown": sum(p.effect == UNKNOWN for p in found),
        "disputed": sum(p.disputed for p in found),
    }
    if effect == NO_UNDISPUTED:
        return HowAnswer(
            DISPUTED_ONLY,
            subject,
            obj,
            NO_UNDISPUTED,
            tuple(shown),
            counts,
            limited,
            disputed_effect=_combine([p.effect for p in found]),
            why_not=why_not(graph, subject, obj, **options),
        )
    return HowAnswer(FOUND, subject, obj, effect, tuple(shown), counts, limited, support=support_of(found, effect))


def why_not(
    graph: KnowledgeGraph,
    subject: str,
    obj: str,
    *,
    max_length: int = 6,
    exclude_disputed: bool = False,
    associative: bool = False,
    time_limit: float = 2.0,
) -> WhyNot:
    """What does link subject and object when no undisputed signed chain does: entities without claims, chains
    through correlations or disputed claims (and the flag that walks them), and the shortest connection of any
    kind (context such as 'is a' or 'part of', read in either direction)."""
    steps = signed_graph(graph, associative=True)
    no_claims = tuple(k for k in (subject, obj) if not graph.out_edges.get(k) and not graph.in_edges.get(k))
    no_steps = tuple(k for k in (subject, obj) if k not in no_claims and k not in steps.edges and k not in steps.redges)
    options = dict(max_length=max_length, time_limit=time_limit, top=3)
    assoc: list[MechanismPath] = []
    if not associative:
        assoc, _ = find_paths(graph, subject, obj, associative=True, exclude_disputed=exclude_disputed, **options)
    disputed: list[MechanismPath] = []
    if exclude_disputed:
        disputed, _ = find_paths(graph, subject, obj, associative=associative, **options)
        disputed = [p for p in disputed if p.disputed]
    return WhyNot(
        no_claims=no_claims,
        no_steps=no_steps,
        associative=tuple(p for p in assoc if any(_is_associative(graph, h) for h in p.hops))[:3],
        disputed=tuple(disputed[:3]),
        context=tuple(_connection(graph, subject, obj, max_length)),
        max_length=max_length,
    )


def _is_associative(graph: KnowledgeGraph, hop: Hop) -> bool:
    return graph.vocab.predicates[hop.predicate].kind == "associative"


def _connection(graph: KnowledgeGraph, subject: str, obj: str, max_length: int) -> list[Hop]:
    """The shortest chain of non-negated claims from subject to object, context claims (is a, part of, located
    in …) read either way and every other claim in its own direction; each hop as the claim is stored."""
    if "context-adjacency" not in graph.memo:
        adj: dict[str, list[tuple[str, Statement]]] = {}
        for st in sorted(graph.statements.values(), key=lambda s: s.id):
            if st.status != "negated" and st.subject != st.object:
                adj.setdefault(st.subject, []).append((st.object, st))
                if graph.vocab.predicates[st.predicate].kind == "structural":
                    adj.setdefault(st.object, []).append((st.subject, st))
        graph.memo["context-adjacency"] = adj
    adj = graph.memo["context-adjacency"]
    back: dict[str, tuple[str, Statement] | None] = {subject: None}
    queue, depth = deque([subject]), {subject: 0}
    while queue and obj not in back:
        n = queue.popleft()
        if depth[n] >= max_length:
            continue
        for m, st in adj.get(n, ()):
            if m not in back:
                back[m], depth[m] = (n, st), depth[n] + 1
                queue.append(m)
    if obj not in back:
        return []
    hops, n = [], obj
    while (step := back[n]) is not None:
        n, st = step
        hops.append(Hop(st.id, st.subject, st.object, st.predicate, graph.sign(st), st.status))
    return hops[::-1]


def reach(
    graph: KnowledgeGraph,
    start: str,
    *,
    upstream: bool = False,
    types: tuple[str, ...] = (),
    max_length: int = 6,
    exclude_disputed: bool = False,
    associative: bool = False,
) -> list[Reached]:
    """Everything downstream of `start` (or upstream, with upstream=True), with net sign and best path.

    Dijkstra from `start` over signed states (entity, sign of the chain so far), along the steps or, upstream,
    against them, never re-entering an entity already on the chain: an entity's net effect comes from the best
    chain of each sign so found. (Keeping one chain per state makes "best" a close bound rather than a proof:
    the cheapest loop-free chain may run through a dearer chain of an earlier state; `how` searches exactly.)
    Entities reached only through disputed claims are found by a second search that admits them, and flagged.
    """
    results: dict[str, Reached] = {}
    for include_disputed in (False,) if exclude_disputed else (False, True):
        sg = signed_graph(graph, exclude_disputed=not include_disputed, associative=associative)
        back = _cheapest_chains(sg.adjacency(reverse=upstream), start)
        per_node: dict[str, list[tuple[float, int, list[str], tuple[Statement, ...], str]]] = {}
        for node, sign in back:
            if node == start or node in results:
                continue
            if types and not any(graph.vocab.is_a(graph.entities[node].type, t) for t in types):
                continue
            sts = _chain(back, (node, sign), max_length)
            if sts is not None:
                sts = sts[::-1] if upstream else sts
                cost = round(sum(map(sg.hop_cost, sts)), 3)
                per_node.setdefault(node, []).append((cost, len(sts), [st.id for st in sts], sts, _EFFECT[sign]))
        for node, chains in per_node.items():
            *_, sts, effect = min(chains)  # cheapest, then shortest, then by statement keys
            effects = [(e, any(st.status == "disputed" for st in c)) for *_, c, e in chains]
            best = _scored(sg, tuple(_hop(sg, st) for st in sts), effect)
            net = _net(effects)
            disputed_effect = _combine([e for e, _ in effects]) if net == NO_UNDISPUTED else ""
            results[node] = Reached(node, net, best, include_disputed, disputed_effect)
    return sorted(results.values(), key=lambda r: (r.disputed_only, r.path.cost, r.key))


def _cheapest_chains(
    adj: dict[str, list[tuple[str, int, float, Statement]]], start: str
) -> dict[tuple[str, int], tuple[tuple[str, int], Statement] | None]:
    """For each signed state reachable from (start, +), the state before it and the statement of the last step;
    a chain never enters an entity it has already visited (so a sign is not lost to a chain with a loop)."""
    best = {(start, 1): 0.0}
    back: dict[tuple[str, int], tuple[tuple[str, int], Statement] | None] = {(start, 1): None}
    visited = {(start, 1): frozenset((start,))}  # the entities on each settled state's chain
    heap = [(0.0, 0, start, 1)]
    pushed = 0
    while heap:
        cost, _, node, sign = heapq.heappop(heap)
        if cost > best[node, sign]:
            continue
        if (node, sign) not in visited:
            visited[node, sign] = visited[back[node, sign][0]] | {node}
        on_chain = visited[node, sign]
        for target, sigma, step, st in adj.get(node, ()):
            if target in on_chain:
                continue
            state, c = (target, sign * sigma), cost + step
            if c < best.get(state, math.inf):
                best[state], back[state] = c, ((node, sign), st)
                pushed += 1
                heapq.heappush(heap, (c, pushed, target, sign * sigma))
    return back


def _chain(back: dict, state: tuple[str, int], max_length: int) -> tuple[Statement, ...] | None:
    """The statements of the chain from the start to `state`, or None when it has more than `max_length` steps."""
    sts = []
    while (step := back[state]) is not None:
        if len(sts) == max_length:
            return None
        state, st = step
        sts.append(st)
    return tuple(reversed(sts))
