"""Parsing the query syntax, and the one-line errors for malformed queries."""

import re

import pytest

from searchkit.errors import QueryError
from searchkit.search.querylang import AllOf, AnyOf, Not, Phrase, Prefix, Words, parse, quoted


def test_plain_words_are_one_run_analysed_together():
    assert parse("libération de Mossoul") == Words("libération de Mossoul")
    assert parse("30 000 soldats") == Words("30 000 soldats")


def test_passages_quoted_in_plain_text():
    assert quoted('Guyane: "situation extrêmement préoccupante" selon « le ministre » et “lui”') == [
        "situation extrêmement préoccupante", "le ministre", "lui"]
    assert quoted('un "guillemet seul, « puis » rien') == ["puis"]
    assert quoted("l’« ami »") == ["ami"]
    assert quoted('rien "" ici « »') == []


def test_phrase_exclusion_and_fields():
    assert parse('"coalition internationale" -Raqqa') == AnyOf(
        (Phrase("coalition internationale"), Not(Words("Raqqa"))))
    assert parse("title:Mossoul") == Words("Mossoul", "title")
    assert parse('TITLE:"la bataille"') == Phrase("la bataille", "title")
    assert parse("libér*") == Prefix("libér")


def test_operators_and_grouping():
    assert parse("a AND b") == AllOf((Words("a"), Words("b")))
    assert parse("a OR b") == AnyOf((Words("a"), Words("b")))
    assert parse("NOT a b") == AnyOf((Not(Words("a")), Words("b")))
    assert parse("-Raqqa Mossoul Irak") == AnyOf((Not(Words("Raqqa")), Words("Mossoul Irak")))
    assert parse("(a OR b) AND c") == AllOf((AnyOf((Words("a"), Words("b"))), Words("c")))


def test_hyphens_and_colons_inside_words_are_text():
    assert parse("anti-Daesh") == Words("anti-Daesh")
    assert parse("Affaire Traoré: les avocats") == Words("Affaire Traoré: les avocats")
    assert parse("a - b") == Words("a - b")


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("   ", "empty"),
    ('"coalition internationale', "unbalanced quote"),
    ("(Mossoul", "( is never closed"),
    ("Mossoul)", ") without ("),
    ("AND Mossoul", "AND needs"),
    ("Mossoul AND", "AND needs"),
    ("Mossoul OR", "OR needs"),
    ("OR", "OR needs"),
    ("Mossoul NOT", "NOT needs"),
    ("()", "empty parentheses"),
    ("title:", "title: must be followed"),
])
def test_malformed_queries_raise_a_one_line_query_error(text, message):
    with pytest.raises(QueryError, match=re.escape(message)) as caught:
        parse(text)
    assert "\n" not in str(caught.value)
