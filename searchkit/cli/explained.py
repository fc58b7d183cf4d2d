"""An explanation for a person: a few indented lines under a hit."""

from __future__ import annotations

from searchkit.cli.output import DIM, INDENT, RESET, visible
from searchkit.search.results import Explanation, Form

MAX_FORMS = 6  # forms listed per query word; the rest counted


def _form(form: Form) -> str:
    count = f" ×{form.count}" if form.count > 1 else ""
    return f"{visible(form.text)}{count} ({form.how})"


def explanation_lines(explanation: Explanation, color: bool) -> list[str]:
    """The sum the article's score is, then each query word with the forms
    it found in the article and how they match it."""
    terms = [f"{visible(part.query)} {part.score:.2f}" for part in explanation.parts]
    terms += [f"{name} {value:.2f}" for name, value in explanation.bonuses.items()]
    total = " + ".join(terms)
    if explanation.scale != 1.0:
        total = f"({total}) × {explanation.scale:.2f}, found only through a spelling correction"
    lines = [f"why: {explanation.score:.2f} = {total}"]
    for part in explanation.parts:
        forms = " · ".join(_form(form) for form in part.forms[:MAX_FORMS])
        more = len(part.forms) - MAX_FORMS
        lines.append(f"  {visible(part.query)}: {forms or 'held by its field'}"
                     + (f" and {more} more" if more > 0 else ""))
    if explanation.passage != 1.0:
        lines.append(f"this passage: × {explanation.passage:.2f} of the article's score (its next best)")
    return [INDENT + (DIM + line + RESET if color else line) for line in lines]
