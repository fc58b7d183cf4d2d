"""The searchkit command, end to end through click's CliRunner."""

import json

import pytest
from click.testing import CliRunner

from searchkit.analysis.french import analyze, truncated
from searchkit.cli.commands import main

from tests.helpers import SEED_ID, SEEDS


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def query_json(index, text, *options):
    result = run("query", text, "--index", index, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def marked(hit):
    return [hit["text"][s:e] for s, e in hit["highlights"]]


def test_ingest_prints_a_summary(tmp_path):
    result = run("ingest", SEEDS, "--index", tmp_path / "ix")
    assert result.exit_code == 0
    assert result.output.startswith(
        "Ingested: 41 added, 0 updated, 0 unchanged, 0 removed, 0 duplicates, 0 skipped, 0 failed;")
    assert "passages in" in result.output


def test_ingesting_a_changed_article_again_replaces_it(seeds_copy, tmp_path):
    run("ingest", seeds_copy, "--index", tmp_path / "ix")
    (seeds_copy / SEED_ID).write_text("La bataille de Mossoul continue.\nSuite du texte.", "utf-8")
    result = run("ingest", seeds_copy, "--index", tmp_path / "ix")
    assert "0 added, 1 updated, 40 unchanged" in result.output
    hits = query_json(tmp_path / "ix", "Mossoul", "--per-article", "1", "--limit", "50")["hits"]
    ids = [hit["article_id"] for hit in hits]
    assert ids.count(SEED_ID) == 1 and len(ids) == len(set(ids))
    assert "bataille de Mossoul continue" in query_json(tmp_path / "ix", "bataille")["hits"][0]["text"]


def test_seed_article_ranks_first_with_its_words_highlighted(seeds_index):
    hits = query_json(seeds_index, "libération de Mossoul")["hits"]
    assert hits[0]["article_id"] == SEED_ID
    assert {"libération", "Mossoul"} <= set(marked(hits[0]))


@pytest.mark.parametrize("variant", ["liberation mossoul", "LIBÉRATION MOSSOUL", "Libération  de  MOSSOUL"])
def test_accents_and_capitals_do_not_change_the_first_passage(seeds_index, variant):
    reference = query_json(seeds_index, "libération de Mossoul")["hits"][0]
    first = query_json(seeds_index, variant)["hits"][0]
    assert (first["article_id"], first["passage_index"]) == (reference["article_id"], reference["passage_index"])
    assert "libération" in marked(first) or "Mossoul" in marked(first)


def test_highlights_are_the_words_as_written(seeds_index):
    hits = query_json(seeds_index, "djihadistes")["hits"]
    assert hits and all("djihadistes" in marked(hit) for hit in hits)


def test_a_word_inside_a_hyphenated_word_is_found_and_highlighted(seeds_index):
    hits = query_json(seeds_index, "Daesh", "--limit", "20", "--per-article", "5")["hits"]
    with_anti = [hit for hit in hits if "anti-Daesh" in hit["text"]]
    assert with_anti
    for hit in with_anti:
        for s, e in hit["highlights"]:
            assert hit["text"][s:e] == "Daesh"
        anti = hit["text"].index("anti-Daesh") + len("anti-")
        assert [anti, anti + 5] in hit["highlights"]


@pytest.mark.parametrize("text", ["libération de Mossoul", "coalition internationale", "élections 2012", "Jeux olympiques"])
def test_every_highlight_points_at_a_matching_word(seeds_index, text):
    query_terms = {t.term for t in analyze(text)}
    families = {truncated(t.word) for t in analyze(text)}  # words of the same family match too
    result = query_json(seeds_index, text, "--limit", "20")
    assert result["query"] == text
    for hit in result["hits"]:
        assert hit["text"] == hit["text"].strip()
        for s, e in hit["highlights"]:
            [token] = analyze(hit["text"][s:e])
            assert token.term in query_terms or truncated(token.word) in families


def test_json_hits_have_the_documented_fields_and_limits(seeds_index):
    hits = query_json(seeds_index, "gouvernement ministre président France", "--limit", "5",
                      "--per-article", "1")["hits"]
    assert len(hits) == 5
    assert [hit["rank"] for hit in hits] == [1, 2, 3, 4, 5]
    assert len({hit["article_id"] for hit in hits}) == 5
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        assert {"rank", "score", "article_id", "title", "date", "path", "passage_index",
                "start", "end", "text", "highlights", "line"} <= set(hit)


def test_at_most_per_article_passages_from_one_article(seeds_index):
    hits = query_json(seeds_index, "Mossoul", "--limit", "10")["hits"]
    assert sum(hit["article_id"] == SEED_ID for hit in hits) == 2
    hits = query_json(seeds_index, "Mossoul", "--limit", "10", "--per-article", "3")["hits"]
    assert sum(hit["article_id"] == SEED_ID for hit in hits) == 3


def test_passage_offsets_place_it_in_the_article(seeds_index):
    hit = query_json(seeds_index, "Mossoul")["hits"][0]
    text = (SEEDS / SEED_ID).read_text("utf-8")
    assert text[hit["start"]:hit["end"]] == hit["text"]


def test_text_output_is_plain_when_piped_and_coloured_on_request(seeds_index):
    plain = run("query", "Mossoul", "--index", seeds_index)
    assert plain.exit_code == 0
    assert "\x1b[" not in plain.output
    assert plain.output.startswith("1\t000_de7ecb39300f6164.txt:")
    assert "\tLa libération de [[Mossoul]]" in plain.output
    coloured = run("query", "Mossoul", "--index", seeds_index, "--color", "always")
    assert "\x1b[1;31mMossoul\x1b[0m" in coloured.output
    assert "\x1b[" not in run("query", "Mossoul", "--index", seeds_index, "--color", "never").output


def test_batch_trec_lists_each_article_once_in_rank_order(seeds_index, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_text("q1\tlibération de Mossoul\nq2\tJeux olympiques Londres\n\nq3\tMali\n", "utf-8")
    result = run("query", "--batch", batch, "--format", "trec", "--limit", "5", "--index", seeds_index)
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    assert all(len(row) == 6 and row[1] == "Q0" and row[5] == "searchkit" for row in rows)
    for qid in ("q1", "q2", "q3"):
        mine = [row for row in rows if row[0] == qid]
        assert 1 <= len(mine) <= 5
        assert [int(row[3]) for row in mine] == list(range(1, len(mine) + 1))
        assert len({row[2] for row in mine}) == len(mine)
        scores = [float(row[4]) for row in mine]
        assert scores == sorted(scores, reverse=True)
    assert [row[2] for row in rows if row[0] == "q1"][0] == SEED_ID


def test_trec_ids_with_spaces_stay_one_column(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "crue de la Seine.txt").write_text("La Seine déborde à Paris.", "utf-8")
    (folder / "100%.txt").write_text("La Seine à 100 %.", "utf-8")
    assert run("ingest", folder, "--index", tmp_path / "ix").exit_code == 0
    batch = tmp_path / "queries.tsv"
    batch.write_text("q1\tSeine\n", "utf-8")
    result = run("query", "--batch", batch, "--format", "trec", "--index", tmp_path / "ix")
    rows = [line.split() for line in result.output.splitlines()]
    assert all(len(row) == 6 for row in rows), result.output
    assert sorted(row[2] for row in rows) == ["100%25.txt", "crue%20de%20la%20Seine.txt"]


def test_batch_jsonl_prints_one_object_per_query(seeds_index, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_text("a\tMossoul\nb\tMali\n", "utf-8")
    result = run("query", "--batch", batch, "--format", "jsonl", "--index", seeds_index)
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [(o["qid"], o["query"]) for o in objects] == [("a", "Mossoul"), ("b", "Mali")]
    assert all(o["hits"] for o in objects)


def test_a_bad_line_in_a_batch_is_reported_and_the_rest_run(seeds_index, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_text('a\t"Mossoul\nb\tMali\n', "utf-8")
    result = run("query", "--batch", batch, "--format", "trec", "--index", seeds_index)
    assert result.exit_code == 1
    assert "query a: unbalanced quote" in result.output
    assert any(line.startswith("b Q0 ") for line in result.output.splitlines())


@pytest.mark.parametrize("text, message", [
    ("", "the query is empty"),
    ("le la les de", "only stop words"),
    ("«»", "no word to search: write the words"),
    ('""', "no word to search: write the words"),
    ("-", "no word to search: write the words"),
    ('"coalition internationale', "unbalanced quote"),
    ("Mossoul AND", "AND needs something after it"),
    ("OR Mossoul", "OR needs something on each side"),
    ("-Mossoul", "at least one word that is not excluded"),
])
def test_bad_queries_get_one_line_and_exit_status_1(seeds_index, text, message):
    result = run("query", text, "--index", seeds_index)
    assert result.exit_code == 1
    assert result.output.strip() == f"searchkit: error: {message}" or message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_query_without_an_index_says_to_ingest_first(tmp_path):
    result = run("query", "Mossoul", "--index", tmp_path / "nothing")
    assert result.exit_code == 1
    assert "run `searchkit ingest FOLDER` first" in result.output
    assert not (tmp_path / "nothing").exists()


def test_an_index_that_holds_no_article_yet_answers_every_command(tmp_path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "empty.txt").write_text("", "utf-8")
    index = str(tmp_path / "ix")
    assert run("ingest", str(tmp_path / "news"), "--index", index).exit_code == 1  # the empty file
    stats = run("stats", "--index", index, "--format", "json")
    assert stats.exit_code == 0, stats.output
    assert (json.loads(stats.output)["articles"], json.loads(stats.output)["passages"]) == (0, 0)
    assert run("check", "--index", index).exit_code == 0
    assert "no match" in run("query", "Mossoul", "--index", index).output


def test_index_location_from_the_environment(tmp_path):
    env = {"SEARCHKIT_INDEX": str(tmp_path / "env-ix")}
    assert run("ingest", SEEDS, env=env).exit_code == 0
    assert (tmp_path / "env-ix").is_dir()
    assert run("query", "Mossoul", env=env).exit_code == 0


def test_jsonl_articles_and_bad_lines(tmp_path):
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        '{"id": "a1", "title": "Crue de la Seine", "date": "2016-06-03", "text": "La Seine déborde à Paris."}\n'
        '{"text": "Un article sans identifiant sur la Loire."}\n'
        '{"id": "a3", "text": \n'
        '{"id": "a4"}\n'
        '["pas", "un", "objet"]\n'
        '{"id": "a6", "text": 2016}\n',
        "utf-8",
    )
    result = run("ingest", dump, "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert f"{dump}:3: invalid JSON" in result.output
    assert f'{dump}:4: no "text" field' in result.output
    assert f"{dump}:5: expected a JSON object" in result.output
    assert f'{dump}:6: no "text" field' in result.output  # a number is no text
    assert "Ingested: 2 added" in result.output
    seine = query_json(tmp_path / "ix", "seine")["hits"][0]
    assert (seine["article_id"], seine["title"], seine["date"]) == ("a1", "Crue de la Seine", "2016-06-03")
    loire = query_json(tmp_path / "ix", "loire")["hits"][0]
    assert loire["article_id"] == "dump.jsonl#2"
    assert loire["line"] == 2


def test_missing_path_is_an_error_and_creates_no_index(tmp_path):
    result = run("ingest", tmp_path / "absent", "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"searchkit: error: {tmp_path / 'absent'}: no such file or folder; "
                                          "nothing ingested"]
    assert not (tmp_path / "ix").exists()


def test_a_missing_path_beside_real_ones_is_named_and_the_rest_ingested(tmp_path):
    result = run("ingest", tmp_path / "absent", SEEDS, "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert f"{tmp_path / 'absent'}: no such file or folder" in result.output
    assert "41 added" in result.output


def test_every_command_is_documented():
    for name, command in main.commands.items():
        assert command.help and len(command.help.strip()) > 20, name


def test_the_index_can_be_given_before_the_command_and_the_command_s_own_wins(seeds_index, tmp_path):
    runner = CliRunner()
    before = runner.invoke(main, ["--index", str(seeds_index), "query", "Mossoul", "--format", "json"])
    assert before.exit_code == 0, before.output
    assert json.loads(before.output)["hits"][0]["article_id"] == SEED_ID
    # Before the command it also beats the environment, and the command's own beats it.
    missing = tmp_path / "missing"
    over_env = runner.invoke(main, ["--index", str(seeds_index), "query", "Mossoul"],
                             env={"SEARCHKIT_INDEX": str(missing)})
    assert over_env.exit_code == 0, over_env.output
    own = runner.invoke(main, ["--index", str(seeds_index), "query", "Mossoul", "--index", str(missing)])
    assert own.exit_code == 1 and str(missing) in own.output and not missing.exists()
    # Through a group of commands too.
    listed = runner.invoke(main, ["--index", str(seeds_index), "alert", "list"])
    assert listed.exit_code == 0, listed.output


def test_a_pasted_paragraph_is_scored_with_numpy_and_a_few_words_without(seeds_index, monkeypatch):
    """A paragraph through Whoosh's matchers took seconds from the terminal;
    a few words are answered sooner without loading numpy."""
    from searchkit.cli import commands

    opened = []
    real = commands._open_index
    monkeypatch.setattr(commands, "_open_index",
                        lambda path, create, fast_scoring=False: opened.append(fast_scoring) or real(path, create,
                                                                                                   fast_scoring))
    paragraph = ("La coalition internationale annonce un affaiblissement de Daesh tandis qu'à Paris la reprise "
                 "de Raqqa en Syrie figure déjà sur l'agenda des ministres de la Défense")
    for text in ("libération de Mossoul", paragraph):
        result = run("query", "--plain", text, "--index", seeds_index, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["hits"][0]["article_id"] == SEED_ID
    assert opened == [False, True]
