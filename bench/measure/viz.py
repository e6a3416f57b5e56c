"""HTML views: rendering a 1,000-entity neighbourhood with kg.viz."""

from __future__ import annotations

import time
from typing import Any

from bench.measure.proc import NA, median


def thousand(graph, start: str, limit: int = 1000):
    """A neighbourhood of up to `limit` entities around `start` (breadth first) and the statements among them."""
    from collections import deque

    from kg.viz import Selection

    seen = {start: None}
    todo = deque([start])
    while todo and len(seen) < limit:
        n = todo.popleft()
        for st in (*graph.outgoing(n), *graph.incoming(n)):
            m = st.object if st.subject == n else st.subject
            if m not in seen:
                seen[m] = None
                todo.append(m)
                if len(seen) >= limit:
                    break
    sts = tuple(i for n in seen for i in graph.out_edges.get(n, ()) if graph.statements[i].object in seen)
    return Selection(tuple(seen), sts)


def viz_time(graph, start: str, runs: int) -> dict[str, Any] | str:
    """Median time to render a 1,000-entity neighbourhood as an HTML page with kg.viz."""
    try:
        from kg import viz
    except ImportError:
        return NA
    if not all(hasattr(viz, n) for n in ("Selection", "view_data", "render_html")):
        return NA
    sel = thousand(graph, start)
    times, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        page = viz.render_html(viz.view_data(graph, sel, title="bench"))
        times.append(time.perf_counter() - t0)
        size = len(page)
    return {
        "median_s": median(times),
        "nodes": len(sel.nodes),
        "edges": len(sel.statements),
        "html_mb": round(size / 1e6, 2),
    }
