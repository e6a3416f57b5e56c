/* mechkg HTML view: builds the network, legend, filters, search, info panel and guided tour from the embedded JSON.
   Every text that comes from the data is put on the page with textContent / text nodes, never as markup. */
(function () {
  "use strict";
  const T0 = performance.now();
  const DATA = JSON.parse(document.getElementById("kg-data").textContent);
  // vis-network indexes entities and claims in plain objects keyed by id, where an id such as "constructor" or
  // "toString" finds Object.prototype's property instead of nothing, and the layout stops. Such ids are renamed here,
  // once, wherever the data names them (keys cannot contain ":", so "kg:constructor" is no one else's); what the page
  // shows, and its API, keep the key itself.
  const safeId = (id) => (typeof id === "string" && id in Object.prototype ? "kg:" + id : id);
  const keyOf = (id) => (typeof id === "string" && id.startsWith("kg:") ? id.slice(3) : id);
  const ID_FIELDS = new Set(["id", "from", "to", "focus", "statement", "subject", "object"]);
  const ID_LISTS = new Set(["nodes", "edges", "conflicts"]);
  (function renameIds(x, inTour) {
    for (const [k, v] of Object.entries(x)) {
      if (typeof v === "string") {
        if (ID_FIELDS.has(k) || (inTour && k === "key")) x[k] = safeId(v);
      } else if (Array.isArray(v) && ID_LISTS.has(k) && v.every((s) => typeof s === "string")) {
        x[k] = v.map(safeId);
      } else if (v && typeof v === "object") {
        renameIds(v, inTour || k === "tour");
      }
    }
  })(DATA, false);
  const OPTS = DATA.options;
  const MODE = DATA.meta.mode; // "graph" | "start" | "path"
  // which arrows carry their words: "all" (path view), "auto" (all while few are drawn, else the highlighted ones),
  // "highlighted"; placeLabels() then drops any that would cover an entity or another arrow's words
  const EDGE_LABELS = OPTS.edgeLabels;
  const AUTO_LABELS_MAX = 30;
  const visOptions = Object.assign({}, OPTS);
  delete visOptions.edgeLabels;
  // labels grow with the square root of an entity's number of claims: the hubs and the well-connected stay named
  // when zoomed out, the rest appear as one zooms in (a label is never drawn below a readable size)
  visOptions.nodes = Object.assign({}, OPTS.nodes, { scaling: Object.assign({}, OPTS.nodes.scaling, {
    customScalingFunction: (min, max, total, value) => (max === min ? 0.5 : Math.sqrt((value - min) / (max - min))) }) });
  const READABLE = OPTS.nodes.scaling.label.drawThreshold; // labels are drawn from READABLE - 1 px on screen
  const GROUP_MIN = 10;
  const LABELLED_MAX = 16; // a highlight of more arrows than this names none of them (they would overlap)

  const byId = (id) => document.getElementById(id);
  const nodeData = new Map(DATA.nodes.map((n) => [n.id, n]));
  const edgeData = new Map(DATA.edges.map((e) => [e.id, e]));
  const typeData = new Map(DATA.types.map((t) => [t.key, t]));
  const signData = new Map(DATA.signs.map((s) => [s.key, s]));
  const statusData = new Map(DATA.statuses.map((s) => [s.key, s]));
  const adjacency = new Map(DATA.nodes.map((n) => [n.id, []]));
  for (const e of DATA.edges) {
    if (adjacency.has(e.from)) adjacency.get(e.from).push(e.id);
    if (e.to !== e.from && adjacency.has(e.to)) adjacency.get(e.to).push(e.id);
  }
  const SIGN_CLASS = { "1": "up", "-1": "down", "0": "none" };
  const SIGN_GLYPH = { "1": "+", "-1": "−", "0": "·" };
  const SIGN_WORD = { "1": "increases", "-1": "decreases", "0": "no direction stated" };
  const DIM = { node: { background: "#eef0f3", border: "#c9ced6" }, font: "#9aa1ab", edge: "#e1e4e8" };
  const glossary = new Map();
  for (const t of DATA.glossary || []) {
    for (const w of [t.term, ...t.also]) glossary.set(w.toLowerCase(), t);
  }

  /** Create an element; children that are strings become text nodes (never parsed as HTML). */
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  /** Replace an element's children, skipping the null / false ones that conditional parts leave. */
  function put(target, ...kids) {
    target.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
  }

  // --- glossary words: a button that explains itself ------------------------------------------------------------
  const pop = byId("term-pop");
  let popFor = null;
  function hideTerm() {
    pop.hidden = true;
    if (popFor) popFor.setAttribute("aria-expanded", "false");
    popFor = null;
  }
  function showTerm(button, entry) {
    if (popFor === button) { hideTerm(); return; }
    hideTerm();
    pop.replaceChildren(el("strong", {}, entry.term), " — ", entry.plain);
    pop.hidden = false;
    const r = button.getBoundingClientRect();
    const w = Math.min(320, window.innerWidth - 16);
    pop.style.width = w + "px";
    pop.style.left = Math.max(8, Math.min(r.left, window.innerWidth - w - 8)) + "px";
    pop.style.top = (r.bottom + window.scrollY + 4) + "px";
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-describedby", "term-pop");
    popFor = button;
  }
  /** A glossary word as a button that shows its plain explanation; plain text when the glossary lacks it. */
  function term(word, text) {
    const entry = glossary.get(String(word).toLowerCase());
    if (!entry) return text || word;
    return el("button", { type: "button", class: "term", "aria-expanded": "false", "data-term": entry.term,
      onclick: (ev) => { ev.stopPropagation(); showTerm(ev.currentTarget, entry); } }, text || word);
  }
  document.addEventListener("click", (ev) => { if (popFor && !pop.contains(ev.target)) hideTerm(); });

  // --- vis items ----------------------------------------------------------------------------------------------
  function nodeStyle(n) {
    return {
      id: n.id,
      color: { background: n.color, border: n.border, highlight: { background: n.color, border: "#111" },
               hover: { background: n.color, border: "#111" } },
      font: { color: "#1d2430" },
    };
  }
  function dimNodeStyle(n) {
    return { id: n.id, color: { background: DIM.node.background, border: DIM.node.border,
             highlight: { background: n.color, border: "#111" }, hover: { background: n.color, border: "#111" } },
             font: { color: DIM.font } };
  }
  function edgeStyle(e, strong) {
    const item = { id: e.id, color: { color: e.color, highlight: e.color, hover: e.color, inherit: false, opacity: e.opacity },
                   width: strong ? e.width + 2 : e.width, font: { color: "#3b414a", background: OPTS.edges.font.background } };
    return item;
  }
  function dimEdgeStyle(e) {
    // a faded arrow keeps no words: they would be grey on white, and crowd the ones that matter
    const item = { id: e.id, color: { color: DIM.edge, highlight: e.color, hover: e.color, inherit: false, opacity: 1 },
                   width: 1, font: { color: "rgba(0,0,0,0)", background: "rgba(0,0,0,0)" } };
    return item;
  }
  function visNode(n) {
    const item = Object.assign(nodeStyle(n), { label: n.label, shape: n.shape });
    if (MODE === "graph") item.value = n.degree + 1; // labels and shapes grow with the number of claims
    if (DATA.meta.focus === n.id || isEndpoint(n.id)) {
      item.size = (OPTS.nodes.size || 16) * 1.5;
      item.borderWidth = 3;
      item.font = { color: "#1d2430", bold: true };
    }
    if (n.type === "AdverseEffect") item.shapeProperties = { borderDashes: [3, 2] };
    if (typeof n.x === "number") { item.x = n.x; item.y = n.y; }
    return item;
  }
  function visEdge(e) {
    const item = Object.assign(edgeStyle(e, false), {
      from: e.from, to: e.to, dashes: e.dashes, label: "",
      arrows: { to: { enabled: e.arrowOn, type: e.arrow, scaleFactor: e.arrow === "bar" ? 0.9 : 0.8 } },
    });
    if (e.smooth) item.smooth = e.smooth;
    return item;
  }
  function isEndpoint(id) {
    return DATA.paths.length > 0 && (id === DATA.paths[0].nodes[0] || id === DATA.paths[0].nodes.at(-1));
  }

  // --- state ----------------------------------------------------------------------------------------------------
  const state = {
    filters: {
      types: new Set(DATA.types.map((t) => t.key)),
      signs: new Set(DATA.signs.map((s) => s.key)),
      statuses: new Set(DATA.statuses.map((s) => s.key)),
      sources: new Set(DATA.sources.map((s) => s.key)),
    },
    // which entities the reader has brought into view (the start view begins with a few; the rest are a click away)
    revealed: new Set(MODE === "start" ? DATA.meta.start : nodeData.keys()),
    opened: new Set(), // types whose group the reader opened
    groupOf: new Map(), // entity → group node id, while its type is collapsed
    visibleNodes: new Set(),
    visibleEdges: new Set(),
    highlight: null, // {nodes: Set, edges: Set, why: string}
    pinned: null, // {kind: "node"|"edge", id}
    pinnedChain: null,
    focused: null,
    keyFocus: null, // the entity the keyboard is on
    tour: null, // {chain, step}
    stabilized: false,
    timing: { start: T0 },
  };
  const known = new Map(); // entity → {x, y}: where it was last drawn (so that hiding and showing keeps the layout)
  for (const n of DATA.nodes) if (typeof n.x === "number") known.set(n.id, { x: n.x, y: n.y });

  const nodes = new vis.DataSet(DATA.nodes.map(visNode));
  const edges = new vis.DataSet(DATA.edges.map(visEdge));
  const nodesView = new vis.DataView(nodes, { filter: (item) => state.visibleNodes.has(item.id) });
  const edgesView = new vis.DataView(edges, { filter: (item) => state.visibleEdges.has(item.id) });

  function narrowed() {
    const f = state.filters;
    return f.signs.size < DATA.signs.length || f.statuses.size < DATA.statuses.length ||
      f.sources.size < DATA.sources.length;
  }
  function passes(e, f) {
    return f.signs.has(String(e.sign)) && f.statuses.has(e.status) &&
      (!e.sources.length || e.sources.some((s) => f.sources.has(s)));
  }
  /** Entities of the tour's current chain and the searched one: never folded into a group. */
  function exempt() {
    const keep = new Set();
    if (DATA.meta.focus) keep.add(DATA.meta.focus);
    if (state.tour) for (const id of tourChain().nodes) keep.add(id);
    if (state.pinned && state.pinned.kind === "node") keep.add(state.pinned.id);
    if (state.keyFocus) keep.add(state.keyFocus);
    return keep;
  }

  /** Recompute which entities, groups and claims are drawn (reveal, filters, groups), then draw them. */
  function refresh() {
    const f = state.filters;
    const typeOk = new Set();
    for (const n of DATA.nodes) if (state.revealed.has(n.id) && f.types.has(n.type)) typeOk.add(n.id);
    const touched = new Set();
    const passing = [];
    for (const e of DATA.edges) {
      if (!typeOk.has(e.from) || !typeOk.has(e.to) || !passes(e, f)) continue;
      passing.push(e);
      touched.add(e.from);
      touched.add(e.to);
    }
    const keepAll = !narrowed();
    const shown = [...typeOk].filter((id) => keepAll || touched.has(id));
    // groups: many entities of one type fold into one node, unless the reader opened them
    state.groupOf = new Map();
    if (DATA.meta.groups) {
      const keep = exempt();
      const byType = new Map();
      for (const id of shown) {
        if (keep.has(id)) continue;
        const t = nodeData.get(id).type;
        if (!byType.has(t)) byType.set(t, []);
        byType.get(t).push(id);
      }
      for (const [t, members] of byType) {
        if (members.length >= GROUP_MIN && !state.opened.has(t)) for (const id of members) state.groupOf.set(id, "group:" + t);
      }
    }
    const vn = new Set();
    for (const id of shown) vn.add(state.groupOf.get(id) || id);
    const ve = new Set();
    const groupEdges = new Map();
    for (const e of passing) {
      const a = state.groupOf.get(e.from) || e.from;
      const b = state.groupOf.get(e.to) || e.to;
      if (a === e.from && b === e.to) { ve.add(e.id); continue; }
      if (a === b) continue;
      const key = `gedge:${a}|${b}|${e.sign}`;
      if (!groupEdges.has(key)) groupEdges.set(key, { id: key, from: a, to: b, sign: e.sign, claims: [] });
      groupEdges.get(key).claims.push(e.id);
    }
    syncGroups(vn, groupEdges);
    for (const key of groupEdges.keys()) ve.add(key);
    state.visibleNodes = vn;
    state.visibleEdges = ve;
    // entities drawn again start where they were (their places live in `known`, not in the data set)
    if (state.created) {
      const back = [];
      for (const id of vn) if (!network.body.nodes[id] && known.has(id)) back.push({ id, ...known.get(id) });
      if (back.length) nodes.update(back);
    }
    placeNew(); // before the view shows them: new entities start where their neighbours are
    nodesView.refresh();
    edgesView.refresh();
    updateCounts();
    updateBadges();
    if (state.highlight) redrawHighlight();
    else placeLabels();
    const unplaced = [...vn].filter((id) => !state.placedBefore.has(id));
    state.placedBefore = new Set([...state.placedBefore, ...vn]);
    if (state.stabilized && unplaced.length && MODE !== "path") relax(unplaced);
  }
  state.placedBefore = new Set();

  /** Group nodes and their aggregated arrows, added to or removed from the data sets as groups form and open. */
  const groupInfo = new Map(); // group id → {type, members}
  const groupEdgeInfo = new Map(); // group edge id → {sign, claims}
  function syncGroups(vn, groupEdges) {
    const members = new Map();
    for (const [id, g] of state.groupOf) {
      if (!members.has(g)) members.set(g, []);
      members.get(g).push(id);
    }
    const addNodes = [];
    const updNodes = [];
    for (const [g, ms] of members) {
      const t = typeData.get(g.slice(6));
      const label = `${ms.length} ${t.label === "phenotypic feature" ? "features" : plural(t.label)}\n(open ⊕)`;
      const had = groupInfo.get(g);
      groupInfo.set(g, { type: t.key, members: ms });
      if (!known.has(g)) {
        const pts = ms.map((id) => known.get(id)).filter(Boolean);
        if (pts.length) known.set(g, centroid(pts));
      }
      const item = { id: g, label, shape: t.shape, size: 26, borderWidth: 3,
        color: { background: t.color, border: t.border, highlight: { background: t.color, border: "#111" },
                 hover: { background: t.color, border: "#111" } },
        font: { color: "#1d2430", bold: true }, shapeProperties: { borderDashes: [6, 3] } };
      if (known.has(g)) Object.assign(item, known.get(g));
      if (!nodes.get(g)) addNodes.push(item);
      else if (!had || had.members.length !== ms.length) updNodes.push({ id: g, label });
    }
    for (const g of [...groupInfo.keys()]) {
      if (!members.has(g)) { groupInfo.delete(g); if (nodes.get(g)) nodes.remove(g); }
    }
    if (addNodes.length) nodes.add(addNodes);
    if (updNodes.length) nodes.update(updNodes);
    const have = new Set(groupEdgeInfo.keys());
    const addEdges = [];
    for (const [key, ge] of groupEdges) {
      const sign = signData.get(String(ge.sign));
      groupEdgeInfo.set(key, ge);
      const width = Math.min(1.5 + Math.log2(ge.claims.length), 6);
      const item = { id: key, from: ge.from, to: ge.to, width, dashes: false,
        color: { color: sign.color, highlight: sign.color, hover: sign.color, inherit: false, opacity: 1 },
        arrows: { to: { enabled: true, type: sign.arrow, scaleFactor: 0.9 } }, label: "" };
      if (!edges.get(key)) addEdges.push(item);
      else edges.update({ id: key, width });
      have.delete(key);
    }
    for (const key of have) { groupEdgeInfo.delete(key); edges.remove(key); }
    if (addEdges.length) edges.add(addEdges);
  }
  function plural(word) {
    return /(s|x|ch|sh)$/.test(word) ? word + "es" : /[^aeiou]y$/.test(word) ? word.slice(0, -1) + "ies" : word + "s";
  }
  function centroid(pts) {
    return { x: pts.reduce((a, p) => a + p.x, 0) / pts.length, y: pts.reduce((a, p) => a + p.y, 0) / pts.length };
  }

  /** Neighbours of an entity or group among the drawn ones. */
  function drawnNeighbours(id) {
    const out = new Set();
    const members = groupInfo.has(id) ? groupInfo.get(id).members : [id];
    for (const m of members) {
      for (const eid of adjacency.get(m) || []) {
        const e = edgeData.get(eid);
        for (const other of [e.from, e.to]) {
          const shown = state.groupOf.get(other) || other;
          if (shown !== id && state.visibleNodes.has(shown)) out.add(shown);
        }
      }
    }
    return out;
  }
  /** Give entities about to be drawn for the first time a place near their drawn neighbours (or their group). */
  function placeNew() {
    const updates = [];
    let i = 0;
    for (const id of state.visibleNodes) {
      if (known.has(id)) continue;
      const near = [...drawnNeighbours(id)].map((o) => known.get(o)).filter(Boolean);
      const was = state.lastGroup && state.lastGroup.get(id);
      const anchor = was && known.has(was) ? known.get(was) : near.length ? centroid(near) : null;
      if (!anchor) continue; // physics will place it (a first layout)
      const angle = 2.39996 * i++; // golden angle: a spiral that never stacks two in one place
      const r = 90 + 14 * Math.sqrt(i);
      const p = { x: anchor.x + r * Math.cos(angle), y: anchor.y + r * Math.sin(angle) };
      known.set(id, p);
      updates.push({ id, x: p.x, y: p.y });
    }
    if (updates.length) nodes.update(updates);
  }
  /** Let physics place new entities while everything already drawn stays where it is; then stop physics again. */
  function relax(newIds, iterations = 160) {
    const stay = [...state.visibleNodes].filter((id) => !newIds.includes(id));
    nodes.update(stay.map((id) => ({ id, fixed: { x: true, y: true } })));
    byId("loading").hidden = false;
    byId("loading").textContent = "Placing the new entities…";
    network.setOptions({ physics: { enabled: true, stabilization: { enabled: false, fit: false } } });
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: { enabled: false } });
      nodes.update(stay.map((id) => ({ id, fixed: { x: false, y: false } })));
      rememberPositions();
      separateLabels(60, 150, newIds, () => {
        byId("loading").hidden = true;
        fitReadable(true);
        placeLabels();
      });
    });
    network.stabilize(iterations);
  }
  /** Remember where every drawn entity is, so that a filter undone puts it back in the same place (refresh hands
      these places to the entities it draws again). */
  function rememberPositions(ids) {
    const list = ids || nodesView.getIds();
    const pos = network.getPositions(list);
    for (const id of list) if (pos[id]) known.set(id, { x: pos[id].x, y: pos[id].y });
  }
  /** Move drawn entities (one redraw for all; a data-set update would re-measure every label: 0.3 s for 1,000). */
  function moveEntities(moves) {
    for (const m of moves) {
      known.set(m.id, { x: m.x, y: m.y });
      const N = network.body.nodes[m.id];
      if (N) { N.x = m.x; N.y = m.y; }
    }
    if (moves.length) network.redraw();
  }

  function resetFilters() {
    for (const box of document.querySelectorAll("#left input[type=checkbox]")) box.checked = true;
    state.filters.types = new Set(DATA.types.map((t) => t.key));
    state.filters.signs = new Set(DATA.signs.map((s) => s.key));
    state.filters.statuses = new Set(DATA.statuses.map((s) => s.key));
    state.filters.sources = new Set(DATA.sources.map((s) => s.key));
    refresh();
  }
  function updateCounts() {
    let n = 0;
    for (const id of state.visibleNodes) n += groupInfo.has(id) ? groupInfo.get(id).members.length : 1;
    let m = 0;
    for (const id of state.visibleEdges) m += groupEdgeInfo.has(id) ? groupEdgeInfo.get(id).claims.length : 1;
    byId("counts").textContent = `showing ${n} of ${DATA.nodes.length} entities · ${m} of ${DATA.edges.length} claims`;
  }
  /** How many neighbours of an entity are not drawn yet (shown as "+N" in its label, in the start view). */
  function hiddenNeighbours(id) {
    let n = 0;
    const seen = new Set();
    for (const eid of adjacency.get(id) || []) {
      const e = edgeData.get(eid);
      const other = e.from === id ? e.to : e.from;
      if (!state.revealed.has(other) && !seen.has(other)) { seen.add(other); n++; }
    }
    return n;
  }
  const badged = new Map();
  function updateBadges() {
    if (MODE !== "start") return;
    const updates = [];
    for (const id of state.visibleNodes) {
      if (!nodeData.has(id)) continue;
      const n = hiddenNeighbours(id);
      if ((badged.get(id) || 0) === n) continue;
      badged.set(id, n);
      updates.push({ id, label: n ? `${nodeData.get(id).label}\n⊕ ${n} more` : nodeData.get(id).label });
    }
    if (updates.length) nodes.update(updates);
  }

  /** Bring entities into view (their neighbours' places first, physics for the rest). */
  function reveal(ids) {
    let added = false;
    for (const id of ids) if (!state.revealed.has(id)) { state.revealed.add(id); added = true; }
    if (added) refresh();
    return added;
  }
  /** Show what an entity connects to (or open a group). */
  function expand(id) {
    if (groupInfo.has(id)) return openGroup(groupInfo.get(id).type);
    const more = [];
    for (const eid of adjacency.get(id) || []) {
      const e = edgeData.get(eid);
      more.push(e.from === id ? e.to : e.from);
    }
    return reveal(more);
  }
  function openGroup(type) {
    state.lastGroup = new Map([...state.groupOf].filter(([, g]) => g === "group:" + type));
    state.opened.add(type);
    refresh();
    return true;
  }
  function closeGroup(type) {
    state.opened.delete(type);
    refresh();
  }

  // --- highlight ----------------------------------------------------------------------------------------------
  // How each item is drawn now ("base" | "dim" | "strong" | "lit"), so that a highlight updates only what changes.
  const drawnAs = { nodes: new Map(), edges: new Map() };
  // Above this many entities, fading the rest costs too much per hover: the highlight becomes a selection.
  const FADE_LIMIT = 300;

  /** Keep the given entities and claims in full colour (strong: wider; the `soft` ones in plain colour) and fade
      the rest; null restores everything. */
  function highlight(keepNodes, keepEdges, why, strong, soft) {
    state.highlight = keepNodes ? { nodes: keepNodes, edges: keepEdges, why, strong, soft } : null;
    redrawHighlight();
  }
  function redrawHighlight() {
    const h = state.highlight;
    if (DATA.nodes.length > FADE_LIMIT) {
      network.setSelection({ nodes: h ? [...h.nodes].filter((id) => state.visibleNodes.has(id)) : [],
        edges: h ? [...h.edges].filter((id) => state.visibleEdges.has(id)) : [] },
        { unselectAll: true, highlightEdges: false });
      placeLabels();
      return;
    }
    const softNodes = (h && h.soft && h.soft.nodes) || new Set();
    const softEdges = (h && h.soft && h.soft.edges) || new Set();
    const shownNodes = (id) => (h ? h.nodes.has(id) || softNodes.has(id) ||
      (groupInfo.has(id) && groupInfo.get(id).members.some((m) => h.nodes.has(m))) : true);
    const nodeUpdates = [];
    for (const n of DATA.nodes) {
      const want = shownNodes(n.id) ? "base" : "dim";
      if ((drawnAs.nodes.get(n.id) || "base") !== want) {
        drawnAs.nodes.set(n.id, want);
        nodeUpdates.push(want === "dim" ? dimNodeStyle(n) : nodeStyle(n));
      }
    }
    for (const [g, info] of groupInfo) {
      const t = typeData.get(info.type);
      const dim = !shownNodes(g);
      nodeUpdates.push({ id: g, color: { background: dim ? DIM.node.background : t.color, border: dim ? DIM.node.border : t.border },
                         font: { color: dim ? DIM.font : "#1d2430" } });
    }
    const edgeUpdates = [];
    for (const e of DATA.edges) {
      const want = !h ? "base" : h.edges.has(e.id) ? (h.strong ? "strong" : "lit") : softEdges.has(e.id) ? "base" : "dim";
      if ((drawnAs.edges.get(e.id) || "base") !== want || (want === "strong" || want === "lit")) {
        drawnAs.edges.set(e.id, want);
        edgeUpdates.push(want === "dim" ? dimEdgeStyle(e) : edgeStyle(e, want === "strong"));
      }
    }
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    placeLabels();
  }

  // --- words on arrows: only where they cover neither an entity nor other words ------------------------------
  const labelled = new Map(); // edge → the words it shows now
  const measure = document.createElement("canvas").getContext("2d");
  function edgeWords(id) {
    if (groupEdgeInfo.has(id)) {
      const ge = groupEdgeInfo.get(id);
      return `${SIGN_GLYPH[String(ge.sign)]} ${ge.claims.length} claims`;
    }
    return edgeData.get(id).label;
  }
  /** The arrows that should carry words now, most important first. */
  function wantedLabels() {
    const h = state.highlight;
    const drawn = edgesView.getIds();
    if (h) {
      const lit = drawn.filter((id) => h.edges.has(id) || (groupEdgeInfo.has(id) &&
        groupEdgeInfo.get(id).claims.some((c) => h.edges.has(c))));
      if (lit.length <= LABELLED_MAX) return lit;
      return [];
    }
    if (EDGE_LABELS === "all" || (EDGE_LABELS === "auto" && drawn.length <= AUTO_LABELS_MAX)) {
      const rank = new Map();
      if (DATA.tour) DATA.tour.chains.forEach((c) => c.edges.forEach((id) => { if (!rank.has(id)) rank.set(id, rank.size); }));
      return drawn.slice().sort((a, b) => (rank.has(a) ? rank.get(a) : 1e9) - (rank.has(b) ? rank.get(b) : 1e9));
    }
    return [];
  }
  /** Boxes (canvas units) of every drawn entity's shape and, apart from it, of its name. */
  function partBoxes() {
    const out = [];
    for (const id of nodesView.getIds()) {
      const N = network.body.nodes[id];
      if (!N) continue;
      const r = N.shape && N.shape.width ? N.shape.width / 2 : (N.options.size || 16);
      out.push({ l: N.x - r, r: N.x + r, t: N.y - r, b: N.y + r });
      const L = N.labelModule && N.labelModule.size;
      if (L && L.width) out.push({ l: L.left, r: L.left + L.width, t: L.top, b: L.top + L.height });
    }
    return out;
  }
  /** Give the wanted arrows their words, dropping those whose words would overlap an entity or other words. */
  function placeLabels() {
    if (!state.stabilized) return; // (also: the network does not exist yet)
    const size = OPTS.edges.font.size;
    measure.font = `${size}px ${OPTS.edges.font.face}`;
    const taken = partBoxes();
    const hit = (a) => taken.some((b) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b);
    const want = new Map();
    for (const id of wantedLabels()) {
      const E = network.body.edges[id];
      if (!E || !E.connected) continue;
      const text = edgeWords(id);
      const m = E.edgeType.getPoint(0.5);
      const w = measure.measureText(text).width / 2 + 3;
      const box = { l: m.x - w, r: m.x + w, t: m.y - size * 0.65, b: m.y + size * 0.65 };
      if (hit(box)) continue;
      taken.push(box);
      want.set(id, text);
    }
    const updates = [];
    for (const [id, text] of labelled) {
      if (!want.has(id) && edges.get(id)) updates.push({ id, label: "" });
    }
    for (const [id, text] of want) if (labelled.get(id) !== text) updates.push({ id, label: text });
    labelled.clear();
    for (const [id, text] of want) labelled.set(id, text);
    if (updates.length) edges.update(updates);
  }
  /** Pairs of drawn words (entity names and arrow words) that overlap: none, if placeLabels did its job. */
  function labelOverlaps() {
    const size = OPTS.edges.font.size;
    measure.font = `${size}px ${OPTS.edges.font.face}`;
    const boxes = partBoxes();
    for (const [id, text] of labelled) {
      const E = network.body.edges[id];
      if (!E || !E.connected) continue;
      const m = E.edgeType.getPoint(0.5);
      const w = measure.measureText(text).width / 2;
      boxes.push({ l: m.x - w, r: m.x + w, t: m.y - size / 2, b: m.y + size / 2 });
    }
    let n = 0;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) n++;
      }
    }
    return n;
  }
  function highlightNeighbourhood(id) {
    const ns = new Set([id]);
    const es = new Set();
    const members = groupInfo.has(id) ? groupInfo.get(id).members : [id];
    for (const m of members) {
      ns.add(m);
      for (const eid of adjacency.get(m) || []) {
        const e = edgeData.get(eid);
        const a = state.groupOf.get(e.from) || e.from;
        const b = state.groupOf.get(e.to) || e.to;
        if (!state.visibleEdges.has(eid) && !(groupEdgeInfo.has(`gedge:${a}|${b}|${e.sign}`))) continue;
        es.add(eid);
        ns.add(e.from);
        ns.add(e.to);
      }
    }
    highlight(ns, es, "neighbourhood", false);
  }
  function highlightChain(i) {
    const p = DATA.paths[i];
    highlight(new Set(p.nodes), new Set(p.edges), "chain " + (i + 1), true);
  }
  function restoreBaseHighlight() {
    if (state.tour) highlightTourStep();
    else if (state.pinnedChain !== null) highlightChain(state.pinnedChain);
    else if (state.pinned && state.pinned.kind === "node") highlightNeighbourhood(state.pinned.id);
    else if (state.pinned && state.pinned.kind === "edge" && edgeData.has(state.pinned.id)) {
      const e = edgeData.get(state.pinned.id);
      highlight(new Set([e.from, e.to]), new Set([e.id]), "claim", true);
    } else highlight(null);
  }

  // --- the info panel -----------------------------------------------------------------------------------------
  const info = byId("info");
  function swatch(t) {
    const s = el("span", { class: "swatch shape-" + t.shape, "aria-hidden": "true" });
    s.style.background = t.color;
    s.style.borderColor = t.border;
    return s;
  }
  function signSpan(sign) {
    return el("span", { class: "sign " + SIGN_CLASS[String(sign)] }, SIGN_GLYPH[String(sign)] + " ",
      term(SIGN_WORD[String(sign)]));
  }
  function statusFlag(status) {
    return status === "asserted" ? null : el("span", { class: "flag " + status }, status);
  }
  function nodeButton(id) {
    const n = nodeData.get(id);
    return el("button", { class: "link", type: "button", onclick: () => focusNode(id) }, n ? n.label : id);
  }
  /** A claim in a list: its sign as a glyph in a column of its own, the sentence wrapping beside it. */
  function claimItem(e) {
    return el("li", { class: "claim" },
      el("span", { class: "glyph sign " + SIGN_CLASS[String(e.sign)], title: SIGN_WORD[String(e.sign)] }, SIGN_GLYPH[String(e.sign)]),
      el("span", {}, el("button", { class: "link", type: "button", onclick: () => selectEdge(e.id) }, e.sentence),
        statusFlag(e.status) ? [" ", statusFlag(e.status)] : null));
  }
  function showIntro() {
    const parts = [
      el("h3", {}, MODE === "path" ? "Reading this view" : MODE === "start" ? "Start here" : "Exploring the graph"),
    ];
    if (MODE === "start") {
      parts.push(el("p", {}, "This is where the documents say the drug acts, and the chain of claims from there " +
        "to the illness it treats. Everything else is a click away."));
      parts.push(el("p", {}, "Double-click an entity, or select it and press +, to show what it connects to. " +
        "A shape with a thick dashed border stands for a group, such as all the symptoms: open it the same way."));
    }
    parts.push(
      el("p", {}, "Click an entity (a shape) or a ", term("claim", "claim"), " (an arrow) to see what it is and the ",
        term("quote", "quotes"), " it rests on. Hovering shows the same for a moment."),
      el("p", {}, "Arrows show a ", term("sign"), ": ", el("span", { class: "sign up" }, "+ pointed arrows"), " mean ",
        term("increases", "“increases”"), ", ", el("span", { class: "sign down" }, "− arrows ending in a bar ⊣"), " mean ",
        term("decreases", "“decreases”"), ", grey ones ", term("no direction stated", "state no direction"), ". " +
        "Dashed arrows are ", term("disputed"), "; pale ones ", term("hedged"), "."),
    );
    if (MODE === "path") {
      parts.push(el("p", {}, "Each chain on the left is one way the first entity changes the last one. " +
        "Multiply the signs along a chain: two decreases make an increase (the ", term("net effect"), ")."));
      if (DATA.meta.effect) {
        parts.push(el("p", {}, "Overall: ", el("strong", { class: "effect-" + DATA.meta.effect.split(" ")[0] },
          DATA.meta.verdict || DATA.meta.effect), "."));
      }
      for (const note of DATA.meta.resolved || []) parts.push(el("p", { class: "muted" }, "Name taken as: " + note));
    } else {
      parts.push(el("p", {}, "Use the search box to find an entity by name or synonym, and the boxes on the left " +
        "to show only some types, signs, statuses or documents."));
    }
    if (DATA.tour) {
      parts.push(el("p", {}, el("button", { type: "button", class: "primary", onclick: () => tourStart(0) },
        "▶ Take the guided tour"), " ", el("span", { class: "muted" }, DATA.tour.question)));
    }
    put(info, el("div", { class: "intro" }, parts));
  }
  function showGroup(id) {
    const g = groupInfo.get(id);
    const t = typeData.get(g.type);
    put(info,
      el("h3", { id: "info-title" }, `${g.members.length} ${plural(t.label)}`),
      el("p", { class: "kind" }, swatch(t), term(t.label)),
      el("p", {}, t.plain || t.definition),
      el("p", {}, el("button", { type: "button", class: "primary", onclick: () => openGroup(g.type) },
        `Show all ${g.members.length} separately`)),
      el("ul", { class: "plain-list" }, g.members.map((m) => el("li", {}, nodeButton(m)))),
    );
  }
  function showNode(id) {
    if (groupInfo.has(id)) return showGroup(id);
    const n = nodeData.get(id);
    if (!n) return;
    const t = typeData.get(n.type) || n;
    const out = DATA.edges.filter((e) => e.from === id && state.visibleEdges.has(e.id));
    const inc = DATA.edges.filter((e) => e.to === id && e.from !== id && state.visibleEdges.has(e.id));
    const hidden = DATA.edges.filter((e) => (e.from === id || e.to === id) && !state.visibleEdges.has(e.id)).length;
    const ids = n.ids.length
      ? el("ul", {}, n.ids.map((x) => el("li", {}, x.curie, x.match === "exact" ? "" : ` (${x.match} match)`)))
      : el("span", { class: "muted" }, "none recorded");
    const more = hiddenNeighbours(id);
    const group = DATA.meta.groups && state.opened.has(n.type);
    put(info,
      el("h3", { id: "info-title" }, n.label),
      el("p", { class: "kind" }, swatch(t), term(n.typeLabel)),
      n.plain ? el("p", { class: "plain" }, n.plain) : null,
      n.quote ? el("blockquote", { class: "best" }, el("p", { class: "quote" }, "“", n.quote.quote, "”"),
        el("cite", {}, "— ", n.quote.title)) : null,
      (MODE === "start" || DATA.meta.groups) && more ? el("p", {}, el("button", { type: "button",
        onclick: () => expand(id) }, `⊕ Show what it connects to (${more} more)`)) : null,
      group ? el("p", {}, el("button", { type: "button", onclick: () => closeGroup(n.type) },
        `Fold the ${plural(n.typeLabel)} back into one`)) : null,
      el("dl", {},
        el("dt", {}, `Claims from it (${out.length})`),
        el("dd", {}, out.length ? el("ul", { class: "claims" }, out.map(claimItem)) : "none shown"),
        el("dt", {}, `Claims about it (${inc.length})`),
        el("dd", {}, inc.length ? el("ul", { class: "claims" }, inc.map(claimItem)) : "none shown"),
        hidden ? el("dd", { class: "muted" }, `${hidden} more claim${hidden === 1 ? "" : "s"} not drawn (hidden or filtered)`) : null,
        n.synonyms.length ? [el("dt", {}, "Also called"), el("dd", {}, n.synonyms.join(", "))] : null,
        el("dt", {}, "Definition"), el("dd", {}, n.definition || el("span", { class: "muted" }, "none yet")),
      ),
      el("details", { class: "tech" }, el("summary", {}, "Technical details"),
        el("dl", {},
          el("dt", {}, term("standard ID", "Standard IDs")), el("dd", {}, ids),
          n.category ? [el("dt", {}, "Category for other tools (Biolink)"), el("dd", {}, n.category.replace(/^biolink:/, ""))] : null,
          el("dt", {}, "Key"), el("dd", { class: "muted" }, keyOf(n.id)))),
    );
  }
  function showEdge(id) {
    if (groupEdgeInfo.has(id)) return showGroupEdge(id);
    const e = edgeData.get(id);
    if (!e) return;
    const quotes = e.evidence.map((ev) =>
      el("blockquote", {}, el("p", { class: "quote" }, "“", ev.quote, "”"),
        el("cite", {}, "— ", ev.title, ev.file ? ` (${ev.file})` : "")));
    const st = statusData.get(e.status) || {};
    put(info,
      el("h3", { id: "info-title" }, e.sentence),
      el("p", { class: "kind" }, signSpan(e.sign), el("span", {}, ` · ${e.predicateLabel}`), statusFlag(e.status)),
      el("dl", {},
        el("dt", {}, "From → to"), el("dd", {}, nodeButton(e.from), " → ", nodeButton(e.to)),
        el("dt", {}, "How sure"),
        el("dd", {}, term(e.status), el("span", { class: "muted" }, ` — ${st.plain || st.help || ""}`)),
        e.qualifiers.length ? [el("dt", {}, "Details"), el("dd", {}, el("ul", {}, e.qualifiers.map((q) => el("li", {}, q))))] : null,
        e.note ? [el("dt", {}, "Curator's note"), el("dd", {}, e.note)] : null,
        el("dt", {}, `Evidence (${e.evidence.length} quote${e.evidence.length === 1 ? "" : "s"})`),
        el("dd", { id: "evidence" }, quotes),
        e.conflicts.length ? [el("dt", {}, "Conflicts with"), el("dd", {}, el("ul", { class: "claims" }, e.conflicts.map((c) =>
          edgeData.has(c) ? claimItem(edgeData.get(c)) : el("li", {}, c))))] : null,
        el("dt", {}, "Statement"), el("dd", { class: "muted" }, keyOf(e.id)),
      ),
    );
  }
  function showGroupEdge(id) {
    const ge = groupEdgeInfo.get(id);
    put(info,
      el("h3", { id: "info-title" }, `${ge.claims.length} claims`),
      el("p", { class: "kind" }, signSpan(ge.sign)),
      el("ul", { class: "claims" }, ge.claims.map((c) => claimItem(edgeData.get(c)))),
    );
  }
  function showPinned() {
    const p = state.pinned;
    if (p && p.kind === "node") showNode(p.id);
    else if (p && p.kind === "edge") showEdge(p.id);
    else showIntro();
  }

  // --- network ------------------------------------------------------------------------------------------------
  const container = byId("network");
  // a chain wider than the screen at a readable zoom is drawn with its columns closer together (down to 3/4)
  if (MODE !== "graph" && known.size) {
    const xs = [...known.values()].map((q) => q.x);
    const min = Math.min(...xs);
    const span = Math.max(...xs) - min;
    const room = (container.clientWidth - 40) / ((READABLE + 1) / OPTS.nodes.font.size) - OPTS.nodes.widthConstraint.maximum;
    if (span > room) {
      const f = Math.max(room / span, 0.75);
      const upd = [];
      for (const [id, q] of known) {
        const r = { x: min + (q.x - min) * f, y: q.y };
        known.set(id, r);
        upd.push({ id, x: r.x, y: r.y });
      }
      nodes.update(upd);
    }
  }
  refreshVisibleOnly();
  const network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, visOptions);
  state.created = true;
  state.timing.created = performance.now();
  function refreshVisibleOnly() {
    // the first drawing: no relaxing, the layout (physics or given places) comes next
    const stabilized = state.stabilized;
    state.stabilized = false;
    refresh();
    state.stabilized = stabilized;
  }

  /** Shape-and-label boxes of the entities drawn (canvas units; fresh after a redraw). */
  function labelBoxes(only) {
    const all = nodesView.getIds();
    const pos = network.getPositions(all);
    return all.map((id) => {
      const b = network.getBoundingBox(id);
      const p = pos[id];
      return { id, x: p.x, y: p.y, l: b.left - p.x, r: b.right - p.x, t: b.top - p.y, b: b.bottom - p.y,
               movable: !only || only.includes(id) };
    });
  }
  /** Pairs of boxes that overlap by more than -pad, found by a sweep along x. */
  function findOverlaps(boxes, pad) {
    const sorted = boxes.slice().sort((a, b) => a.x + a.l - (b.x + b.l));
    const pairs = [];
    for (let i = 0; i < sorted.length; i++) {
      const A = sorted[i];
      for (let j = i + 1; j < sorted.length; j++) {
        const B = sorted[j];
        if (B.x + B.l >= A.x + A.r + pad) break;
        const ox = Math.min(A.x + A.r, B.x + B.r) - Math.max(A.x + A.l, B.x + B.l) + pad;
        const oy = Math.min(A.y + A.b, B.y + B.b) - Math.max(A.y + A.t, B.y + B.t) + pad;
        if (ox > 0 && oy > 0) pairs.push([A, B, ox, oy]);
      }
    }
    return pairs;
  }
  /** Push apart entities whose labels overlap, a little at a time, along the axis of least overlap; with `only`, just
      those entities move. Runs in slices of ~30 ms (input is answered between them) for at most `budgetMs`, then
      moves the entities in one batch and calls `done`. */
  function separateLabels(rounds = 150, budgetMs = 400, only = null, done = null) {
    const deadline = performance.now() + budgetMs;
    const boxes = labelBoxes(only);
    const moved = new Set();
    let round = 0;
    const slice = () => {
      const stop = Math.min(performance.now() + 30, deadline);
      for (; round < rounds && performance.now() < stop; round++) {
        const pairs = findOverlaps(boxes, 6);
        if (!pairs.length) { round = rounds; break; }
        for (const [a, b, ox, oy] of pairs) {
          const wa = a.movable ? (b.movable ? 0.5 : 1) : 0;
          const wb = b.movable ? (a.movable ? 0.5 : 1) : 0;
          if (!wa && !wb) continue;
          if (oy < ox) {
            const d = oy * (a.y <= b.y ? 1 : -1);
            a.y -= d * wa;
            b.y += d * wb;
          } else {
            const d = ox * (a.x <= b.x ? 1 : -1);
            a.x -= d * wa;
            b.x += d * wb;
          }
          if (wa) moved.add(a);
          if (wb) moved.add(b);
        }
      }
      if (round < rounds && performance.now() < deadline) { setTimeout(slice, 0); return; }
      // one batch update, one redraw; network.moveNode redraws the whole graph once per entity moved
      moveEntities([...moved].map((b) => ({ id: b.id, x: b.x, y: b.y })));
      if (done) done();
    };
    slice();
  }
  /** Fit the drawn entities to the screen, never so far in that a small view looks blown up; the first time, in the
      start and path views, never so far out that names drop below a readable size (the rest is a pan away). */
  function fitReadable(animate, first = false) {
    network.fit({ animation: false });
    let scale = network.getScale();
    const font = (MODE === "graph" ? OPTS.nodes.scaling.label.min : OPTS.nodes.font.size) || 14;
    const center = network.getViewPosition();
    const small = first && MODE !== "graph" && font * scale < READABLE + 0.5;
    if (scale <= 1.3 && !small) return; // (a second view change would cost a second drawing)
    if (scale > 1.3) scale = 1.3;
    if (small) {
      scale = (READABLE + 0.5) / font;
      const first = nodesView.getIds()[0];
      network.moveTo({ position: first ? network.getPositions([first])[first] : center, scale, animation: false });
    } else {
      network.moveTo({ position: center, scale, animation: animate ? { duration: 300 } : false });
    }
  }

  /** Layout done: physics off for good, labels pulled apart, view fitted, places remembered, focus shown. */
  function settled() {
    if (state.settling) return;
    state.settling = true;
    state.timing.layout = performance.now();
    network.setOptions({ physics: { enabled: false } });
    fitReadable(false, true); // before the drawing below: a later change of zoom would cost another full drawing
    // the next drawing (its own task, so that input is answered in between) sizes the labels for separateLabels
    network.once("afterDrawing", () => (MODE === "graph" ? setTimeout(() => separateLabels(150, 400, null, finish), 0) : finish()));
    setTimeout(() => network.redraw(), 0);
    function finish() {
      state.timing.separated = performance.now();
      rememberPositions();
      state.placedBefore = new Set(state.visibleNodes);
      byId("loading").hidden = true;
      state.stabilized = true;
      state.timing.stabilized = performance.now();
      if (DATA.meta.focus) {
        state.pinned = { kind: "node", id: DATA.meta.focus };
        network.selectNodes([DATA.meta.focus]);
        highlightNeighbourhood(DATA.meta.focus);
        showNode(DATA.meta.focus);
      }
      if (DATA.meta.tourOpen) tourStart(0);
      placeLabels();
    }
  }

  network.on("click", (p) => {
    hideTerm();
    if (p.nodes.length) {
      state.pinned = { kind: "node", id: p.nodes[0] };
      state.keyFocus = p.nodes[0];
      if (!state.tour) highlightNeighbourhood(p.nodes[0]);
    } else if (p.edges.length) {
      state.pinned = { kind: "edge", id: p.edges[0] };
      const e = edgeData.get(p.edges[0]);
      if (e && state.pinnedChain === null && !state.tour) highlight(new Set([e.from, e.to]), new Set([e.id]), "claim", true);
    } else {
      state.pinned = null;
      restoreBaseHighlight();
    }
    showPinned();
  });
  network.on("doubleClick", (p) => { if (p.nodes.length && MODE !== "path") expand(p.nodes[0]); });
  network.on("dragEnd", (p) => { if (p.nodes.length) rememberPositions(p.nodes); });
  network.on("hoverNode", (p) => {
    state.hovering = true;
    showNode(p.node);
    if (!state.tour && state.pinnedChain === null) highlightNeighbourhood(p.node);
  });
  network.on("hoverEdge", (p) => showEdge(p.edge));
  network.on("blurNode", () => { state.hovering = false; showPinned(); restoreBaseHighlight(); });
  network.on("blurEdge", showPinned);
  // the pointer leaving the graph ends a hover, as leaving an entity does
  container.addEventListener("mouseleave", () => { if (state.hovering) { state.hovering = false; showPinned(); restoreBaseHighlight(); } });
  // the keyboard's place: a dashed ring around the entity, drawn while the graph has the focus
  network.on("afterDrawing", (ctx) => {
    if (!state.keyFocus || document.activeElement !== container || !state.visibleNodes.has(state.keyFocus)) return;
    const b = network.getBoundingBox(state.keyFocus);
    const pad = 6 / network.getScale();
    ctx.save();
    ctx.strokeStyle = "#1d2430";
    ctx.lineWidth = 2 / network.getScale();
    ctx.setLineDash([5 / network.getScale(), 3 / network.getScale()]);
    ctx.strokeRect(b.left - pad, b.top - pad, b.right - b.left + 2 * pad, b.bottom - b.top + 2 * pad);
    ctx.restore();
  });

  /** Select an entity, show its card and make sure it is on screen (revealing it first if needed). */
  function focusNode(id, animate = true) {
    if (!nodeData.has(id)) return false;
    if (!state.revealed.has(id)) reveal([id]);
    if (!state.visibleNodes.has(id)) resetFilters();
    if (state.groupOf.has(id)) openGroup(nodeData.get(id).type);
    state.focused = null;
    state.pinned = { kind: "node", id };
    state.keyFocus = id;
    network.selectNodes([id]);
    if (!state.tour) highlightNeighbourhood(id);
    showNode(id);
    const done = () => { state.focused = id; };
    if (animate) {
      network.once("animationFinished", done);
      setTimeout(done, 900);
    }
    const font = MODE === "graph" ? OPTS.nodes.scaling.label.max : OPTS.nodes.font.size;
    network.focus(id, { scale: Math.max(network.getScale(), (READABLE + 1) / (font || 14)), locked: false,
                        animation: animate ? { duration: 450, easingFunction: "easeInOutQuad" } : false });
    if (!animate) done();
    return true;
  }
  /** Select a claim and show its evidence. */
  function selectEdge(id) {
    if (!edgeData.has(id)) return false;
    const e = edgeData.get(id);
    reveal([e.from, e.to]);
    if (!state.visibleEdges.has(id)) resetFilters();
    state.pinned = { kind: "edge", id };
    if (state.visibleEdges.has(id)) network.selectEdges([id]);
    if (state.pinnedChain === null && !state.tour) highlight(new Set([e.from, e.to]), new Set([id]), "claim", true);
    showEdge(id);
    return true;
  }

  // --- the keyboard on the graph: arrows walk to the nearest entity that way ---------------------------------------
  function inView(id) {
    const p = network.canvasToDOM(network.getPositions([id])[id]);
    return p.x > 20 && p.y > 20 && p.x < container.clientWidth - 20 && p.y < container.clientHeight - 20;
  }
  function keyMove(dx, dy) {
    const ids = nodesView.getIds();
    if (!ids.length) return;
    const pos = network.getPositions(ids);
    const from = state.keyFocus && pos[state.keyFocus] ? state.keyFocus : null;
    let best = null;
    if (!from) {
      best = DATA.meta.focus && pos[DATA.meta.focus] ? DATA.meta.focus : ids.slice().sort((a, b) => pos[a].x - pos[b].x || pos[a].y - pos[b].y)[0];
    } else {
      let bestScore = Infinity;
      for (const id of ids) {
        if (id === from) continue;
        const vx = pos[id].x - pos[from].x;
        const vy = pos[id].y - pos[from].y;
        const along = vx * dx + vy * dy;
        if (along <= 0) continue;
        const across = Math.abs(vx * dy - vy * dx);
        if (across > along * 2) continue;
        const score = along + 2 * across;
        if (score < bestScore) { bestScore = score; best = id; }
      }
    }
    if (!best) return;
    state.keyFocus = best;
    network.selectNodes([best]);
    showNode(best);
    if (!state.tour) highlightNeighbourhood(best);
    if (!inView(best)) network.moveTo({ position: pos[best], animation: { duration: 250 } });
    network.redraw();
  }
  container.addEventListener("keydown", (ev) => {
    const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (dirs[ev.key]) {
      ev.preventDefault();
      ev.stopPropagation();
      keyMove(...dirs[ev.key]);
    } else if ((ev.key === "Enter" || ev.key === " ") && state.keyFocus) {
      ev.preventDefault();
      state.pinned = { kind: "node", id: state.keyFocus };
      showNode(state.keyFocus);
    } else if ((ev.key === "+" || ev.key === "=") && state.keyFocus && MODE !== "path") {
      ev.preventDefault();
      expand(state.keyFocus);
    }
  });
  container.addEventListener("focus", () => { if (!state.keyFocus) keyMove(1, 0); else network.redraw(); });
  container.addEventListener("blur", () => network.redraw());

  // --- search -------------------------------------------------------------------------------------------------
  const norm = (s) => String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, " ").trim();
  const index = DATA.nodes.map((n) => ({
    id: n.id,
    names: [[n.label, 0, ""], [keyOf(n.id), 0, ""]]
      .concat(n.synonyms.map((s) => [s, 1, "synonym"]), n.ids.map((x) => [x.curie, 1, "ID"]))
      .map(([text, weight, kind]) => ({ key: norm(text), text, weight, kind })),
  }));
  /** Entities whose label, synonym, key or ID matches the query, best first. */
  function findNodes(query, limit = 10) {
    const q = norm(query);
    if (!q) return [];
    const hits = [];
    for (const entry of index) {
      let best = null;
      for (const name of entry.names) {
        let score = null;
        if (name.key === q) score = name.weight;
        else if (name.key.startsWith(q)) score = 2 + name.weight;
        else if ((" " + name.key).includes(" " + q)) score = 4 + name.weight;
        else if (name.key.includes(q)) score = 6 + name.weight;
        if (score !== null && (best === null || score < best.score)) best = { score, name };
      }
      if (best) hits.push({ id: entry.id, score: best.score, via: best.name });
    }
    hits.sort((a, b) => a.score - b.score || nodeData.get(a.id).label.length - nodeData.get(b.id).label.length ||
      nodeData.get(a.id).label.localeCompare(nodeData.get(b.id).label));
    return hits.slice(0, limit);
  }
  const searchBox = byId("search");
  const suggest = byId("suggest");
  let suggestions = [];
  let active = -1;
  function renderSuggestions() {
    suggest.replaceChildren(...suggestions.map((h, i) => {
      const n = nodeData.get(h.id);
      const why = h.via.kind ? `${h.via.kind}: ${h.via.text}` : n.typeLabel;
      return el("li", { role: "option", id: "suggest-" + i, "aria-selected": i === active ? "true" : "false",
                        onmousedown: (ev) => { ev.preventDefault(); choose(i); } },
        swatch(typeData.get(n.type) || n), el("span", {}, n.label), el("span", { class: "why" }, why));
    }));
    suggest.hidden = suggestions.length === 0;
    searchBox.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
    if (active >= 0 && suggestions.length) searchBox.setAttribute("aria-activedescendant", "suggest-" + active);
    else searchBox.removeAttribute("aria-activedescendant");
  }
  function choose(i) {
    const h = suggestions[i];
    if (!h) return;
    suggestions = [];
    renderSuggestions();
    searchBox.value = nodeData.get(h.id).label;
    byId("search-msg").textContent = h.via.kind ? `found by ${h.via.kind} “${h.via.text}”` : "";
    focusNode(h.id);
  }
  /** Find and focus the best match for a query; false when nothing matches. */
  function search(query) {
    const hits = findNodes(query);
    if (!hits.length) {
      byId("search-msg").textContent = `No entity matches “${query}”.`;
      return false;
    }
    suggestions = hits;
    choose(0);
    return true;
  }
  searchBox.addEventListener("input", () => {
    suggestions = findNodes(searchBox.value);
    active = suggestions.length ? 0 : -1;
    byId("search-msg").textContent = searchBox.value.trim() && !suggestions.length ? "No entity matches." : "";
    renderSuggestions();
  });
  searchBox.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!suggestions.length) return;
      ev.preventDefault();
      active = (active + (ev.key === "ArrowDown" ? 1 : -1) + suggestions.length) % suggestions.length;
      renderSuggestions();
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      if (suggestions.length) choose(Math.max(active, 0));
      else search(searchBox.value);
    } else if (ev.key === "Escape") {
      suggestions = [];
      renderSuggestions();
    }
  });
  searchBox.addEventListener("blur", () => { suggestions = []; renderSuggestions(); });

  // --- legend = filters ---------------------------------------------------------------------------------------
  function checkRow(set, key, parts, title, count) {
    const box = el("input", { type: "checkbox", checked: true });
    box.addEventListener("change", () => {
      if (box.checked) set().add(key);
      else set().delete(key);
      refresh();
    });
    return el("li", {}, el("label", { title: title || null }, box, parts, el("span", { class: "n" }, String(count))));
  }
  byId("legend-types").replaceChildren(...DATA.types.map((t) =>
    checkRow(() => state.filters.types, t.key, [swatch(t), el("span", { class: "text" }, t.label)], t.plain || t.definition, t.count)));
  byId("legend-signs").replaceChildren(...DATA.signs.map((s) => {
    const key = el("span", { class: "arrowkey", "aria-hidden": "true" },
      el("span", { class: "shaft" }), el("span", { class: "head" }, s.arrow === "bar" ? "┤" : "▶"));
    key.firstChild.style.borderTopColor = s.color;
    key.lastChild.style.color = s.color;
    return checkRow(() => state.filters.signs, s.key,
      [key, el("span", { class: "text" }, el("span", { class: "sign " + SIGN_CLASS[s.key] }, s.glyph), " ", s.label)], s.plain, s.count);
  }));
  byId("legend-status").replaceChildren(...DATA.statuses.map((s) => {
    const key = el("span", { class: "arrowkey", "aria-hidden": "true" }, el("span", { class: "shaft" }));
    key.firstChild.style.borderTopStyle = s.key === "negated" ? "dotted" : s.dashes ? "dashed" : "solid";
    key.firstChild.style.borderTopColor = s.key === "negated" ? "#b0b0b0" : "#555";
    if (s.key === "hedged" || s.key === "speculative") key.firstChild.style.opacity = "0.5";
    return checkRow(() => state.filters.statuses, s.key, [key, el("span", { class: "text" }, s.key)], s.plain || s.help, s.count);
  }));
  byId("legend-sources").replaceChildren(...DATA.sources.map((s) =>
    checkRow(() => state.filters.sources, s.key, [el("span", { class: "text" }, s.title)],
      [s.title, s.kind, s.date, s.file].filter(Boolean).join(" · "), s.count)));
  byId("glossary-list").replaceChildren(...(DATA.glossary || []).map((t) =>
    [el("dt", {}, t.term), el("dd", {}, t.plain)]).flat());

  // --- chains (path view): the molecular mechanism first, then the rest best first ------------------------------
  if (DATA.paths.length) {
    byId("chains").hidden = false;
    const order = DATA.paths.map((p, i) => i).sort((a, b) =>
      (DATA.paths[b].mechanism ? 1 : 0) - (DATA.paths[a].mechanism ? 1 : 0) || a - b);
    const items = order.map((i) => {
      const p = DATA.paths[i];
      const text = [el("span", { class: "node" }, p.labels[0])];
      p.hops.forEach((h, j) => {
        const cls = "hop " + SIGN_CLASS[String(h.sign)];
        text.push(" ", el("span", { class: cls }, `—(${SIGN_GLYPH[String(h.sign)]}) ${h.phrase}→`),
          h.status !== "asserted" ? [" ", statusFlag(h.status)] : null, " ", el("span", { class: "node" }, p.labels[j + 1]));
      });
      const li = el("li", { "data-chain": String(i), "aria-pressed": "false", tabindex: "0", role: "button",
                            class: p.mechanism ? "mechanism" : null },
        p.mechanism ? el("div", { class: "badge" }, "The molecular mechanism: where the drug acts") : null,
        el("div", { class: "chain-head" },
          p.cost !== null && p.cost !== undefined ? el("span", { class: "cost" }, term("cost", `cost ${Number(p.cost).toFixed(1)}`)) : null,
          `${i + 1}. `, el("span", { class: "effect-" + p.effect }, p.effect),
          el("span", { class: "muted" }, ` · ${p.hops.length} step${p.hops.length === 1 ? "" : "s"}`)),
        el("div", { class: "chain-text" }, text));
      li.addEventListener("mouseenter", () => { if (!state.tour) highlightChain(i); });
      li.addEventListener("mouseleave", restoreBaseHighlight);
      li.addEventListener("focus", () => { if (!state.tour) highlightChain(i); });
      li.addEventListener("blur", restoreBaseHighlight);
      const pin = (ev) => {
        if (ev && ev.target.closest && ev.target.closest("button.term")) return;
        state.pinnedChain = state.pinnedChain === i ? null : i;
        for (const other of byId("chain-list").children) {
          other.setAttribute("aria-pressed", String(Number(other.dataset.chain) === state.pinnedChain));
        }
        restoreBaseHighlight();
      };
      li.addEventListener("click", pin);
      li.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pin(); } });
      return li;
    });
    byId("chain-list").replaceChildren(...items);
    byId("show-all").addEventListener("click", () => {
      state.pinnedChain = null;
      for (const li of items) li.setAttribute("aria-pressed", "false");
      restoreBaseHighlight();
    });
  }

  // --- the guided tour ------------------------------------------------------------------------------------------
  const TOUR = DATA.tour;
  function tourChain() { return TOUR.chains[state.tour.chain]; }
  function tourLength(c) { return c.steps.length + 2; } // intro, one per claim, summary
  function tourStart(chain, step = 0) {
    if (!TOUR || !TOUR.chains[chain]) return false;
    state.tour = { chain, step };
    document.body.classList.add("touring");
    byId("tour").hidden = false;
    const c = tourChain();
    if (!reveal(c.nodes) && DATA.meta.groups) refresh(); // the chain's entities come out of their groups
    renderTour();
    return true;
  }
  function tourExit() {
    state.tour = null;
    document.body.classList.remove("touring");
    byId("tour").hidden = true;
    restoreBaseHighlight();
    showPinned();
    byId("tour-open").focus();
  }
  function tourGo(delta) {
    if (!state.tour) return false;
    const c = tourChain();
    const step = Math.max(0, Math.min(tourLength(c) - 1, state.tour.step + delta));
    if (step === state.tour.step) return false;
    state.tour.step = step;
    renderTour();
    return true;
  }
  function highlightTourStep() {
    const c = tourChain();
    const k = state.tour.step;
    if (k >= 1 && k <= c.steps.length) {
      const s = c.steps[k - 1];
      const trail = { nodes: new Set(c.nodes.slice(0, k)), edges: new Set(c.edges.slice(0, k - 1)) };
      highlight(new Set([s.from, s.to]), new Set([s.statement]), `tour step ${k}`, true, trail);
    } else {
      highlight(new Set(c.nodes), new Set(c.edges), k === 0 ? "tour start" : "tour summary", true);
    }
  }
  function chip(label, sign) {
    const arrow = sign > 0 ? "↑" : sign < 0 ? "↓" : "?";
    const word = sign > 0 ? "more" : sign < 0 ? "less" : "changed";
    return el("span", { class: "chip " + SIGN_CLASS[String(sign)] }, label, " ", el("span", { "aria-label": word }, arrow));
  }
  function quoteBlock(q) {
    return el("blockquote", {}, el("p", { class: "quote" }, "“", q.quote, "”"),
      el("cite", {}, "— ", q.title, q.file ? ` (${q.file})` : ""));
  }
  function renderTour() {
    const c = tourChain();
    const k = state.tour.step;
    const total = tourLength(c);
    put(byId("tour-chain"),
      el("strong", {}, c.title), c.disputed ? [" ", statusFlag("disputed")] : null,
      el("span", { class: "muted" }, ` · chain ${state.tour.chain + 1} of ${TOUR.chains.length}`));
    byId("tour-count").textContent = `Step ${k + 1} of ${total}`;
    const prog = byId("tour-progress");
    prog.setAttribute("aria-valuemax", String(total));
    prog.setAttribute("aria-valuenow", String(k + 1));
    prog.setAttribute("aria-valuetext", `Step ${k + 1} of ${total}`);
    byId("tour-dots").replaceChildren(...Array.from({ length: total }, (_, i) =>
      el("li", { class: i < k ? "done" : i === k ? "now" : "" })));
    byId("tour-prev").disabled = k === 0;
    byId("tour-next").disabled = k === total - 1;
    byId("tour-next").textContent = k === 0 ? "Start ▶" : "Next ▶";
    const body = [];
    if (k === 0) {
      body.push(el("h2", { class: "tour-title" }, TOUR.question));
      body.push(el("p", { class: "lead" + (TOUR.code === "disputed-only" ? " warn" : "") }, TOUR.lead));
      for (const end of TOUR.ends) {
        if (end.plain) body.push(el("p", {}, el("strong", {}, end.label), ": ", end.plain));
      }
      for (const note of TOUR.resolved || []) body.push(el("p", { class: "muted" }, "Name taken as: " + note));
      body.push(el("p", {}, TOUR.plan));
      if (c.disputed) body.push(el("p", { class: "status disputed" }, "This chain runs through a disputed claim: it is not the answer."));
    } else if (k <= c.steps.length) {
      const s = c.steps[k - 1];
      body.push(el("h2", { class: "tour-title step" }, el("strong", {}, s.said), s.gloss ? [" — ", el("span", { class: "gloss" }, s.gloss)] : null, "."));
      body.push(el("p", { class: "meaning" }, signSpan(s.sign), " — ", s.meaning));
      const track = [chip(c.labels[0], 1)];
      for (let j = 0; j < k; j++) track.push(el("span", { class: "to", "aria-hidden": "true" }, "→"), chip(c.labels[j + 1], c.steps[j].netSign));
      body.push(el("div", { class: "net" }, el("div", { class: "track", "aria-label": "the change so far" }, track),
        s.rule ? el("p", {}, s.rule) : null, el("p", { class: "so-far" }, el("strong", {}, s.netText))));
      const [word, ...says] = s.statusText.split(" — ");
      body.push(s.status === "asserted" ? el("p", { class: "status asserted" }, "✓ ", s.statusText)
        : el("p", { class: "status " + s.status }, "⚠ ", el("strong", {}, term(s.status, word)), says.length ? " — " + says.join(" — ") : ""));
      if (s.quotes.length) {
        body.push(el("h3", {}, "In the document's own words"), quoteBlock(s.quotes[0]));
        if (s.quotes.length > 1) {
          body.push(el("details", {}, el("summary", {}, `${s.quotes.length - 1} more quote${s.quotes.length > 2 ? "s" : ""}`),
            s.quotes.slice(1).map(quoteBlock)));
        }
      }
      if (s.note) body.push(el("p", { class: "note" }, el("strong", {}, "Curator's note: "), s.note));
      if (s.signBasis) body.push(el("p", { class: "status reading" }, term("sign by reading", "Sign by reading"), ": ", s.signBasis));
      if (s.terms.length) body.push(el("p", { class: "terms" }, "Words: ", s.terms.map((t) => [term(t), " "])));
    } else {
      body.push(el("h2", { class: "tour-title" }, "What this chain shows"));
      body.push(el("p", {}, c.line + "."));
      const last = c.steps.at(-1);
      body.push(el("p", {}, el("strong", {}, `Net effect of this chain: ${c.labels[0]} ${last.net} ${c.labels.at(-1)}.`)));
      body.push(el("p", { class: "status " + c.support }, "How sure: ", c.supportText, "."));
      body.push(el("p", { class: "lead" + (TOUR.code === "disputed-only" ? " warn" : "") },
        TOUR.code === "disputed-only" ? TOUR.lead : ["All chains together: ", TOUR.verdict, "."]));
      const others = TOUR.chains.map((o, i) => [o, i]).filter(([, i]) => i !== state.tour.chain);
      if (others.length) {
        body.push(el("h3", {}, "Other chains to explore"));
        body.push(el("ul", { class: "claims others" }, others.map(([o, i]) => el("li", { class: "claim" },
          el("span", { class: "glyph", "aria-hidden": "true" }, "▸"),
          el("span", {}, el("button", { type: "button", class: "link", onclick: () => tourStart(i, 1) }, o.labels.join(" → ")),
            el("span", { class: "muted" }, ` — ${o.effect}; ${o.disputed ? "disputed, not counted" : o.support === "asserted" ? "every step stated plainly" : o.support}`))))));
      }
    }
    put(byId("tour-body"), body);
    highlightTourStep();
    // keep the step on screen
    const ids = k >= 1 && k <= c.steps.length ? [c.steps[k - 1].from, c.steps[k - 1].to] : c.nodes;
    const drawn = ids.filter((id) => state.visibleNodes.has(id));
    if (drawn.length && drawn.some((id) => !inView(id))) {
      const pos = network.getPositions(drawn);
      network.moveTo({ position: centroid(Object.values(pos)), animation: { duration: 300 } });
    }
  }
  if (TOUR && TOUR.chains.length) {
    byId("tour-open").hidden = false;
    byId("tour-open").addEventListener("click", () => tourStart(0));
    byId("tour-prev").addEventListener("click", () => tourGo(-1));
    byId("tour-next").addEventListener("click", () => tourGo(1));
    byId("tour-close").addEventListener("click", tourExit);
  }

  // --- saving the view: PNG (the canvas) and SVG (drawn again from the entities and arrows on screen) ------------
  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }
  function fileName(ext) {
    return (DATA.meta.title || "mechkg").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) + "." + ext;
  }
  function savePNG() {
    const src = container.querySelector("canvas");
    const c = document.createElement("canvas");
    c.width = src.width;
    c.height = src.height;
    const ctx = c.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(src, 0, 0);
    c.toBlob((blob) => download(blob, fileName("png")), "image/png");
  }
  const xml = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  function svgText() {
    const w = container.clientWidth;
    const h = container.clientHeight;
    const scale = network.getScale();
    const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
      `font-family="system-ui, sans-serif">`, `<title>${xml(DATA.meta.title)}</title>`,
      `<rect width="${w}" height="${h}" fill="#ffffff"/>`];
    const f = (x) => x.toFixed(1);
    for (const id of edgesView.getIds()) {
      const E = network.body.edges[id];
      const item = edges.get(id);
      if (!E || !E.connected || !item) continue;
      const from = network.body.nodes[E.fromId];
      const to = network.body.nodes[E.toId];
      const rTo = (to.options.size || 16) * 1.15;
      const pts = [];
      for (let i = 0; i <= 24; i++) {
        const p = E.edgeType.getPoint(i / 24);
        if (Math.hypot(p.x - to.x, p.y - to.y) < rTo + 2 && i > 0) break;
        if (Math.hypot(p.x - from.x, p.y - from.y) < 2 && i > 0) continue;
        pts.push(network.canvasToDOM(p));
      }
      if (pts.length < 2) continue;
      const color = (item.color && item.color.color) || "#777";
      const width = (item.width || 1.5) * scale;
      const dash = Array.isArray(item.dashes) ? ` stroke-dasharray="${item.dashes.map((d) => d * scale).join(" ")}"` : "";
      const op = item.color && item.color.opacity !== undefined ? ` stroke-opacity="${item.color.opacity}"` : "";
      out.push(`<polyline fill="none" stroke="${xml(color)}" stroke-width="${f(width)}"${dash}${op} ` +
        `points="${pts.map((p) => f(p.x) + "," + f(p.y)).join(" ")}"/>`);
      const a = pts.at(-2);
      const b = pts.at(-1);
      const ang = Math.atan2(b.y - a.y, b.x - a.x);
      const head = 9 * Math.max(scale, 0.5);
      const type = item.arrows && item.arrows.to && item.arrows.to.enabled !== false ? item.arrows.to.type : null;
      if (type === "bar") {
        const px = Math.cos(ang + Math.PI / 2) * head * 0.7;
        const py = Math.sin(ang + Math.PI / 2) * head * 0.7;
        out.push(`<line x1="${f(b.x - px)}" y1="${f(b.y - py)}" x2="${f(b.x + px)}" y2="${f(b.y + py)}" stroke="${xml(color)}" stroke-width="${f(width + 1.5)}"/>`);
      } else if (type) {
        const l = { x: b.x - head * Math.cos(ang - 0.45), y: b.y - head * Math.sin(ang - 0.45) };
        const r = { x: b.x - head * Math.cos(ang + 0.45), y: b.y - head * Math.sin(ang + 0.45) };
        out.push(`<polygon fill="${xml(color)}" points="${f(b.x)},${f(b.y)} ${f(l.x)},${f(l.y)} ${f(r.x)},${f(r.y)}"/>`);
      }
      if (item.label && E.labelModule && E.labelModule.fontOptions.size * scale >= READABLE - 1) {
        const m = network.canvasToDOM(E.edgeType.getPoint(0.5));
        out.push(`<text x="${f(m.x)}" y="${f(m.y)}" font-size="${f(E.labelModule.fontOptions.size * scale)}" ` +
          `text-anchor="middle" dominant-baseline="middle" fill="#3b414a" stroke="#fff" stroke-width="3" paint-order="stroke">${xml(item.label)}</text>`);
      }
    }
    for (const id of nodesView.getIds()) {
      const N = network.body.nodes[id];
      const item = nodes.get(id);
      if (!N || !item) continue;
      const p = network.canvasToDOM({ x: N.x, y: N.y });
      const r = (N.options.size || 16) * scale;
      const fill = (item.color && item.color.background) || "#aaa";
      const stroke = (item.color && item.color.border) || "#555";
      const style = `fill="${xml(fill)}" stroke="${xml(stroke)}" stroke-width="${f(1.5 * scale)}"`;
      const poly = (pts) => `<polygon ${style} points="${pts.map(([x, y]) => f(p.x + x * r) + "," + f(p.y + y * r)).join(" ")}"/>`;
      const shape = N.options.shape;
      if (shape === "square") out.push(`<rect ${style} x="${f(p.x - r)}" y="${f(p.y - r)}" width="${f(2 * r)}" height="${f(2 * r)}"/>`);
      else if (shape === "diamond") out.push(poly([[0, -1.3], [1.3, 0], [0, 1.3], [-1.3, 0]]));
      else if (shape === "triangle") out.push(poly([[0, -1.25], [1.1, 0.65], [-1.1, 0.65]]));
      else if (shape === "triangleDown") out.push(poly([[0, 1.25], [1.1, -0.65], [-1.1, -0.65]]));
      else if (shape === "hexagon") out.push(poly([0, 1, 2, 3, 4, 5].map((i) => [Math.cos(i * Math.PI / 3), Math.sin(i * Math.PI / 3)])));
      else if (shape === "star") out.push(poly([...Array(10).keys()].map((i) => [Math.cos(-Math.PI / 2 + i * Math.PI / 5) * (i % 2 ? 0.5 : 1.2), Math.sin(-Math.PI / 2 + i * Math.PI / 5) * (i % 2 ? 0.5 : 1.2)])));
      else out.push(`<circle ${style} cx="${f(p.x)}" cy="${f(p.y)}" r="${f(r)}"/>`);
      const L = N.labelModule;
      const size = L.fontOptions.size * scale;
      if (!item.label || size < READABLE - 1) continue;
      const lines = L.lines && L.lines.length ? L.lines.map((line) => line.blocks.map((b) => b.text).join("")) : String(item.label).split("\n");
      const color = (item.font && item.font.color) || "#1d2430";
      const bold = L.fontOptions.bold && item.font && item.font.bold ? ' font-weight="bold"' : "";
      lines.forEach((text, i) => {
        out.push(`<text x="${f(p.x)}" y="${f(p.y + r * 1.3 + size * (i + 1))}" font-size="${f(size)}" text-anchor="middle" ` +
          `fill="${xml(color)}" stroke="#fff" stroke-width="3" paint-order="stroke"${bold}>${xml(text)}</text>`);
      });
    }
    out.push("</svg>");
    return out.join("\n");
  }
  function saveSVG() {
    download(new Blob([svgText()], { type: "image/svg+xml" }), fileName("svg"));
  }
  byId("save-png").addEventListener("click", savePNG);
  byId("save-svg").addEventListener("click", saveSVG);

  // --- buttons, keys ------------------------------------------------------------------------------------------
  byId("fit").addEventListener("click", () => fitReadable(true));
  byId("reset").addEventListener("click", () => {
    for (const box of document.querySelectorAll("#left input[type=checkbox]")) box.checked = true;
    state.filters.types = new Set(DATA.types.map((t) => t.key));
    state.filters.signs = new Set(DATA.signs.map((s) => s.key));
    state.filters.statuses = new Set(DATA.statuses.map((s) => s.key));
    state.filters.sources = new Set(DATA.sources.map((s) => s.key));
    state.revealed = new Set(nodeData.keys());
    for (const t of DATA.types) state.opened.add(t.key);
    state.pinned = null;
    state.pinnedChain = null;
    for (const li of byId("chain-list").children) li.setAttribute("aria-pressed", "false");
    network.unselectAll();
    refresh();
    if (!state.tour) { highlight(null); showIntro(); }
    fitReadable(true);
    byId("back-to-start").hidden = MODE !== "start";
  });
  byId("back-to-start").addEventListener("click", () => {
    state.revealed = new Set(DATA.meta.start);
    state.opened = new Set();
    refresh();
    fitReadable(true);
    byId("back-to-start").hidden = true;
  });
  document.addEventListener("keydown", (ev) => {
    const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement;
    if (ev.key === "Escape" && popFor) { hideTerm(); return; }
    if (state.tour && !typing && ev.target !== container && !ev.altKey && !ev.ctrlKey && !ev.metaKey) {
      if (ev.key === "ArrowRight" || ev.key === "PageDown") { ev.preventDefault(); tourGo(1); return; }
      if (ev.key === "ArrowLeft" || ev.key === "PageUp") { ev.preventDefault(); tourGo(-1); return; }
      if (ev.key === "Escape") { tourExit(); return; }
    }
    if (ev.key === "Escape" && document.activeElement !== searchBox) {
      state.pinned = null;
      network.unselectAll();
      restoreBaseHighlight();
      showIntro();
    }
  });
  if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) byId("filters").open = false;

  byId("title").textContent = DATA.meta.title;
  byId("subtitle").textContent = DATA.meta.subtitle;
  byId("hint").textContent = MODE === "start" ? "Double-click an entity (or select it and press +) to show what it connects to."
    : MODE === "graph" ? "Zoom in to read more names; small ones are hidden until they are readable." : "";
  byId("foot").textContent = `Made by ${DATA.meta.generator} · a self-contained page: works offline · ` +
    "drawn with vis-network (MIT / Apache-2.0)";
  updateCounts();
  showPinned();
  state.timing.ready = performance.now();
  if (OPTS.physics && OPTS.physics.enabled) {
    // keep each batch of layout steps short, so that a click or a key is answered while the layout settles
    let last = performance.now();
    network.on("stabilizationProgress", (p) => {
      const now = performance.now();
      const took = now - last;
      last = now;
      const opt = network.physics.options.stabilization;
      if (took > 50 && opt.updateInterval > 1) opt.updateInterval = Math.max(1, Math.floor(opt.updateInterval * 40 / took));
      else if (took < 20 && opt.updateInterval < 50) opt.updateInterval += 1;
      byId("loading").textContent = `Laying out the graph… ${Math.round((100 * p.iterations) / p.total)}%`;
    });
    network.once("stabilizationIterationsDone", settled);
  } else {
    settled();
  }

  /** A small API for notebooks and tests. */
  window.mechkg = {
    network, nodes, edges, nodesView, edgesView, data: DATA, state, known,
    search, findNodes, overlaps: () => findOverlaps(labelBoxes(), 0).length, labelOverlaps, highlightChain,
    focusNode: (id, ...rest) => focusNode(safeId(id), ...rest),
    selectEdge: (id) => selectEdge(safeId(id)),
    reveal: (ids) => reveal([...ids].map(safeId)),
    expand: (id) => expand(safeId(id)),
    resetFilters, applyFilters: refresh, refresh, openGroup, closeGroup, groups: () => [...groupInfo.keys()],
    tour: { start: tourStart, go: tourGo, exit: tourExit, where: () => (state.tour ? { ...state.tour } : null) },
    svgText, savePNG, saveSVG,
    highlighted: () => (state.highlight
      ? { nodes: [...state.highlight.nodes].map(keyOf), edges: [...state.highlight.edges].map(keyOf), why: state.highlight.why }
      : null),
  };
})();
