"""What a new user meets in the first hour: every output format, messages,
batch files, counts."""

import json

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main

from tests.helpers import SEED_ID, SEEDS


def run(*args, env=None, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, input=input)


# -- did you mean, in every format ------------------------------------------


def test_rank_articles_ranks_the_corrected_query(seeds_index):
    with searchkit.Index(seeds_index, create=False) as index:
        assert index.rank_articles("Mosoul")[0][0] == SEED_ID


def test_trec_output_ranks_the_corrected_query(seeds_index):
    result = run("query", "Mosoul", "--index", seeds_index, "--format", "trec")
    assert result.exit_code == 0
    assert result.output.split()[:3] == ["1", "Q0", SEED_ID]


def test_jsonl_batch_gives_the_suggestion_and_its_hits(seeds_index, tmp_path):
    batch = tmp_path / "q.tsv"
    batch.write_text("1\tMosoul\n", "utf-8")
    result = run("query", "--batch", batch, "--index", seeds_index, "--format", "jsonl")
    data = json.loads(result.output)
    assert data["suggestion"] == "Mossoul" and data["hits"][0]["article_id"] == SEED_ID


# -- batch files --------------------------------------------------------------


def test_batch_skips_comments_and_blank_lines_and_escapes_query_ids(seeds_index, tmp_path):
    batch = tmp_path / "q.tsv"
    batch.write_text("# my queries\n\n  # indented comment\nq 1\tlibération de Mossoul\n", "utf-8")
    result = run("query", "--batch", batch, "--index", seeds_index, "--format", "trec", "--limit", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2 and all(line.split()[0] == "q%201" and len(line.split()) == 6 for line in lines)


# -- messages -----------------------------------------------------------------


def test_every_error_has_the_same_prefix(tmp_path, seeds_index):
    batch = tmp_path / "q.tsv"
    batch.write_text("no tab here\n", "utf-8")
    result = run("query", "--batch", batch, "--index", seeds_index)
    assert result.exit_code == 1
    assert result.output.startswith("searchkit: error: batch line 1: expected 'qid<TAB>query'")
    missing = run("show", "absent.txt", "--index", seeds_index)
    assert missing.output.startswith("searchkit: error: no article 'absent.txt'")


@pytest.mark.parametrize("query, message", [
    ("c++", "no word to search: + is not indexed"),
    ("title:*", "a * ends a word's beginning"),
    ("le la", "only stop words"),
])
def test_a_query_without_words_says_why(seeds_index, query, message):
    result = run("query", query, "--index", seeds_index)
    assert result.exit_code == 1 and message in result.output


def test_limit_from_python_names_the_argument(seeds_index):
    with searchkit.Index(seeds_index, create=False) as index:
        with pytest.raises(searchkit.QueryError, match="^limit must be at least 1") as raised:
            index.search("Mossoul", limit=0)
        assert "--" not in str(raised.value)
        with pytest.raises(searchkit.QueryError, match="^per_article"):
            index.search("Mossoul", per_article=0)
        with pytest.raises(searchkit.QueryError, match="^limit"):
            index.rank_articles("Mossoul", limit=0)


def test_invalid_json_line_gives_the_file_line_only(tmp_path):
    (tmp_path / "news.jsonl").write_text('{"text": "La Seine."}\n\n{"text": oops}\n', "utf-8")
    result = run("ingest", tmp_path / "news.jsonl", "--index", tmp_path / "ix")
    assert result.exit_code == 1
    problem = [line for line in result.output.splitlines() if "invalid JSON" in line][0]
    assert "news.jsonl:3: invalid JSON (Expecting value at column 10)" in problem
    assert "line 1" not in problem


def test_an_unterminated_string_is_named_once_with_its_column(tmp_path):
    (tmp_path / "news.jsonl").write_text('{"text": "La Seine.}\n', "utf-8")
    result = run("ingest", tmp_path / "news.jsonl", "--index", tmp_path / "ix")
    assert "news.jsonl:1: invalid JSON (Unterminated string starting at column 10)" in result.output


def test_counts_of_one_are_singular(tmp_path):
    (tmp_path / "a.txt").write_text("La Seine déborde à Paris.", "utf-8")
    result = run("ingest", tmp_path, "--index", tmp_path / "ix")
    assert "0 duplicates" in result.output and "; 1 passage in" in result.output
    assert run("query", "Seine", "--index", tmp_path / "ix").output.splitlines()[-1].startswith("1 passage in")
    (tmp_path / "a.txt").write_text("La Seine est basse à Paris.", "utf-8")
    check = run("check", "--index", tmp_path / "ix")
    assert "1 problem in" in check.output and "(1 article)" in check.output


def test_check_advises_prune_only_for_a_vanished_file(tmp_path):
    (tmp_path / "news").mkdir()
    article = tmp_path / "news" / "a.txt"
    article.write_text("La Seine déborde à Paris.", "utf-8")
    run("ingest", tmp_path / "news", "--index", tmp_path / "ix")
    article.write_text("La Seine est basse à Paris.", "utf-8")
    changed = run("check", "--index", tmp_path / "ix")
    assert changed.exit_code == 1 and "--prune" not in changed.output
    assert "`searchkit ingest PATH` reads the changed files again" in changed.output
    article.unlink()
    assert "--prune" in run("check", "--index", tmp_path / "ix").output


def test_a_date_that_cannot_be_read_is_named_in_a_warning(tmp_path):
    (tmp_path / "news.jsonl").write_text(json.dumps({"id": "a", "text": "La Seine.", "date": "hier soir"}) + "\n",
                                         "utf-8")
    result = run("ingest", tmp_path / "news.jsonl", "--index", tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert "searchkit: warning: " in result.output and "news.jsonl:1: date 'hier soir' cannot be read" in result.output
    assert "1 added" in result.output


def test_skipped_files_are_counted_by_reason_and_named_when_verbose(tmp_path):
    (tmp_path / "a.txt").write_text("La Seine déborde à Paris.", "utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    result = run("ingest", tmp_path, "--index", tmp_path / "ix")
    assert "1 skipped (not an article format)" in result.output
    assert "photo.jpg" not in result.output
    (tmp_path / "b.txt").write_text("La Loire est basse à Orléans.", "utf-8")
    verbose = run("ingest", tmp_path, "--index", tmp_path / "ix", "--verbose")
    assert "searchkit: skipped: " in verbose.output and "photo.jpg (not an article format)" in verbose.output


# -- opening an index creates nothing ---------------------------------------------


def test_opening_a_mistyped_index_path_creates_nothing(tmp_path):
    index = searchkit.Index(tmp_path / "typo" / "path")
    with pytest.raises(searchkit.IndexNotFound, match="no index at"):
        index.search("Mossoul")
    with pytest.raises(searchkit.IndexNotFound):
        index.rank_articles("Mossoul")
    index.close()
    assert list(tmp_path.iterdir()) == []


def test_the_first_ingest_creates_the_index(tmp_path):
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([SEEDS / "wikinews_44269.txt"])
        assert len(index) == 1
    with searchkit.Index(tmp_path / "ix", create=False) as index:
        assert index.search("gouvernement").hits


def test_ingest_without_paths_and_without_seeds_here_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("ingest")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "searchkit: error: give the folders or files to ingest (searchkit ingest ~/news): "
        "there is no seeds/ here to ingest by default"]
    assert list(tmp_path.iterdir()) == []


# -- title-only matches ---------------------------------------------------------


TITLED = [
    {"id": "grève", "title": "Grève à Lyon", "author": "Marie Durand", "source": "Le Journal",
     "url": "https://example.org/greve", "text": "Les transports sont arrêtés depuis lundi.\n\nLa suite est en page deux."},
    {"id": "other", "title": "Les routes de Lyon", "text": "On parle de grève dans les transports à Lyon."},
]


@pytest.fixture
def titled_index(tmp_path):
    (tmp_path / "news.jsonl").write_text("".join(json.dumps(a) + "\n" for a in TITLED), "utf-8")
    assert run("ingest", tmp_path / "news.jsonl", "--index", tmp_path / "ix").exit_code == 0
    return tmp_path / "ix"


def query_json(index, text, *options):
    result = run("query", text, "--index", index, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return {hit["article_id"]: hit for hit in json.loads(result.output)["hits"]}


def test_a_hit_matched_in_its_title_marks_the_title_and_shows_its_lead(titled_index):
    hit = query_json(titled_index, "Grève", "--per-article", "1")["grève"]
    assert [hit["title"][s:e] for s, e in hit["title_highlights"]] == ["Grève"]
    assert hit["passage_index"] == 0 and hit["text"].startswith("Les transports")
    assert (hit["author"], hit["source"], hit["url"]) == ("Marie Durand", "Le Journal", "https://example.org/greve")


def test_a_title_query_marks_the_title_not_the_text(titled_index):
    hits = query_json(titled_index, "title:Lyon")
    other = hits["other"]
    assert other["highlights"] == []
    assert [other["title"][s:e] for s, e in other["title_highlights"]] == ["Lyon"]


def test_the_terminal_marks_the_title(titled_index):
    from searchkit.cli.output import render_text

    with searchkit.Index(titled_index, create=False) as index:
        result = index.search("Grève", per_article=1)
    block = render_text(result, 80, color=True)
    assert "\x1b[1m\x1b[1;31mGrève\x1b[0m\x1b[1m à Lyon\x1b[0m" in block
    assert "[[Grève]] à Lyon" in render_text(result, 80, color=False)


# -- highlights without colour ------------------------------------------------------


def test_piped_hits_are_marked_in_text_one_passage_a_line(seeds_index):
    result = run("query", "Mossoul", "--index", seeds_index, "--limit", "2")
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and "\x1b[" not in result.stdout
    rank, place, date, title, passage = lines[0].split("\t")
    assert (rank, place.split(":")[0]) == ("1", SEED_ID)
    assert "[[Mossoul]]" in passage and "[[Mossoul]]" in title
    assert result.stderr.strip() == result.stderr.strip().splitlines()[-1]  # the count, apart
    assert "2 passages in" in result.stderr


def test_no_color_marks_hits_as_chosen(seeds_index):
    stars = run("query", "Mossoul", "--index", seeds_index, "--marks", "stars", env={"NO_COLOR": "1"})
    assert "**Mossoul**" in stars.stdout and "[[" not in stars.stdout
    bare = run("query", "Mossoul", "--index", seeds_index, "--marks", "none")
    assert "Mossoul" in bare.stdout and "[[" not in bare.stdout and "**" not in bare.stdout


# -- phrases --------------------------------------------------------------------------


PHRASES = [
    {"id": "stems", "text": "La situation qui nous préoccupe est grave. La situation qui nous préoccupe revient, "
                            "la situation qui nous préoccupe encore et la situation qui nous préoccupe toujours."},
    {"id": "exact", "text": "Les élus ont parlé de la ville, des routes, des écoles et des budgets pendant des "
                            "heures. Ils jugent la Situation préoccupante."},
]


def test_a_phrase_as_written_ranks_first_and_is_marked(tmp_path):
    (tmp_path / "news.jsonl").write_text("".join(json.dumps(a) + "\n" for a in PHRASES), "utf-8")
    run("ingest", tmp_path / "news.jsonl", "--index", tmp_path / "ix")
    result = run("query", '"situation préoccupante"', "--index", tmp_path / "ix", "--format", "json")
    hits = json.loads(result.output)["hits"]
    assert [hit["article_id"] for hit in hits] == ["exact", "stems"]  # the stems still match
    assert [hits[0]["text"][s:e] for s, e in hits[0]["highlights"]] == ["Situation", "préoccupante"]
    with searchkit.Index(tmp_path / "ix", create=False) as index:
        assert [a for a, _ in index.rank_articles('"situation préoccupante"')] == ["exact", "stems"]


# -- HTML pages ----------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>{title}</title>
<meta property="og:site_name" content="{site}">
{head}
</head><body>
<article><h1>Les laboratoires ouvrent leurs portes</h1>
{byline}
<p>Les laboratoires de l'université accueillent le public pendant toute une semaine de novembre, avec des
visites guidées et des expériences pour les familles venues de toute la région.</p>
<p>Les chercheurs présentent leurs travaux sur le climat, la santé et l'intelligence artificielle aux lycéens
qui découvrent les salles d'expérience et les microscopes.</p>
<p>Plus de trois mille visiteurs sont attendus, selon les organisateurs de cette édition qui se tient chaque
année depuis dix ans dans les bâtiments du campus.</p>
</article></body></html>
"""


def html_hit(tmp_path, **fields):
    values = {"title": "Les laboratoires ouvrent leurs portes | PSL", "site": "PSL", "head": "", "byline": "",
              **fields}
    (tmp_path / "page.html").write_text(PAGE.format(**values), "utf-8")
    assert run("ingest", tmp_path / "page.html", "--index", tmp_path / "ix").exit_code == 0
    return json.loads(run("query", "laboratoires", "--index", tmp_path / "ix", "--format", "json").output)["hits"][0]


def test_an_html_passage_has_no_line(tmp_path):
    assert html_hit(tmp_path)["line"] is None


def test_an_html_page_is_dated_when_published_not_when_modified(tmp_path):
    head = ('<meta property="article:modified_time" content="2019-03-02T10:00:00+01:00">\n'
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2018-11-20", '
            '"dateModified": "2019-03-02"}</script>')
    assert html_hit(tmp_path, head=head)["date"] == "2018-11-20"


@pytest.mark.parametrize("byline, author", [
    ('<p><a href="/author/jean" rel="author">View all posts by Jean Martin</a></p>', "Jean Martin"),
    ('<meta name="author" content="Artikel empfehlen">', None),
])
def test_page_furniture_is_not_an_author(tmp_path, byline, author):
    head, byline = (byline, "") if byline.startswith("<meta") else ("", byline)
    assert html_hit(tmp_path, head=head, byline=byline)["author"] == author


@pytest.mark.parametrize("title, site, expected", [
    ("Les laboratoires ouvrent leurs portes | PSL", "PSL", "Les laboratoires ouvrent leurs portes"),
    ("Les laboratoires ouvrent leurs portes - Le Monde", "Le Monde", "Les laboratoires ouvrent leurs portes"),
])
def test_the_site_name_is_cut_from_the_title(tmp_path, title, site, expected):
    assert html_hit(tmp_path, title=title, site=site)["title"] == expected


def test_a_title_keeps_a_dash_that_does_not_name_the_site():
    from searchkit.articles.htmlmeta import title_without_site

    assert title_without_site("Paris - Lyon : le TGV roule", "PSL") == "Paris - Lyon : le TGV roule"
    assert title_without_site("Paris - Lyon | psl", "PSL") == "Paris - Lyon"


# -- a metadata table beside the articles ------------------------------------------------


def test_the_seed_article_is_dated_by_the_shipped_table(seeds_index):
    with searchkit.Index(seeds_index, create=False) as index:
        seed = index.get(SEED_ID)
        assert seed.date == "2016-10-25"
        assert seed.text == (SEEDS / SEED_ID).read_text("utf-8")
        wikinews = index.get("wikinews_44269.txt")
        assert (wikinews.source, wikinews.url) == ("Wikinews", "https://fr.wikinews.org/w/index.php?curid=44269")
        assert wikinews.date == "2012-06-21"  # an empty cell: the date the text opens with


def write_news(folder, table_name, table):
    folder.mkdir()
    (folder / "crue.txt").write_text("La Seine en crue\n\nLa Seine déborde à Paris depuis lundi.", "utf-8")
    (folder / "gel.txt").write_text("Le gel arrive\n\nLe gel touche les vignes de Bourgogne.", "utf-8")
    (folder / table_name).write_text(table, "utf-8")


def test_a_metadata_table_gives_each_file_its_date_url_source_and_title(tmp_path):
    write_news(tmp_path / "news", "metadata.csv",
               "file,date,url,source,title,author\n"
               "crue.txt,2016-06-03,https://example.org/crue,Le Journal,La Seine déborde,Marie Durand\n")
    result = run("ingest", tmp_path / "news", "--index", tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert "0 skipped" in result.output  # the table is not an article, nor a skipped file
    with searchkit.Index(tmp_path / "ix", create=False) as index:
        crue = index.get("crue.txt")
        assert (crue.date, crue.url, crue.source, crue.title, crue.author) == (
            "2016-06-03", "https://example.org/crue", "Le Journal", "La Seine déborde", "Marie Durand")
        assert index.get("gel.txt").title == "Le gel arrive"


def test_an_edited_table_row_updates_its_article(tmp_path):
    write_news(tmp_path / "news", "SOURCES.tsv", "file\tdate\ncrue.txt\t2016-06-03\n")
    run("ingest", tmp_path / "news", "--index", tmp_path / "ix")
    (tmp_path / "news" / "SOURCES.tsv").write_text("file\tdate\ncrue.txt\t2016-06-04\n", "utf-8")
    result = run("ingest", tmp_path / "news", "--index", tmp_path / "ix")
    assert "0 added, 1 updated, 1 unchanged" in result.output
    with searchkit.Index(tmp_path / "ix", create=False) as index:
        assert index.get("crue.txt").date == "2016-06-04"


def test_bad_rows_of_a_table_are_named_as_problems(tmp_path):
    write_news(tmp_path / "news", "SOURCES.tsv",
               "file\tdate\tsource\n"
               "crue.txt\thier\tLe Journal\n"
               "absent.txt\t2016-06-03\tLe Journal\n"
               "gel.txt\t2016-06-03\n"
               "gel.txt\t2016-06-05\tLe Journal\n")
    result = run("ingest", tmp_path / "news", "--index", tmp_path / "ix")
    assert result.exit_code == 1
    table = tmp_path / "news" / "SOURCES.tsv"
    assert f"searchkit: error: {table}:2: date 'hier' cannot be read" in result.output
    assert f"searchkit: warning: {table}:3: no file 'absent.txt' beside this table" in result.output
    assert f"{table}:4: 2 columns, the header has 3" in result.output
    assert "2 added" in result.output  # the articles are ingested all the same
    with searchkit.Index(tmp_path / "ix", create=False) as index:
        assert index.get("gel.txt").date == "2016-06-05"


def test_a_row_for_a_file_removed_since_is_only_a_warning(tmp_path):
    write_news(tmp_path / "news", "SOURCES.tsv", "file\tdate\ncrue.txt\t2016-06-03\ngel.txt\t2016-06-05\n")
    assert run("ingest", tmp_path / "news", "--index", tmp_path / "ix").exit_code == 0
    (tmp_path / "news" / "gel.txt").unlink()
    for _ in range(2):  # every later ingest too, as from cron
        result = run("ingest", tmp_path / "news", "--prune", "--index", tmp_path / "ix")
        assert result.exit_code == 0, result.output
        assert "warning:" in result.output and "no file 'gel.txt' beside this table" in result.output
        assert "0 failed" in result.output


def test_a_table_without_a_file_column_says_so(tmp_path):
    write_news(tmp_path / "news", "SOURCES.tsv", "name\tdate\ncrue.txt\t2016-06-03\n")
    result = run("ingest", tmp_path / "news", "--index", tmp_path / "ix")
    assert result.exit_code == 1 and "needs a 'file' column" in result.output


# -- the README as a first page -------------------------------------------------------

ROOT = SEEDS.parent


def readme_commands():
    readme = (ROOT / "README.md").read_text("utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0].strip() for block in setup.split("```sh\n")[1:]]


def test_the_readme_sets_up_in_two_fresh_virtualenvs_and_ci_runs_its_test_command():
    run_command, test_command = readme_commands()
    venvs = [command.split("python3 -m venv ", 1)[1].split()[0] for command in (run_command, test_command)]
    assert venvs[0] != venvs[1]
    assert run_command.endswith('searchkit query "libération de Mossoul"')
    ci = (ROOT / ".ci" / "run").read_text("utf-8").strip().splitlines()[-1]
    assert ci == test_command


def test_the_readme_links_the_detail_pages():
    readme = (ROOT / "README.md").read_text("utf-8")
    for page in ("docs/formats.md", "docs/ranking.md", "docs/benchmarks.md", "docs/serve.md"):
        assert f"]({page})" in readme and (ROOT / page).is_file()
    headings = [line for line in readme.splitlines() if line.startswith("## ")]
    assert headings[:5] == ["## Set up", "## Searching", "## Adding articles every day", "## From Python",
                            "## How it ranks"]


def test_an_index_created_meanwhile_by_another_process_is_opened_not_replaced(tmp_path):
    waiting = searchkit.Index(tmp_path / "ix")
    with searchkit.Index(tmp_path / "ix") as other:
        other.ingest([SEEDS / "wikinews_44269.txt"])
    assert [hit.article_id for hit in waiting.search("gouvernement").hits][:1] == ["wikinews_44269.txt"]
    late = searchkit.Index(tmp_path / "other")
    with searchkit.Index(tmp_path / "other") as first:
        first.ingest([SEEDS / "wikinews_44269.txt"])
    late.ingest([SEEDS / "wikinews_44290.txt"])
    assert len(late) == 2
    waiting.close()
    late.close()


def test_a_rare_word_the_index_holds_keeps_its_articles_first(tmp_path):
    from tests.corpora import index_of

    index_path = index_of(tmp_path, {
        "choque": "Le public a vu cette image, et elle choque les lecteurs du journal. "
                  + "Les élus de la région en parlent depuis des semaines dans toute la ville et au conseil. " * 4,
        "c1": "Chaque jour chaque semaine chaque mois.",
        "c2": "Chaque matin chaque soir.",
        "c3": "Chaque ville chaque village.",
    })
    with searchkit.Index(index_path, create=False) as index:
        ranked = [article_id for article_id, _ in index.rank_articles("choque")]
        assert ranked[0] == "choque" and "c1" in ranked  # the suggestion's articles after it
        assert [hit.article_id for hit in index.search("choque", per_article=1).hits][0] == "choque"
