"""Sentences, passages and what is inferred from an article's text."""

import pytest

from searchkit.articles.article import Article, french_date, iso_date, split_headline
from searchkit.articles.passages import MAX_WORDS, MIN_WORDS, passages, sentences
from tests.helpers import SEEDS


def cut(text):
    return [text[s:e] for s, e in sentences(text)]


def test_sentences_cut_without_a_space_after_the_stop():
    assert cut("Il a parlé jeudi.Le gouvernement répond.") == [
        "Il a parlé jeudi.", "Le gouvernement répond."]


@pytest.mark.parametrize("text", [
    "Selon M. Dupont la ville tient.",
    "Le ministre J.-Y. Le Drian est arrivé.",
    "Le chômage recule de 3,5 % cette année.",
    "Des chars, des avions, etc. Et des soldats.",
    "Le site orange.fr en parle.",
    "Il a reçu 3.5 millions.",
])
def test_sentences_do_not_cut_abbreviations_initials_or_numbers(text):
    assert cut(text) == [text]


def test_sentences_end_at_question_marks_quotes_and_ellipses():
    assert cut("Pourquoi ? « Parce que. » Voilà… Enfin!") == [
        "Pourquoi ?", "« Parce que. »", "Voilà…", "Enfin!"]


def words(n, word="mot"):
    return " ".join([word] * n)


def test_paragraphs_are_passages_and_offsets_point_into_the_text():
    text = f"{words(50, 'un')}.\n\n{words(60, 'deux')}.\n\n{words(45, 'trois')}."
    spans = passages(text)
    assert [text[s:e].split()[0] for s, e in spans] == ["un", "deux", "trois"]
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)


def test_single_newlines_separate_paragraphs_when_there_are_no_blank_lines():
    text = f"{words(50, 'un')}.\n{words(50, 'deux')}."
    assert len(passages(text)) == 2


def test_long_paragraphs_are_cut_at_sentence_ends_into_windows():
    sentence = "Un " + words(18) + "."
    text = " ".join([sentence] * 30)  # 570 words, no line breaks
    spans = passages(text)
    counts = [len(text[s:e].split()) for s, e in spans]
    assert len(spans) > 1
    assert all(MIN_WORDS <= c <= MAX_WORDS for c in counts)
    assert all(text[s:e].endswith(".") for s, e in spans)
    assert sum(counts) == 570


def test_run_on_text_without_sentence_ends_is_cut_between_words():
    text = words(500)
    counts = [len(text[s:e].split()) for s, e in passages(text)]
    assert max(counts) <= MAX_WORDS and sum(counts) == 500


def test_a_short_paragraph_joins_the_next():
    text = f"Sous-titre\n\n{words(50)}."
    assert passages(text) == [(0, len(text))]


def test_headline_is_the_first_line_when_it_reads_as_one():
    text = "Grèce : le nouveau gouvernement formé\n\n21 juin 2012. - Le texte."
    assert split_headline(text) == ("Grèce : le nouveau gouvernement formé", text.index("\n") + 1)
    assert split_headline("# Un titre\nLe texte.")[0] == "Un titre"
    assert split_headline("Une longue première phrase qui finit par un point.\nSuite.") == ("", 0)
    assert split_headline("Une seule ligne") == ("", 0)
    assert split_headline("Grève à la S.N.C.F.\nLe trafic est perturbé.")[0] == "Grève à la S.N.C.F."


def test_title_is_the_first_sentence_without_a_headline():
    article = Article.from_text("a", "La libération s’annonce laborieuse. La coalition avance.\nSuite.")
    assert article.title == "La libération s’annonce laborieuse."


def test_date_from_a_french_date_opening_the_body():
    article = Article.from_text("a", "Titre\n\n21 juin 2012. - Le texte de l'article.")
    assert article.date == "2012-06-21"
    assert french_date("1er août 2016, Paris") == "2016-08-01"
    assert french_date("Le mardi 3 décembre 2019") == "2019-12-03"
    assert french_date("Il y a 21 juin 2012") is None


def test_iso_dates_from_metadata():
    assert iso_date("2020-07-02T10:00:00Z") == "2020-07-02"
    assert iso_date("2016-05") == "2016-05-01"
    assert iso_date("hier") is None


def test_passages_scored_on_their_terms_score_and_mark_as_the_full_scan():
    """Plain-word queries score passages on each passage's terms and mark only
    the passages shown; both must agree with scanning the whole article."""
    from searchkit.analysis.french import terms
    from searchkit.search.highlight import MatchSpec, marks_in, score_by_terms, score_passages

    for path in sorted(SEEDS.glob("*.txt"))[:12]:
        article = Article.from_text(path.name, path.read_text("utf-8"))
        spans = passages(article.text, article.body_start)
        words = terms(article.text)
        spec = MatchSpec(terms={words[3]: 2.0, words[len(words) // 2]: 1.5, "mossoul": 3.0})
        scanned = score_passages(article.text, spans, spec)
        counted = score_by_terms(article.text, spans, spec)
        assert [round(p.score, 9) for p in counted] == [round(p.score, 9) for p in scanned]
        assert any(p.score > 0 for p in counted)
        for passage in scanned:
            assert marks_in(article.text, passage.span, spec) == passage.highlights


def test_the_body_analysed_passage_by_passage_gives_the_tokens_of_the_whole_body():
    from searchkit.analysis.french import index_tokens
    from searchkit.ranking.settings import Ranking
    from searchkit.storage.documents import cut_passages, document_of

    for path in sorted(SEEDS.glob("*.txt")):
        document = document_of(Article.from_text(path.name, path.read_text("utf-8")), "signature", "digest",
                               title_weight=Ranking().title_weight)
        cut = cut_passages(document)
        assert cut.tokens["body"] == index_tokens(document.fields["body"])
        edges = cut.fields["passage_positions"]
        assert len(edges) == 2 * cut.fields["passage_count"] and edges == sorted(edges)


# Scraped text glues a sentence to the next after a closing bracket or quote.
@pytest.mark.parametrize("text, expected", [
    ("Il a saisi l'office (OCLCIFF).Le parquet a ouvert une enquête.",
     ["Il a saisi l'office (OCLCIFF).", "Le parquet a ouvert une enquête."]),
    ('Il a répondu "non".Le parquet a ouvert une enquête.',
     ['Il a répondu "non".', "Le parquet a ouvert une enquête."]),
    ("Il a répondu « non ».Le parquet a ouvert une enquête.",
     ["Il a répondu « non ».", "Le parquet a ouvert une enquête."]),
    ("Il a demandé « pourquoi ?»Le parquet a ouvert une enquête.",
     ["Il a demandé « pourquoi ?»", "Le parquet a ouvert une enquête."]),
    ('Il a crié "assez !"Le parquet a ouvert une enquête.',
     ['Il a crié "assez !"', "Le parquet a ouvert une enquête."]),
])
def test_sentences_glued_after_a_closing_bracket_or_quote_are_cut(text, expected):
    assert cut(text) == expected


def test_passages_of_glued_scraped_text_start_at_sentence_starts():
    sentence = "Le parquet a ouvert une enquête sur les comptes de la société (OCLCIFF)."
    text = "".join(f"{sentence[:-1]} numéro {n})." for n in range(30)).replace(
        "Le parquet", "Le Parquet")  # 30 sentences, 13 words each, no space between them
    spans = passages(text)
    assert len(spans) > 1
    for span in spans:
        assert text[span.start:].startswith("Le Parquet")
        assert MIN_WORDS <= len(text[span.start:span.end].split()) <= MAX_WORDS


def test_the_sentence_splitter_is_linear_on_runs_of_stops():
    # A run of stops was read again from each of its stops: 16,000 dots took
    # 156 s. A child process, so that a regression fails in seconds, not minutes.
    import subprocess
    import sys

    script = ("import time\nfrom searchkit.articles.passages import sentences\n"
              "for stop in '.!?…':\n"
              "    text = 'Début' + stop * 16000 + ' fin'\n"
              "    started = time.perf_counter()\n"
              "    assert sentences(text)\n"
              "    assert time.perf_counter() - started < 2, stop\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=20)


@pytest.mark.parametrize("first_line", ["3 juin 2016", "Vendredi 3 juin 2016", "3 juin 2016 à 14h30", "Le 3 juin 2016."])
def test_a_text_opening_with_a_date_line_takes_it_as_its_date_and_the_next_line_as_its_title(first_line):
    text = f"{first_line}\n\nLa crue de la Seine atteint son pic\n\nLa Seine a atteint 6,10 mètres vendredi."
    article = Article.from_text("crue.txt", text)
    assert (article.title, article.date) == ("La crue de la Seine atteint son pic", "2016-06-03")
    assert text[article.body_start:].strip() == "La Seine a atteint 6,10 mètres vendredi."


def test_a_date_that_opens_a_sentence_is_no_date_line():
    text = "21 juin 2012. - Le texte commence ainsi.\nSuite."
    article = Article.from_text("a.txt", text)
    assert (article.title, article.date, article.body_start) == ("21 juin 2012. - Le texte commence ainsi.", "2012-06-21", 0)
