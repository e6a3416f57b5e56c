"""Where the embedded data, ontology and named queries live, in a checkout or an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent
# A wheel ships data/, ontology/ and queries/ inside the package; a checkout has them beside kg/.
_BASE = _PKG / "_resources" if (_PKG / "_resources").is_dir() else _PKG.parent


def data_dir() -> Path:
    """The embedded ketamine dataset (or $MECHKG_DATA)."""
    return Path(os.environ.get("MECHKG_DATA") or _BASE / "data")


def ontology_dir() -> Path:
    """The vocabulary, shapes and prefix map."""
    return _BASE / "ontology"


def queries_dir() -> Path:
    """The library of named SPARQL queries."""
    return _BASE / "queries"


def cache_root() -> Path:
    """Where built graphs are cached: $MECHKG_CACHE_DIR, else the user's cache directory."""
    env = os.environ.get("MECHKG_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "mechkg"
