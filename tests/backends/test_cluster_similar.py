"""`similar` on a cluster index: the articles the embedded index finds, the
article and its near copies left out, the same output."""

import json

from tests.helpers import SEED_ID, one_line, run


def _similar(index, article_id=SEED_ID):
    result = run("similar", article_id, "--format", "json", "--index", index)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["hits"]


def test_similar_finds_what_the_embedded_index_finds_without_near_copies(address, seeds_copy, tmp_path):
    seed = seeds_copy / SEED_ID
    (seeds_copy / "copie.txt").write_text(seed.read_text("utf-8") + "\nMise à jour à 18 heures.\n", "utf-8")
    embedded_index = tmp_path / "index"
    for index in (embedded_index, address):
        assert run("ingest", seeds_copy, "--index", index).exit_code == 0
    embedded, clustered = _similar(embedded_index), _similar(address)
    assert len(clustered) == 10
    ids = [hit["article_id"] for hit in clustered]
    assert SEED_ID not in ids and "copie.txt" not in ids
    # Lucene's length norms are not Whoosh's: scores differ in the second decimal, not the articles.
    assert set(ids) == {hit["article_id"] for hit in embedded}
    assert [(h["article_id"], h["start"], h["highlights"]) for h in clustered[:3]] == \
        [(h["article_id"], h["start"], h["highlights"]) for h in embedded[:3]]
    assert "no article" in one_line(run("similar", "nothing.txt", "--index", address)).lower()
