"""Matching by truncated words, beside the stems.

Snowball removes inflections, not derivations: "Europe" gives "europ" and
"européenne" "europeen", "gouvernement" and "gouverneur" part too. The
``truncated`` field indexes the first letters of every word of the body (see
``searchkit.analysis.truncated``), with frequencies, and a query of plain words
is also scored there: TRUNCATED_WEIGHT times BM25 with that field's idf and
the body's lengths (the field has one token per word of the body). Articles
sharing a stem with the query hold its truncated words too, so the stems still
rank first; an article that only shares words of the same family can be found.
"""

TRUNCATED_FIELD = "truncated"
TRUNCATED_WEIGHT = 0.5
