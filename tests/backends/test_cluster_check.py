"""`searchkit check` on a cluster index: in step after an ingest; the files
changed or vanished since, and a count the cluster lost, one line each."""

from tests.helpers import SEED_ID, run


def test_check_names_changed_files_vanished_files_and_a_lost_article(address, cluster, seeds_copy):
    assert run("ingest", seeds_copy, "--index", address).exit_code == 0
    fine = run("check", "--index", address)
    assert fine.exit_code == 0, fine.output
    assert "holds 41 articles, in step with their files" in fine.stdout

    changed, gone = seeds_copy / "wikinews_44545.txt", seeds_copy / "wikinews_44881.txt"
    changed.write_text(changed.read_text("utf-8") + "\nUn paragraphe ajouté.\n", "utf-8")
    gone.unlink()
    table = seeds_copy / "SOURCES.tsv"
    table.write_text("".join(line for line in table.read_text("utf-8").splitlines(keepends=True)
                             if not line.startswith(gone.name)), "utf-8")
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[cluster])  # an article lost behind searchkit's back
    client.delete(index=address.rsplit("/", 1)[1], id=SEED_ID, refresh=True)
    client.close()
    found = run("check", "--index", address)
    assert found.exit_code == 1 and "Traceback" not in found.output
    problems = [line for line in found.stderr.splitlines() if line.startswith("searchkit: problem: ")]
    assert len(problems) == 3, found.output
    assert any("holds 40 articles" in line and "41 were recorded" in line for line in problems)
    assert any(str(changed) in line and "changed since it was ingested" in line for line in problems)
    assert any(str(gone) in line and "vanished since it was ingested" in line for line in problems)
    assert "--prune" in found.stderr.splitlines()[-1]

    # An ingest brings it in step again, the count recorded anew.
    ingested = run("ingest", seeds_copy, "--prune", "--index", address)
    assert ingested.exit_code == 0, ingested.output
    again = run("check", "--index", address)
    assert again.exit_code == 0, again.output
