"""mechkg: a signed, evidence-backed mechanism knowledge graph built from documents.

The public API: `load_graph` builds (or reads from cache) the graph; `resolve`, `how`, `effects`,
`entity_card`, `export` and `sparql` answer questions over it.
"""

from __future__ import annotations

__version__ = "0.1.0"
