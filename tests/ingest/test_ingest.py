"""Ingesting real folders: formats, encodings, incremental updates, bad input."""

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.articles import sources
from searchkit.cli.commands import main
from tests.heldtexts import texts_another_folder_holds_stay_when_their_article_goes

HTML_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>Mossoul : la bataille commence | Le Journal</title>
<meta name="author" content="Marie Durand">
<meta property="og:site_name" content="Le Journal">
<meta property="article:published_time" content="2016-10-25T10:00:00+02:00">
</head><body>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/monde">Monde</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<div id="cookie-banner">Nous utilisons des cookies pour améliorer votre expérience. Accepter</div>
<article><h1>Mossoul : la bataille commence</h1>
<p>La libération de Mossoul s’annonce laborieuse. La coalition annonce un affaiblissement
de Daesh, tandis qu’à Paris la reprise de Raqqa figure déjà sur l’agenda des ministres.</p>
<p>Treize ministres de la Défense de la coalition internationale sont réunis aujourd’hui à
Paris autour du ministre français Jean-Yves Le Drian et de son homologue américain.</p>
<p>Les combats dans Mossoul intra-muros ne commenceront certainement pas avant un mois,
et ils recèleront beaucoup de pièges pour la coalition internationale.</p>
</article>
<footer><p>© 2016 Le Journal – Mentions légales – Plan du site – Newsletter</p></footer>
</body></html>
"""

FRENCH = "L’œuvre « Été » de Noël à Nîmes, déjà célèbre."


def ingest(*paths, index, options=()):
    return CliRunner().invoke(main, ["ingest", *map(str, paths), "--index", str(index), *options])


def article_texts(index_path):
    with searchkit.Index(index_path, create=False) as index:
        return {article.id: article for article in index.articles()}


def summary(result):
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("Ingested: "), result.output
    counts = {}
    # "1 duplicate", "2 skipped (not an article format)": counts by their plural name.
    for number, name in re.findall(r"(?:^|, )(\d+) ([a-z]+)", line[len("Ingested: "):].split(";")[0]):
        counts[name if name.endswith(("s", "ed")) else name + "s"] = int(number)
    return counts


# -- formats ------------------------------------------------------------


def test_every_format_by_extension_case_insensitive(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.TXT").write_text("Titre du texte\n\nLe corps du texte brut sur la Seine.", "utf-8")
    (news / "b.Md").write_text("# Titre markdown\n\nLe Rhône déborde à Lyon.", "utf-8")
    (news / "page.HTML").write_text(HTML_PAGE, "utf-8")
    (news / "one.json").write_text(json.dumps({"id": "j1", "text": "La Garonne monte."}), "utf-8")
    (news / "list.json").write_text(json.dumps([{"text": "La Loire est basse."}, {"id": "j3", "text": "Le Rhin gèle."}]), "utf-8")
    (news / "dump.jsonl").write_text('{"id": "l1", "text": "La Meuse."}\n{"id": "l2", "text": "La Moselle."}\n', "utf-8")
    with gzip.open(news / "dump2.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write('{"id": "g1", "text": "La Dordogne."}\n')
    (news / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (news / "notes.csv").write_text("a,b", "utf-8")
    result = ingest(news, index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    counts = summary(result)
    assert (counts["added"], counts["skipped"], counts["failed"]) == (9, 2, 0)
    articles = article_texts(tmp_path / "ix")
    assert set(articles) == {"a.TXT", "b.Md", "page.HTML", "j1", "list.json#1", "j3", "l1", "l2", "g1"}
    assert articles["b.Md"].title == "Titre markdown"


def test_html_pages_give_the_article_text_and_metadata_only(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(HTML_PAGE, "utf-8")
    assert ingest(page, index=tmp_path / "ix").exit_code == 0
    article = article_texts(tmp_path / "ix")["page.html"]
    assert article.title == "Mossoul : la bataille commence"
    assert article.date == "2016-10-25"
    assert article.author == "Marie Durand"
    assert "La libération de Mossoul s’annonce laborieuse." in article.text
    for chrome in ("Accueil", "cookies", "Mentions légales", "Newsletter"):
        assert chrome not in article.text


def test_json_dumps_of_common_scrapers_and_feeds_are_read(tmp_path):
    news_please = {  # news-please's JSON
        "title": "Grève à la SNCF", "maintext": "Les trains restent à quai ce jeudi.",
        "description": "Les cheminots ont voté la reconduction du mouvement.",
        "date_publish": "2020-07-02 10:15:00", "authors": ["Marie Durand", "Paul Martin"],
        "source_domain": "www.example.fr", "url": "https://www.example.fr/greve",
    }
    feed_item = {"title": "Crue de la Seine", "content": "La Seine monte à Paris.",
                 "link": "https://www.example.fr/crue", "pubDate": "Thu, 02 Jul 2020 23:30:00 +0200"}
    (tmp_path / "dump.jsonl").write_text("\n".join(json.dumps(r) for r in (news_please, feed_item)), "utf-8")
    assert ingest(tmp_path / "dump.jsonl", index=tmp_path / "ix").exit_code == 0
    articles = article_texts(tmp_path / "ix")
    greve, crue = articles["dump.jsonl#1"], articles["dump.jsonl#2"]
    assert greve.text == "Les cheminots ont voté la reconduction du mouvement.\n\nLes trains restent à quai ce jeudi."
    assert (greve.title, greve.date, greve.author, greve.source, greve.url) == (
        "Grève à la SNCF", "2020-07-02", "Marie Durand, Paul Martin", "www.example.fr", "https://www.example.fr/greve")
    assert (crue.text, crue.date, crue.url) == ("La Seine monte à Paris.", "2020-07-02", "https://www.example.fr/crue")
    with searchkit.Index(tmp_path / "ix") as index:
        hit = index.search("reconduction").hits[0]  # a word of the lead only
    assert hit.article_id == "dump.jsonl#1" and hit.text.startswith("Les cheminots ont voté")


def test_html_in_json_fields_is_read_as_text(tmp_path):
    rss_item = {  # an RSS item: HTML in the description, entities in the title
        "title": "Procter &amp; Gamble rach&egrave;te <i>Le Petit Marseillais</i>",
        "description": "<p>Le groupe annonce l&#8217;achat.</p>",
        "content": "<div><p>Premier paragraphe,\n  sur deux lignes.</p><p>Second<br/>avec une ligne</p>"
                   "<script>track();</script></div>",
        "author": "<a href=\"/auteurs/md\">Marie Durand</a>",
    }
    inline_only = {"title": "Revue de presse", "text": "Selon <i>Le Monde</i>, rien.\n\nEt <b>Libération</b> ?"}
    plain = {"title": "Sondage", "text": "Les moins de <30 ans> votent moins; a < b & c > d."}
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in (rss_item, inline_only, plain)), "utf-8")
    assert ingest(tmp_path / "feed.jsonl", index=tmp_path / "ix").exit_code == 0
    articles = article_texts(tmp_path / "ix")
    item = articles["feed.jsonl#1"]
    assert item.title == "Procter & Gamble rachète Le Petit Marseillais"
    assert item.author == "Marie Durand"
    assert item.text == "Le groupe annonce l’achat.\n\nPremier paragraphe, sur deux lignes.\n\nSecond\navec une ligne"
    assert articles["feed.jsonl#2"].text == "Selon Le Monde, rien.\n\nEt Libération ?"
    assert articles["feed.jsonl#3"].text == plain["text"]
    with searchkit.Index(tmp_path / "ix") as index:
        assert index.search("span OR script OR egrave OR track").hits == []
        hit = index.search("Marseillais").hits[0]
    assert hit.title == "Procter & Gamble rachète Le Petit Marseillais"


def test_a_json_text_that_is_only_markup_is_refused(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"title": "Vide", "text": "<p> </p><img src='x.jpg'/>"}), "utf-8")
    result = ingest(tmp_path / "a.json", index=tmp_path / "ix")
    assert result.exit_code == 1
    assert 'a.json: no "text" field' in result.output


@pytest.mark.parametrize("given, expected", [
    ("2016-05-21T10:00:00+02:00", "2016-05-21"), ("2016-05", "2016-05-01"), ("20160521", "2016-05-21"),
    (1463788800, "2016-05-21"), (1463788800000, "2016-05-21"), ("Sat, 21 May 2016 10:00:00 GMT", "2016-05-21"),
    (12345, None), ("2016-13-45", None), ("hier", None),
])
def test_json_dates_are_read_or_left_out_never_misread(tmp_path, given, expected):
    (tmp_path / "a.json").write_text(json.dumps({"text": "La Seine monte.", "date": given}), "utf-8")
    assert ingest(tmp_path / "a.json", index=tmp_path / "ix").exit_code == 0
    assert article_texts(tmp_path / "ix")["a.json"].date == expected


def test_a_short_lead_without_a_full_stop_is_shown_and_marked(tmp_path):
    record = {"title": "Grève", "abstract": "Les cheminots reconduisent le mouvement",
              "text": "Les trains restent à quai ce jeudi."}
    (tmp_path / "dump.jsonl").write_text(json.dumps(record), "utf-8")
    assert ingest(tmp_path / "dump.jsonl", index=tmp_path / "ix").exit_code == 0
    with searchkit.Index(tmp_path / "ix") as index:
        hit = index.search("reconduisent").hits[0]
    assert hit.title == "Grève"
    assert [hit.text[start:end] for start, end in hit.highlights] == ["reconduisent"]


# -- encodings ----------------------------------------------------------


@pytest.mark.parametrize("encoding, data", [
    ("utf-8", FRENCH.encode("utf-8")),
    ("utf-8 with BOM", b"\xef\xbb\xbf" + FRENCH.encode("utf-8")),
    ("utf-16 LE with BOM", FRENCH.encode("utf-16")),
    ("utf-16 BE with BOM", b"\xfe\xff" + FRENCH.encode("utf-16-be")),
    ("windows-1252", FRENCH.encode("cp1252")),
    ("latin-1", "Un été à Nîmes, déjà « célèbre ».".encode("latin-1")),
])
def test_encodings_are_detected(tmp_path, encoding, data):
    (tmp_path / "article.txt").write_bytes(data)
    result = ingest(tmp_path / "article.txt", index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    text = article_texts(tmp_path / "ix")["article.txt"].text
    expected = "Un été à Nîmes, déjà « célèbre »." if encoding == "latin-1" else FRENCH
    assert text == expected
    assert "Ã" not in text and "\ufeff" not in text


@pytest.mark.parametrize("name, encoding", [
    ("a.json", "utf-8-sig"), ("a.json", "utf-16"), ("a.json", "cp1252"), ("a.jsonl", "utf-8-sig"), ("a.jsonl", "utf-16"),
    ("a.jsonl", "cp1252"),
])
def test_json_in_the_encodings_of_text_files_is_read(tmp_path, name, encoding):
    records = [{"id": "greve", "title": "Grève à Nîmes", "text": FRENCH}, {"id": "crue", "text": "La Seine monte."}]
    data = json.dumps(records, ensure_ascii=False) if name.endswith(".json") \
        else "\n".join(json.dumps(record, ensure_ascii=False) for record in records) + "\n"
    (tmp_path / name).write_bytes(data.encode(encoding))
    result = ingest(tmp_path / name, index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    articles = article_texts(tmp_path / "ix")
    assert (articles["greve"].title, articles["greve"].text) == ("Grève à Nîmes", FRENCH)
    assert articles["crue"].text == "La Seine monte."


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["CR LF (Windows)", "CR (old Mac)"])
def test_lines_ended_by_cr_read_as_lines(tmp_path, newline):
    text = newline.join(["Grève à la SNCF", "", "Les trains restent à quai.", "", "Les cheminots votent.", ""])
    (tmp_path / "greve.txt").write_bytes(text.encode("utf-8"))
    assert ingest(tmp_path / "greve.txt", index=tmp_path / "ix").exit_code == 0
    article = article_texts(tmp_path / "ix")["greve.txt"]
    assert article.title == "Grève à la SNCF"
    assert "\r" not in article.text
    with searchkit.Index(tmp_path / "ix") as index:
        hit = index.search("cheminots").hits[0]
    assert (hit.title, hit.line) == ("Grève à la SNCF", 3)  # the two short paragraphs make one passage


@pytest.mark.parametrize("data, expected", [
    (FRENCH.encode("utf-16") + b"\x20", FRENCH + "\ufffd"),
    (b"\xef\xbb\xbf" + FRENCH.encode("utf-8") + b" caf\xe9", FRENCH + " caf\ufffd"),
], ids=["utf-16 cut short", "utf-8 with BOM and one Windows-1252 byte"])
def test_a_byte_order_mark_followed_by_bytes_it_does_not_decode(tmp_path, data, expected):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "broken.txt").write_bytes(data)
    (tmp_path / "news" / "other.txt").write_text("La Seine déborde à Paris.", "utf-8")
    result = ingest(tmp_path / "news", index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    texts = article_texts(tmp_path / "ix")
    assert texts["broken.txt"].text == expected
    assert "other.txt" in texts


def test_a_utf16_page_cut_short_keeps_its_title_and_text(tmp_path):
    page = "<html><head><title>Grève à Paris</title></head><body><p>L’article sur la grève.</p></body></html>"
    (tmp_path / "page.html").write_bytes(page.encode("utf-16") + b"\x00")
    result = ingest(tmp_path / "page.html", index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    article = article_texts(tmp_path / "ix")["page.html"]
    assert (article.title, article.text) == ("Grève à Paris", "L’article sur la grève.")


# -- incremental ingestion ----------------------------------------------


@pytest.fixture
def folder(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    for name, text in [("seine.txt", "La Seine déborde à Paris."), ("loire.txt", "La Loire est basse à Orléans."),
                       ("rhone.txt", "Le Rhône gèle à Lyon.")]:
        (news / name).write_text(text, "utf-8")
    return news


def test_unchanged_files_are_not_read_again(folder, tmp_path, monkeypatch):
    assert summary(ingest(folder, index=tmp_path / "ix"))["added"] == 3
    read = []
    real = sources.read_source
    monkeypatch.setattr("searchkit.ingest.ingestion.read_source", lambda s: read.append(s) or real(s))
    counts = summary(ingest(folder, index=tmp_path / "ix"))
    assert (counts["added"], counts["updated"], counts["unchanged"]) == (0, 0, 3)
    assert read == []


def test_an_index_inside_the_folder_ingested_is_not_read_as_articles(folder):
    # "searchkit ingest ." where the default index/ sits
    first = ingest(folder, index=folder / "index")
    assert first.exit_code == 0 and summary(first)["added"] == 3
    again = ingest(folder, index=folder / "index")
    assert again.exit_code == 0, again.output
    counts = summary(again)
    assert (counts["unchanged"], counts["skipped"], counts["failed"]) == (3, 0, 0)
    assert set(article_texts(folder / "index")) == {"seine.txt", "loire.txt", "rhone.txt"}
    # The index given itself: named, nothing read from it.
    itself = ingest(folder / "index", index=folder / "index")
    assert itself.exit_code == 1
    assert "index: a searchkit index, not a folder of articles" in itself.output
    assert summary(itself)["failed"] == 1 and summary(itself)["added"] == 0


def test_touched_file_with_the_same_bytes_is_unchanged(folder, tmp_path):
    ingest(folder, index=tmp_path / "ix")
    os.utime(folder / "seine.txt", (1, 1))
    assert summary(ingest(folder, index=tmp_path / "ix"))["unchanged"] == 3


def test_changed_file_is_reindexed_even_with_the_same_size_and_mtime(folder, tmp_path):
    ingest(folder, index=tmp_path / "ix")
    path = folder / "seine.txt"
    before = path.stat()
    path.write_text("La Somme déborde à Paris.", "utf-8")  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    counts = summary(ingest(folder, index=tmp_path / "ix"))
    assert (counts["updated"], counts["unchanged"]) == (1, 2)
    with searchkit.Index(tmp_path / "ix") as index:
        assert [h.article_id for h in index.search("Somme").hits] == ["seine.txt"]
        assert index.search("Seine").hits == []


def test_prune_removes_gone_files_under_the_given_paths_only(folder, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "garonne.txt").write_text("La Garonne monte à Toulouse.", "utf-8")
    ingest(folder, index=tmp_path / "ix")
    ingest(other, index=tmp_path / "ix")
    (folder / "loire.txt").unlink()
    kept = summary(ingest(folder, index=tmp_path / "ix"))
    assert kept["removed"] == 0  # without --prune nothing goes
    counts = summary(ingest(folder, index=tmp_path / "ix", options=["--prune"]))
    assert (counts["removed"], counts["unchanged"]) == (1, 2)
    assert set(article_texts(tmp_path / "ix")) == {"seine.txt", "rhone.txt", "garonne.txt"}


def test_lines_gone_from_a_jsonl_file_are_removed(tmp_path):
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"id": "a", "text": "La Seine."}\n{"id": "b", "text": "La Loire."}\n', "utf-8")
    ingest(dump, index=tmp_path / "ix")
    dump.write_text('{"id": "a", "text": "La Seine monte."}\n', "utf-8")
    counts = summary(ingest(dump, index=tmp_path / "ix"))
    assert (counts["updated"], counts["removed"]) == (1, 1)
    assert set(article_texts(tmp_path / "ix")) == {"a"}


def test_a_line_broken_in_a_new_version_of_a_file_keeps_the_article_it_gave(tmp_path):
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"id": "a", "text": "La Seine."}\n{"id": "b", "text": "La Loire."}\n', "utf-8")
    ingest(dump, index=tmp_path / "ix")
    dump.write_text('{"id": "a", "text": "La Seine monte."}\n{"id": "b", "text": "La Loire\n', "utf-8")
    result = ingest(dump, index=tmp_path / "ix")
    assert f"{dump}:2: invalid JSON" in result.output
    assert (summary(result)["updated"], summary(result)["removed"]) == (1, 0)
    articles = article_texts(tmp_path / "ix")
    assert (articles["a"].text, articles["b"].text) == ("La Seine monte.", "La Loire.")
    # The file is read again until it reads whole: then the line's new version replaces the old.
    result = ingest(dump, index=tmp_path / "ix")
    assert "invalid JSON" in result.output
    dump.write_text('{"id": "a", "text": "La Seine monte."}\n{"id": "b", "text": "La Loire baisse."}\n', "utf-8")
    counts = summary(ingest(dump, index=tmp_path / "ix"))
    assert (counts["updated"], counts["removed"], counts["failed"]) == (2, 0, 0)
    assert article_texts(tmp_path / "ix")["b"].text == "La Loire baisse."
    assert summary(ingest(dump, index=tmp_path / "ix"))["unchanged"] == 2


def test_exact_duplicate_texts_are_indexed_once_and_counted(folder, tmp_path):
    (folder / "copie.txt").write_text("La Seine déborde à Paris.", "utf-8")
    counts = summary(ingest(folder, index=tmp_path / "ix"))
    assert (counts["added"], counts["duplicates"]) == (3, 1)


def test_a_text_another_folder_holds_stays_when_its_article_goes(tmp_path):
    texts_another_folder_holds_stay_when_their_article_goes(tmp_path, tmp_path / "ix")


def test_remove_by_id_and_by_path(folder, tmp_path):
    ingest(folder, index=tmp_path / "ix")
    result = CliRunner().invoke(main, ["remove", "seine.txt", str(folder / "loire.txt"), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0 and "Removed 2 articles" in result.output
    assert set(article_texts(tmp_path / "ix")) == {"rhone.txt"}
    missing = CliRunner().invoke(main, ["remove", "absent", "--index", str(tmp_path / "ix")])
    assert missing.exit_code == 1 and "absent: no article" in missing.output


def test_a_path_that_holds_no_articles_is_not_kept_for_the_next_rebuild(folder, tmp_path):
    ingest(folder, index=tmp_path / "ix")
    ingest(folder, index=tmp_path / "other")
    typo = ingest(tmp_path / "nope", index=tmp_path / "ix")
    an_index = ingest(tmp_path / "other", index=tmp_path / "ix")
    assert typo.exit_code == an_index.exit_code == 1
    # Kept, every later rebuild failed on them.
    rebuilt = ingest(index=tmp_path / "ix", options=["--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.output.startswith("Rebuilt: 3 added") and "nope" not in rebuilt.output


def test_the_same_id_from_two_files_is_refused_not_overwritten(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "x", "text": "La Seine."}\n', "utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "x", "text": "La Loire."}\n', "utf-8")
    ingest(tmp_path / "a.jsonl", index=tmp_path / "ix")
    result = ingest(tmp_path / "b.jsonl", index=tmp_path / "ix")
    assert result.exit_code == 1 and "already belongs to" in result.output
    assert article_texts(tmp_path / "ix")["x"].text == "La Seine."


def test_folders_added_one_by_one_keep_files_of_the_same_name_apart(tmp_path):
    for name, text in (("lundi", "La Seine monte."), ("mardi", "La Loire baisse.")):
        (tmp_path / name / "2026").mkdir(parents=True)
        (tmp_path / name / "2026" / "article.txt").write_text(text, "utf-8")
    assert summary(ingest(tmp_path / "lundi", index=tmp_path / "ix"))["added"] == 1
    assert summary(ingest(tmp_path / "mardi", index=tmp_path / "ix"))["added"] == 1
    texts = {article_id: article.text for article_id, article in article_texts(tmp_path / "ix").items()}
    assert texts == {"2026/article.txt": "La Seine monte.", "mardi/2026/article.txt": "La Loire baisse."}
    # Each keeps its id when ingested again, changed or not.
    (tmp_path / "mardi" / "2026" / "article.txt").write_text("La Loire déborde.", "utf-8")
    counts = summary(ingest(tmp_path / "lundi", tmp_path / "mardi", index=tmp_path / "ix"))
    assert (counts["unchanged"], counts["updated"], counts["added"], counts["removed"]) == (1, 1, 0, 0)
    assert article_texts(tmp_path / "ix")["mardi/2026/article.txt"].text == "La Loire déborde."


# -- bad input ----------------------------------------------------------


def test_bad_files_are_named_with_the_reason_and_the_rest_is_ingested(tmp_path, monkeypatch):
    news = tmp_path / "news"
    (news / "sub").mkdir(parents=True)
    (news / "sub" / "bon.md").write_text("# Le titre\n\nLa Garonne monte à Toulouse.", "utf-8")
    (news / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (news / "nul.txt").write_bytes("Un texte avec un octet nul\x00 au milieu.".encode())
    (news / "vide.txt").write_text("  \n", "utf-8")
    (news / "casse.jsonl").write_text('{"id": "ok", "text": "La Seine."}\n{"id": "ko", "text": \n', "utf-8")
    (news / "lien.txt").symlink_to(news / "absent.txt")
    (news / "boucle.txt").symlink_to(news / "boucle.txt")
    (news / "sub" / "retour").symlink_to(news)
    os.close(os.open(os.fsencode(news) + b"/caf\xe9.txt", os.O_CREAT | os.O_WRONLY))
    secret = news / "secret.txt"
    secret.write_text("Le texte secret.", "utf-8")
    secret.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the read fail as it would for a user
        real_open = open

        def guarded_open(path, *args, **kwargs):
            if os.fspath(path) == str(secret):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr("builtins.open", guarded_open)
    result = CliRunner().invoke(main, ["ingest", str(news), "--index", str(tmp_path / "ix")])
    errors = [line for line in result.output.splitlines() if line.startswith("searchkit: error:")]
    expected = {
        "image.txt": "binary file", "nul.txt": "binary file", "vide.txt": "empty file",
        "casse.jsonl:2": "invalid JSON", "lien.txt": "broken symbolic link", "boucle.txt": "symbolic link loop",
        "retour": "symbolic link loop", "caf\\xe9.txt": "file name is not valid UTF-8",
        "secret.txt": "Permission denied",
    }
    for name, reason in expected.items():
        assert any(name in line and reason in line for line in errors), (name, result.output)
    assert len(errors) == len(expected)
    assert result.exit_code == 1
    assert set(article_texts(tmp_path / "ix")) == {"sub/bon.md", "ok"}


def test_exit_status_is_0_when_everything_was_ingested(folder, tmp_path):
    assert ingest(folder, index=tmp_path / "ix").exit_code == 0


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CR LF", "CR"])
def test_a_large_text_file_is_read_in_parts(tmp_path, monkeypatch, newline):
    monkeypatch.setattr(sources, "PART_BYTES", 20_000)
    monkeypatch.setattr(sources, "_CHUNK", 4096)
    paragraph = "Le fleuve monte à Paris, les quais sont fermés et la ville attend la décrue. " * 5
    big = tmp_path / "gros.txt"
    with big.open("w", encoding="utf-8", newline=newline) as out:
        out.write("Chronique des crues\n\n")
        for number in range(1500):
            out.write(f"Jour {number}. {paragraph}\n\n")
        out.write("La décrue finale arrive enfin.\n")
    assert big.stat().st_size > 20 * sources.PART_BYTES
    result = ingest(big, index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    articles = article_texts(tmp_path / "ix")
    assert len(articles) > 20
    assert all(len(a.text.encode()) < 2 * sources.PART_BYTES for a in articles.values())
    # read_text reads with universal newlines, as searchkit does
    assert "".join(articles[f"gros.txt#part{n}"].text for n in range(1, len(articles) + 1)) == big.read_text("utf-8")
    assert articles["gros.txt#part1"].title == "Chronique des crues"
    with searchkit.Index(tmp_path / "ix") as index:
        assert index.search("décrue finale").hits[0].article_id == f"gros.txt#part{len(articles)}"


# -- interruption and locking -------------------------------------------


def test_a_second_ingest_waits_for_the_lock_then_fails_clearly(folder, tmp_path):
    ingest(folder, index=tmp_path / "ix")
    with searchkit.Index(tmp_path / "ix") as index:
        writer = index._ix.writer()
        try:
            started = time.monotonic()
            result = ingest(folder, index=tmp_path / "ix", options=["--wait", "0.5"])
            assert time.monotonic() - started >= 0.5
            assert result.exit_code == 1
            assert "waiting up to 0.5 s" in result.output
            assert "another ingest or rebuild is writing" in result.output
            # Queries keep working while the lock is held.
            assert index.search("Seine").hits
        finally:
            writer.cancel()


def test_a_killed_ingest_leaves_the_last_commit_and_a_rerun_completes(tmp_path):
    first = tmp_path / "first"
    first.mkdir()
    (first / "a.txt").write_text("La Seine déborde.", "utf-8")
    ingest(first, index=tmp_path / "ix")
    many = tmp_path / "many"
    many.mkdir()
    for number in range(3000):
        (many / f"{number}.txt").write_text(f"Article {number} sur la crue de la Marne, jour {number}.\n" * 20, "utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "searchkit", "ingest", str(many), "--index", str(tmp_path / "ix")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with searchkit.Index(tmp_path / "ix", create=False) as index:
        assert [h.article_id for h in index.search("Seine").hits] == ["a.txt"]
        assert len(index) in (1, 3001)
    counts = summary(ingest(many, index=tmp_path / "ix"))
    assert counts["added"] + counts["unchanged"] == 3000
    with searchkit.Index(tmp_path / "ix", create=False) as index:
        assert len(index) == 3001
        assert len(index.article_ids()) == 3001


def test_a_file_without_a_date_takes_its_modification_date(tmp_path):
    (tmp_path / "a.txt").write_text("La Seine déborde à Paris, sans date.", "utf-8")
    (tmp_path / "b.txt").write_text("Titre\n\n21 juin 2012. - La Seine déborde.", "utf-8")
    os.utime(tmp_path / "a.txt", (1_500_000_000, 1_500_000_000))  # 2017-07-14
    ingest(tmp_path / "a.txt", tmp_path / "b.txt", index=tmp_path / "ix")
    articles = article_texts(tmp_path / "ix")
    assert (articles["a.txt"].date, articles["b.txt"].date) == ("2017-07-14", "2012-06-21")


def fail_analysis_on(word, monkeypatch):
    """Make the analysis of an article holding ``word`` fail; returns what mends it."""
    from searchkit.writer import bulk as bulkwrite
    from searchkit.ingest import locking

    cut = locking.cut_passages

    def failing(document):
        if word in document.fields["text"]:
            raise ValueError("unexpected text")
        return cut(document)

    monkeypatch.setattr(bulkwrite, "_usable_cores", lambda: 1)  # the fault is made in this process
    monkeypatch.setattr(locking, "cut_passages", failing)
    return lambda: monkeypatch.setattr(locking, "cut_passages", cut)


def test_an_article_the_analysis_fails_on_is_named_and_the_rest_of_its_batch_ingested(tmp_path, monkeypatch):
    mend = fail_analysis_on("Grèce", monkeypatch)
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("La coalition internationale se réunit à Paris.", "utf-8")
    (folder / "b.txt").write_text("Le nouveau gouvernement de coalition en Grèce.", "utf-8")
    (folder / "c.txt").write_text("La coalition annonce la reprise de Raqqa.", "utf-8")
    with searchkit.Index(tmp_path / "ix") as index:
        report = index.ingest([folder])
        assert (report.added, report.failed) == (2, 1)
        assert [str(problem) for problem in report.problems] == [
            f"{folder / 'b.txt'}: could not be indexed: ValueError: unexpected text"]
        assert len(index) == 2
        assert sorted(article_id for article_id, _ in index.rank_articles("coalition")) == ["a.txt", "c.txt"]
    # Once the fault is gone, the next ingest indexes the article it left out.
    mend()
    with searchkit.Index(tmp_path / "ix") as index:
        report = index.ingest([folder])
        assert (report.added, report.unchanged, report.failed) == (1, 2, 0)
        assert len(index) == 3


def test_an_article_whose_new_version_the_analysis_fails_on_keeps_its_old_version(tmp_path, monkeypatch):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("La coalition internationale se réunit à Paris.", "utf-8")
    (folder / "b.txt").write_text("Le nouveau gouvernement de coalition en Grèce.", "utf-8")
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([folder])
    (folder / "b.txt").write_text("Le nouveau gouvernement de coalition prête serment à Athènes.", "utf-8")
    mend = fail_analysis_on("Athènes", monkeypatch)
    with searchkit.Index(tmp_path / "ix") as index:
        report = index.ingest([folder])
        assert (report.updated, report.unchanged, report.failed) == (0, 1, 1)
        assert [str(problem) for problem in report.problems] == [
            f"{folder / 'b.txt'}: could not be indexed: ValueError: unexpected text; its previous version is kept"]
        assert sorted(article_id for article_id, _ in index.rank_articles("coalition")) == ["a.txt", "b.txt"]
        assert [article_id for article_id, _ in index.rank_articles("Grèce")] == ["b.txt"]
    mend()
    with searchkit.Index(tmp_path / "ix") as index:
        report = index.ingest([folder])
        assert (report.updated, report.unchanged, report.failed) == (1, 1, 0)
        assert [article_id for article_id, _ in index.rank_articles("Athènes")] == ["b.txt"]
        assert index.rank_articles("Grèce") == []


def test_the_files_beside_the_index_are_written_under_the_writer_lock(tmp_path, monkeypatch):
    """The record, the copies and the duplicates written after a commit are
    written before the writer lock goes: a second ingest waiting for the lock
    must never write them at the same time (it crashed on the record)."""
    from searchkit.storage import durability

    index_path = tmp_path / "ix"
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "crue.txt").write_text("La crue de la Marne.\n\nLe niveau monte encore.", "utf-8")
    written_unlocked = []
    replace = os.replace

    def replace_checking_the_lock(source, destination, *args, **kwargs):
        lock_file = index_path / "searchkit_WRITELOCK"
        if os.path.dirname(destination) == str(index_path) and lock_file.exists():
            descriptor = os.open(lock_file, os.O_WRONLY)
            try:
                import fcntl

                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(descriptor, fcntl.LOCK_UN)
                written_unlocked.append(os.path.basename(destination))
            except BlockingIOError:
                pass
            finally:
                os.close(descriptor)
        return replace(source, destination, *args, **kwargs)

    monkeypatch.setattr(durability.os, "replace", replace_checking_the_lock)
    with searchkit.Index(index_path) as index:
        index.ingest([tmp_path / "a", tmp_path / "b"])  # the same text twice: duplicates.json
        index.remove([str(tmp_path / "a")])
        index.ingest([tmp_path / "a"])
        index.optimize()
        assert len(index) == 1
    assert written_unlocked == []


def test_an_id_read_first_as_a_duplicate_is_taken_by_the_next_text(tmp_path):
    """The first x1 is a duplicate (its text indexed from b.txt): the second
    x1, another text, is indexed rather than refused as "kept the first"."""
    folder = tmp_path / "news"
    (folder / "lundi").mkdir(parents=True)
    (folder / "b.txt").write_text("La Seine déborde à Paris.", "utf-8")
    (folder / "dump.jsonl").write_text(json.dumps({"id": "x1", "text": "La Seine déborde à Paris."}), "utf-8")
    (folder / "lundi" / "dump.jsonl").write_text(json.dumps({"id": "x1", "text": "La Loire monte."}), "utf-8")
    result = ingest(folder, index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert sorted(article.text for article in article_texts(tmp_path / "ix").values()) == \
        ["La Loire monte.", "La Seine déborde à Paris."]
