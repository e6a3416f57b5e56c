"""mechkg: a signed, evidence-backed mechanism knowledge graph built from documents.

The Python API answers by names, as the `kg` command does (see kg.api):

    import kg
    kg.how("ketamine", "fatigue").effect            # 'decreases'
    kg.sparql("mechanism-chain", drug="ketamine")   # typed rows
    kg.show("NMDA receptor"), kg.effects("ketamine", types=("Symptom",)), kg.load_graph("my/data")

Everything is imported on first use, so `import kg` costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Answer", "Rows", "causes", "effects", "how", "load_graph", "show", "sparql"]  # kg.api.resolve too

if TYPE_CHECKING:
    from kg.api import Answer, Rows, causes, effects, how, load_graph, show, sparql


def __getattr__(name: str):
    if name in __all__:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
