/* mechkg HTML view: builds the network, legend, filters, search and info panel from the embedded JSON.
   Every text that comes from the data is put on the page with textContent / text nodes, never as markup. */
(function () {
  "use strict";
  const T0 = performance.now();
  const DATA = JSON.parse(document.getElementById("kg-data").textContent);
  const OPTS = DATA.options;
  const EDGE_LABELS = OPTS.edgeLabels;
  const visOptions = Object.assign({}, OPTS);
  delete visOptions.edgeLabels;

  const byId = (id) => document.getElementById(id);
  const nodeData = new Map(DATA.nodes.map((n) => [n.id, n]));
  const edgeData = new Map(DATA.edges.map((e) => [e.id, e]));
  const typeData = new Map(DATA.types.map((t) => [t.key, t]));
  const sourceData = new Map(DATA.sources.map((s) => [s.key, s]));
  const adjacency = new Map(DATA.nodes.map((n) => [n.id, []]));
  for (const e of DATA.edges) {
    if (adjacency.has(e.from)) adjacency.get(e.from).push(e.id);
    if (e.to !== e.from && adjacency.has(e.to)) adjacency.get(e.to).push(e.id);
  }
  const SIGN_CLASS = { "1": "up", "-1": "down", "0": "none" };
  const SIGN_TEXT = { "1": "+ increases", "-1": "− decreases", "0": "· unsigned" };
  const DIM = { node: { background: "#eef0f3", border: "#d7dbe0" }, font: "#b9bec6", edge: "#e1e4e8" };

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
    return { id: e.id, color: { color: e.color, highlight: e.color, hover: e.color, inherit: false, opacity: e.opacity },
             width: strong ? e.width + 2 : e.width, font: { color: "#4a4f57" } };
  }
  function dimEdgeStyle(e) {
    return { id: e.id, color: { color: DIM.edge, highlight: e.color, hover: e.color, inherit: false, opacity: 1 },
             width: 1, font: { color: DIM.font } };
  }
  function visNode(n) {
    const item = Object.assign(nodeStyle(n), { label: n.label, shape: n.shape });
    if (DATA.meta.focus === n.id || isEndpoint(n.id)) {
      item.size = (OPTS.nodes.size || 16) * 1.5;
      item.borderWidth = 3;
      item.font = { color: "#1d2430", size: 16, bold: true };
    }
    if (typeof n.x === "number") { item.x = n.x; item.y = n.y; }
    return item;
  }
  function visEdge(e) {
    const item = Object.assign(edgeStyle(e, false), {
      from: e.from, to: e.to, dashes: e.dashes,
      arrows: { to: { enabled: e.arrowOn, type: e.arrow, scaleFactor: e.arrow === "bar" ? 0.8 : 0.7 } },
    });
    if (EDGE_LABELS) item.label = e.label;
    if (e.smooth) item.smooth = e.smooth;
    return item;
  }
  function isEndpoint(id) {
    return DATA.paths.length > 0 && (id === DATA.paths[0].nodes[0] || id === DATA.paths[0].nodes.at(-1));
  }

  // --- state, filters ------------------------------------------------------------------------------------------
  const state = {
    filters: {
      types: new Set(DATA.types.map((t) => t.key)),
      signs: new Set(DATA.signs.map((s) => s.key)),
      statuses: new Set(DATA.statuses.map((s) => s.key)),
      sources: new Set(DATA.sources.map((s) => s.key)),
    },
    visibleNodes: new Set(nodeData.keys()),
    visibleEdges: new Set(edgeData.keys()),
    highlight: null, // {nodes: Set, edges: Set, why: string}
    pinned: null, // {kind: "node"|"edge", id}
    pinnedChain: null,
    focused: null,
    stabilized: false,
    timing: { start: T0 },
  };

  const nodes = new vis.DataSet(DATA.nodes.map(visNode));
  const edges = new vis.DataSet(DATA.edges.map(visEdge));
  const nodesView = new vis.DataView(nodes, { filter: (item) => state.visibleNodes.has(item.id) });
  const edgesView = new vis.DataView(edges, { filter: (item) => state.visibleEdges.has(item.id) });

  function narrowed() {
    const f = state.filters;
    return f.signs.size < DATA.signs.length || f.statuses.size < DATA.statuses.length ||
      f.sources.size < DATA.sources.length;
  }
  /** Recompute which entities and claims pass the filters, and redraw. */
  function applyFilters() {
    const f = state.filters;
    const typeOk = new Set(DATA.nodes.filter((n) => f.types.has(n.type)).map((n) => n.id));
    const ve = new Set();
    const touched = new Set();
    for (const e of DATA.edges) {
      if (!typeOk.has(e.from) || !typeOk.has(e.to)) continue;
      if (!f.signs.has(String(e.sign)) || !f.statuses.has(e.status)) continue;
      if (e.sources.length && !e.sources.some((s) => f.sources.has(s))) continue;
      ve.add(e.id);
      touched.add(e.from);
      touched.add(e.to);
    }
    const keepAll = !narrowed();
    state.visibleNodes = new Set([...typeOk].filter((id) => keepAll || touched.has(id)));
    state.visibleEdges = ve;
    nodesView.refresh();
    edgesView.refresh();
    updateCounts();
  }
  function resetFilters() {
    for (const box of document.querySelectorAll("#left input[type=checkbox]")) box.checked = true;
    state.filters.types = new Set(DATA.types.map((t) => t.key));
    state.filters.signs = new Set(DATA.signs.map((s) => s.key));
    state.filters.statuses = new Set(DATA.statuses.map((s) => s.key));
    state.filters.sources = new Set(DATA.sources.map((s) => s.key));
    applyFilters();
  }
  function updateCounts() {
    const n = state.visibleNodes.size;
    const m = state.visibleEdges.size;
    const text = `showing ${n} of ${DATA.nodes.length} entities · ${m} of ${DATA.edges.length} claims`;
    byId("counts").textContent = text;
  }

  // --- highlight ----------------------------------------------------------------------------------------------
  // How each item is drawn now ("base" | "dim" | "strong"), so that a highlight updates only what changes.
  const drawnAs = { nodes: new Map(), edges: new Map() };
  // Above this many entities, fading the rest costs too much per click: the highlight becomes a selection.
  const FADE_LIMIT = 300;

  /** Keep the given entities and claims in full colour and fade the rest; null restores everything. */
  function highlight(keepNodes, keepEdges, why, strong) {
    state.highlight = keepNodes ? { nodes: keepNodes, edges: keepEdges, why } : null;
    if (DATA.nodes.length > FADE_LIMIT) {
      network.setSelection({ nodes: keepNodes ? [...keepNodes] : [], edges: keepNodes ? [...keepEdges] : [] },
        { unselectAll: true, highlightEdges: false });
      return;
    }
    const nodeUpdates = [];
    for (const n of DATA.nodes) {
      const want = keepNodes && !keepNodes.has(n.id) ? "dim" : "base";
      if ((drawnAs.nodes.get(n.id) || "base") !== want) {
        drawnAs.nodes.set(n.id, want);
        nodeUpdates.push(want === "dim" ? dimNodeStyle(n) : nodeStyle(n));
      }
    }
    const edgeUpdates = [];
    for (const e of DATA.edges) {
      const want = !keepNodes ? "base" : !keepEdges.has(e.id) ? "dim" : strong ? "strong" : "base";
      if ((drawnAs.edges.get(e.id) || "base") !== want) {
        drawnAs.edges.set(e.id, want);
        edgeUpdates.push(want === "dim" ? dimEdgeStyle(e) : edgeStyle(e, want === "strong"));
      }
    }
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
  }
  function highlightNeighbourhood(id) {
    const ns = new Set([id]);
    const es = new Set();
    for (const eid of adjacency.get(id) || []) {
      if (!state.visibleEdges.has(eid)) continue;
      const e = edgeData.get(eid);
      es.add(eid);
      ns.add(e.from);
      ns.add(e.to);
    }
    highlight(ns, es, "neighbourhood", false);
  }
  function highlightChain(i) {
    const p = DATA.paths[i];
    highlight(new Set(p.nodes), new Set(p.edges), "chain " + (i + 1), true);
  }
  function restoreBaseHighlight() {
    if (state.pinnedChain !== null) highlightChain(state.pinnedChain);
    else highlight(null);
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
    return el("span", { class: "sign " + SIGN_CLASS[String(sign)] }, SIGN_TEXT[String(sign)]);
  }
  function statusFlag(status) {
    return status === "asserted" ? null : el("span", { class: "flag " + status }, status);
  }
  function nodeButton(id) {
    const n = nodeData.get(id);
    return el("button", { class: "link", type: "button", onclick: () => focusNode(id) }, n ? n.label : id);
  }
  function claimButton(e) {
    return el("button", { class: "link", type: "button", onclick: () => selectEdge(e.id) },
      el("span", { class: "sign " + SIGN_CLASS[String(e.sign)] }, e.sign > 0 ? "+ " : e.sign < 0 ? "− " : "· "),
      e.sentence, " ", statusFlag(e.status));
  }
  function showIntro() {
    const parts = [
      el("h3", {}, DATA.meta.mode === "path" ? "Reading this view" : "Exploring the graph"),
      el("p", {}, "Click an entity (shape) or a claim (arrow) to see what it is and the evidence for it. " +
        "Hovering shows the same details for a moment."),
      el("p", {}, "Green arrows (→) mean “increases”, red bars (⊣) mean “decreases”, grey arrows carry no sign. " +
        "Dashed arrows are disputed claims; dotted grey ones are claims a source denies."),
    ];
    if (DATA.meta.mode === "path") {
      parts.push(el("p", {}, "Each chain on the left is one way the first entity can change the last one. " +
        "Multiply the signs along a chain: two decreases make an increase."));
      if (DATA.meta.effect) {
        parts.push(el("p", {}, "Overall: ", el("strong", { class: "effect-" + DATA.meta.effect.split(" ")[0] },
          DATA.meta.verdict || DATA.meta.effect), "."));
      }
      for (const note of DATA.meta.resolved || []) parts.push(el("p", { class: "muted" }, "Name taken as: " + note));
    } else {
      parts.push(el("p", {}, "Use the search box to find an entity by name or synonym, and the boxes on the left " +
        "to show only some types, signs, statuses or documents."));
    }
    info.replaceChildren(el("div", { class: "intro" }, parts));
  }
  function showNode(id) {
    const n = nodeData.get(id);
    if (!n) return;
    const t = typeData.get(n.type) || n;
    const out = DATA.edges.filter((e) => e.from === id && state.visibleEdges.has(e.id));
    const inc = DATA.edges.filter((e) => e.to === id && e.from !== id && state.visibleEdges.has(e.id));
    const ids = n.ids.length
      ? el("ul", {}, n.ids.map((x) => el("li", {}, x.curie, x.match === "exact" ? "" : ` (${x.match} match)`)))
      : el("span", { class: "muted" }, "none recorded");
    info.replaceChildren(
      el("h3", { id: "info-title" }, n.label),
      el("p", { class: "kind" }, swatch(t), n.typeLabel, n.category ? el("span", { class: "muted" }, ` · ${n.category}`) : null),
      el("dl", {},
        el("dt", {}, "Definition"), el("dd", {}, n.definition || el("span", { class: "muted" }, "none yet")),
        el("dt", {}, "Standard IDs"), el("dd", {}, ids),
        n.synonyms.length ? [el("dt", {}, "Also called"), el("dd", {}, n.synonyms.join(", "))] : null,
        el("dt", {}, `Claims from it (${out.length})`),
        el("dd", {}, out.length ? el("ul", {}, out.map((e) => el("li", {}, claimButton(e)))) : "none shown"),
        el("dt", {}, `Claims about it (${inc.length})`),
        el("dd", {}, inc.length ? el("ul", {}, inc.map((e) => el("li", {}, claimButton(e)))) : "none shown"),
        el("dt", {}, "Key"), el("dd", { class: "muted" }, n.id),
      ),
    );
  }
  function showEdge(id) {
    const e = edgeData.get(id);
    if (!e) return;
    const quotes = e.evidence.map((ev) =>
      el("blockquote", {}, el("p", { class: "quote" }, "“", ev.quote, "”"),
        el("cite", {}, "— ", ev.title, ev.file ? ` (${ev.file})` : "")));
    info.replaceChildren(
      el("h3", { id: "info-title" }, e.sentence),
      el("p", { class: "kind" }, signSpan(e.sign), el("span", {}, ` · ${e.predicateLabel} (${e.kind})`), statusFlag(e.status)),
      el("dl", {},
        el("dt", {}, "From → to"), el("dd", {}, nodeButton(e.from), " → ", nodeButton(e.to)),
        el("dt", {}, "Status"),
        el("dd", {}, e.status, el("span", { class: "muted" }, ` — ${(DATA.statuses.find((s) => s.key === e.status) || {}).help || ""}`)),
        e.qualifiers.length ? [el("dt", {}, "Qualifiers"), el("dd", {}, el("ul", {}, e.qualifiers.map((q) => el("li", {}, q))))] : null,
        e.note ? [el("dt", {}, "Curator note"), el("dd", {}, e.note)] : null,
        el("dt", {}, `Evidence (${e.evidence.length} quote${e.evidence.length === 1 ? "" : "s"})`),
        el("dd", { id: "evidence" }, quotes),
        e.conflicts.length ? [el("dt", {}, "Conflicts with"), el("dd", {}, el("ul", {}, e.conflicts.map((c) =>
          el("li", {}, edgeData.has(c) ? claimButton(edgeData.get(c)) : c))))] : null,
        el("dt", {}, "Statement"), el("dd", { class: "muted" }, e.id),
      ),
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
  const network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, visOptions);
  state.timing.created = performance.now();

  /** Shape-and-label boxes of the entities drawn (canvas units; fresh after a redraw). */
  function labelBoxes() {
    const ids = nodesView.getIds();
    const pos = network.getPositions(ids);
    return ids.map((id) => {
      const b = network.getBoundingBox(id);
      const p = pos[id];
      return { id, x: p.x, y: p.y, l: b.left - p.x, r: b.right - p.x, t: b.top - p.y, b: b.bottom - p.y };
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
  /** Push apart entities whose labels overlap, a little at a time, along the axis of least overlap (time-boxed). */
  function separateLabels(rounds = 150, budgetMs = 400) {
    const deadline = performance.now() + budgetMs;
    const boxes = labelBoxes();
    const moved = new Set();
    for (let round = 0; round < rounds && performance.now() < deadline; round++) {
      const pairs = findOverlaps(boxes, 6);
      if (!pairs.length) break;
      for (const [a, b, ox, oy] of pairs) {
        if (oy < ox) {
          const d = (oy / 2) * (a.y <= b.y ? 1 : -1);
          a.y -= d;
          b.y += d;
        } else {
          const d = (ox / 2) * (a.x <= b.x ? 1 : -1);
          a.x -= d;
          b.x += d;
        }
        moved.add(a);
        moved.add(b);
      }
    }
    // one batch update, one redraw; network.moveNode redraws the whole graph once per entity moved
    if (moved.size) nodes.update([...moved].map((b) => ({ id: b.id, x: b.x, y: b.y })));
  }

  /** Layout done: physics off for good, labels pulled apart, view fitted, then the focus entity shown. */
  function settled() {
    if (state.settling) return;
    state.settling = true;
    state.timing.layout = performance.now();
    network.setOptions({ physics: { enabled: false } });
    network.once("afterDrawing", () => {
      if (DATA.meta.mode !== "path") separateLabels();
      state.timing.separated = performance.now();
      network.fit({ animation: false });
      byId("loading").hidden = true;
      state.stabilized = true;
      state.timing.stabilized = performance.now();
      if (DATA.meta.focus) focusNode(DATA.meta.focus, false);
    });
    network.redraw();
  }

  network.on("click", (p) => {
    if (p.nodes.length) {
      state.pinned = { kind: "node", id: p.nodes[0] };
      highlightNeighbourhood(p.nodes[0]);
    } else if (p.edges.length) {
      state.pinned = { kind: "edge", id: p.edges[0] };
      const e = edgeData.get(p.edges[0]);
      if (state.pinnedChain === null) highlight(new Set([e.from, e.to]), new Set([e.id]), "claim", true);
    } else {
      state.pinned = null;
      restoreBaseHighlight();
    }
    showPinned();
  });
  network.on("hoverNode", (p) => showNode(p.node));
  network.on("hoverEdge", (p) => showEdge(p.edge));
  network.on("blurNode", showPinned);
  network.on("blurEdge", showPinned);

  /** Select an entity, centre the view on it and show its card. */
  function focusNode(id, animate = true) {
    if (!nodeData.has(id)) return false;
    if (!state.visibleNodes.has(id)) resetFilters();
    state.focused = null;
    state.pinned = { kind: "node", id };
    network.selectNodes([id]);
    highlightNeighbourhood(id);
    showNode(id);
    const done = () => { state.focused = id; };
    if (animate) {
      network.once("animationFinished", done);
      setTimeout(done, 900);
    }
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), locked: false,
                        animation: animate ? { duration: 450, easingFunction: "easeInOutQuad" } : false });
    if (!animate) done();
    return true;
  }
  /** Select a claim and show its evidence. */
  function selectEdge(id) {
    if (!edgeData.has(id)) return false;
    if (!state.visibleEdges.has(id)) resetFilters();
    state.pinned = { kind: "edge", id };
    network.selectEdges([id]);
    const e = edgeData.get(id);
    if (state.pinnedChain === null) highlight(new Set([e.from, e.to]), new Set([id]), "claim", true);
    showEdge(id);
    return true;
  }

  // --- search -------------------------------------------------------------------------------------------------
  const norm = (s) => String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, " ").trim();
  const index = DATA.nodes.map((n) => ({
    id: n.id,
    names: [[n.label, 0, ""], [n.id, 0, ""]]
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
      return el("li", { role: "option", "aria-selected": i === active ? "true" : "false",
                        onmousedown: (ev) => { ev.preventDefault(); choose(i); } },
        swatch(typeData.get(n.type) || n), el("span", {}, n.label), el("span", { class: "why" }, why));
    }));
    suggest.hidden = suggestions.length === 0;
    searchBox.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
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
      applyFilters();
    });
    return el("li", {}, el("label", { title: title || null }, box, parts, el("span", { class: "n" }, String(count))));
  }
  byId("legend-types").replaceChildren(...DATA.types.map((t) =>
    checkRow(() => state.filters.types, t.key, [swatch(t), el("span", { class: "text" }, t.label)], t.definition, t.count)));
  byId("legend-signs").replaceChildren(...DATA.signs.map((s) => {
    const key = el("span", { class: "arrowkey", "aria-hidden": "true" },
      el("span", { class: "shaft" }), el("span", { class: "head" }, s.arrow === "bar" ? "┤" : "▶"));
    key.firstChild.style.borderTopColor = s.color;
    key.lastChild.style.color = s.color;
    return checkRow(() => state.filters.signs, s.key, [key, el("span", { class: "text" }, s.label)], "", s.count);
  }));
  byId("legend-status").replaceChildren(...DATA.statuses.map((s) => {
    const key = el("span", { class: "arrowkey", "aria-hidden": "true" }, el("span", { class: "shaft" }));
    key.firstChild.style.borderTopStyle = s.key === "negated" ? "dotted" : s.dashes ? "dashed" : "solid";
    key.firstChild.style.borderTopColor = s.key === "negated" ? "#b0b0b0" : "#555";
    if (s.key === "hedged" || s.key === "speculative") key.firstChild.style.opacity = "0.5";
    return checkRow(() => state.filters.statuses, s.key, [key, el("span", { class: "text" }, s.key)], s.help, s.count);
  }));
  byId("legend-sources").replaceChildren(...DATA.sources.map((s) =>
    checkRow(() => state.filters.sources, s.key, [el("span", { class: "text" }, s.title)],
      [s.title, s.kind, s.date, s.file].filter(Boolean).join(" · "), s.count)));

  // --- chains (path view) -------------------------------------------------------------------------------------
  if (DATA.paths.length) {
    byId("chains").hidden = false;
    const items = DATA.paths.map((p, i) => {
      const text = [el("span", { class: "node" }, p.labels[0])];
      p.hops.forEach((h, j) => {
        const cls = "hop " + SIGN_CLASS[String(h.sign)];
        text.push(" ", el("span", { class: cls }, `—${h.sign > 0 ? "(+)" : h.sign < 0 ? "(−)" : ""} ${h.phrase}→`),
          h.status !== "asserted" ? [" ", statusFlag(h.status)] : null, " ", el("span", { class: "node" }, p.labels[j + 1]));
      });
      const li = el("li", { "data-chain": String(i), "aria-pressed": "false", tabindex: "0" },
        el("div", { class: "chain-head" },
          p.cost !== null && p.cost !== undefined ? el("span", { class: "cost" }, `cost ${p.cost}`) : null,
          `${i + 1}. `, el("span", { class: "effect-" + p.effect }, p.effect),
          el("span", { class: "muted" }, ` · ${p.hops.length} step${p.hops.length === 1 ? "" : "s"}`)),
        el("div", { class: "chain-text" }, text));
      li.addEventListener("mouseenter", () => highlightChain(i));
      li.addEventListener("mouseleave", restoreBaseHighlight);
      const pin = () => {
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

  byId("fit").addEventListener("click", () => network.fit({ animation: { duration: 300 } }));
  byId("reset").addEventListener("click", () => {
    resetFilters();
    state.pinned = null;
    state.pinnedChain = null;
    for (const li of byId("chain-list").children) li.setAttribute("aria-pressed", "false");
    network.unselectAll();
    highlight(null);
    showIntro();
    network.fit({ animation: { duration: 300 } });
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && document.activeElement !== searchBox) {
      state.pinned = null;
      network.unselectAll();
      restoreBaseHighlight();
      showIntro();
    }
  });

  byId("title").textContent = DATA.meta.title;
  byId("subtitle").textContent = DATA.meta.subtitle;
  byId("foot").textContent = `Made by ${DATA.meta.generator} · a self-contained page: works offline · ` +
    "drawn with vis-network (MIT / Apache-2.0)";
  updateCounts();
  showPinned();
  state.timing.ready = performance.now();
  if (OPTS.physics && OPTS.physics.enabled) {
    network.on("stabilizationProgress", (p) => {
      byId("loading").textContent = `Laying out the graph… ${Math.round((100 * p.iterations) / p.total)}%`;
    });
    network.once("stabilizationIterationsDone", settled);
  } else {
    settled();
  }

  /** A small API for notebooks and tests. */
  window.mechkg = {
    network, nodes, edges, nodesView, edgesView, data: DATA, state,
    search, findNodes, focusNode, overlaps: () => findOverlaps(labelBoxes(), 0).length, selectEdge, highlightChain, resetFilters, applyFilters,
    highlighted: () => (state.highlight
      ? { nodes: [...state.highlight.nodes], edges: [...state.highlight.edges], why: state.highlight.why }
      : null),
  };
})();
