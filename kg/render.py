"""Plain-text renderings of library results for the terminal (stable when piped)."""

from __future__ import annotations

import textwrap

from kg.describe import EntityCard, StatementView

SIGN = {1: "+", -1: "−", 0: "·"}


def statement_lines(v: StatementView, indent: str = "    ") -> list[str]:
    """A statement with its sign, status, qualifiers and quotes, one fact per line."""
    flag = "" if v.status == "asserted" else f" [{v.status.upper()}]"
    lines = [f"{indent}({SIGN[v.sign]}) {v.sentence}{flag}   <{v.id}>"]
    if v.qualifiers:
        lines.append(f"{indent}    qualifiers: {'; '.join(v.qualifiers)}")
    if v.note:
        lines += textwrap.wrap(
            f"note: {v.note}", 96, initial_indent=indent + "    ", subsequent_indent=indent + "      "
        )
    for e in v.evidence:
        lines += textwrap.wrap(
            f"“{e['quote']}” — {e['title']}", 96, initial_indent=indent + "    ", subsequent_indent=indent + "      "
        )
    if v.conflicts_with:
        lines.append(f"{indent}    conflicts with: {', '.join(v.conflicts_with)}")
    return lines


def card_text(card: EntityCard) -> str:
    """The entity card as text."""
    ids = ", ".join(f"{i['curie']}{'' if i['match'] == 'exact' else ' (close)'}" for i in card.ids) or "none"
    lines = [
        f"{card.label}  [{card.type}, {card.category}]  key: {card.key}",
        f"  ids:       {ids}",
        f"  synonyms:  {', '.join(card.synonyms) or 'none'}",
    ]
    lines += textwrap.wrap(
        card.definition or "(no definition)", 96, initial_indent="  definition: ", subsequent_indent="              "
    )
    for title, items in (("out", card.outgoing), ("in", card.incoming)):
        lines.append(f"\n  statements {title} ({len(items)}):")
        for v in items:
            lines += statement_lines(v)
    return "\n".join(lines)
