"""`python -m kg` and the `kg` console script: run the click application of cli.py."""

from __future__ import annotations


def main() -> None:
    """Start the CLI (cli.py ships as kg/_cli.py inside a wheel)."""
    try:
        from kg._cli import main as run
    except ModuleNotFoundError:
        from cli import main as run
    run()


if __name__ == "__main__":
    main()
