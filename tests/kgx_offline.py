"""Run the real `kgx` command offline: `python tests/kgx_offline.py validate -i tsv nodes.tsv edges.tsv`.

kgx 2.x builds a bmt Toolkit when it is imported, and that downloads biolink-model.yaml, a predicate map and
JSON-LD contexts from GitHub. The `biolink-model` wheel installed beside kgx bundles the schema and the Biolink
prefix map, so this points bmt's Toolkit defaults and kgx's JSON-LD contexts at those files before kgx is
imported; everything else is kgx's own code. mechkg itself never imports kgx (it is a test tool only).

The prefix map is Biolink's, plus the one prefix the export uses for entities without a standard identifier
(MECHKG, see kg.export.KGX_PREFIX): kgx checks node ids against the JSON-LD context it is given, and a KG's
own prefix has to be declared there, as for any KGX source.
"""

from __future__ import annotations

import json
import sys
from importlib.util import find_spec
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.export import KGX_PREFIX
from kg.vocab import ENT


def biolink_files() -> tuple[Path, Path]:
    """The Biolink schema and prefix map that the biolink-model wheel ships."""
    spec = find_spec("biolink_model")  # a namespace package: no __file__
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("biolink_model")
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "schema" / "biolink_model.yaml", root / "prefixmaps" / "biolink_model_prefix_map.json"


def prefix_map(with_own: bool = True) -> dict[str, str]:
    """Biolink's prefix map, with the export's own entity prefix unless `with_own` is false."""
    prefixes = json.loads(biolink_files()[1].read_text(encoding="utf-8"))
    return {**prefixes, KGX_PREFIX: ENT} if with_own else prefixes


def patch(with_own: bool = True) -> None:
    """Make bmt and kgx read the bundled Biolink files instead of downloading them (call before importing kgx)."""
    import bmt.toolkit

    schema, _ = biolink_files()
    bmt.toolkit.Toolkit.__init__.__defaults__ = (str(schema), {"predicate mappings": []})
    import kgx.config

    context = prefix_map(with_own)
    for name in ("biolink", "monarch_context", "obo_context"):
        kgx.config.jsonld_context_map[name] = context


if __name__ == "__main__":
    own = "--biolink-prefixes-only" not in sys.argv
    args = [a for a in sys.argv[1:] if a != "--biolink-prefixes-only"]
    patch(with_own=own)
    from kgx.cli import cli

    cli.main(args=args, prog_name="kgx")
