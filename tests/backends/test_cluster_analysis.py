"""The cluster indexes searchkit's own terms: for every golden case of the
French analysis, the terms and positions the cluster holds for an article
are those searchkit's analysis gives."""

from searchkit.analysis.french import analyze
from searchkit.articles.article import Article

def _golden_cases():
    from tests.analysis import test_analysis

    for mark in test_analysis.test_rules.pytestmark:
        if mark.name == "parametrize":
            return [text for text, _ in mark.args[1]]
    raise AssertionError("the golden cases of tests/analysis moved")

def test_the_cluster_holds_the_terms_of_searchkits_analysis(address):
    from searchkit.backends.clusterindex import ClusterIndex
    from searchkit.backends.clusteringest import cluster_document

    texts = [text for text in _golden_cases() if text.strip()]
    index = ClusterIndex(address, shards=1, replicas=0)
    with index:
        index.backend.create(index._body([]))
        documents = [cluster_document(Article(id=f"case{n}", text=text, path=f"/golden/case{n}.txt"), "s", f"h{n}", 2)
                     for n, text in enumerate(texts)]
        written = index.backend.write(documents)
        assert written.refused == []
        # The field's own analyzer, run by the cluster on what was sent for each article.
        analysed = [index.backend.client.indices.analyze(index=index.backend.name,
                                                         body={"field": "body", "text": document["body"]})
                    for document in documents]
        assert index.backend.count({"term": {"body": "mossoul"}}) == 1  # what it indexed: those terms
    disagreeing = []
    for text, answer in zip(texts, analysed):
        held = [(token["position"], token["token"]) for token in answer["tokens"]]
        expected = [token.term for token in analyze(text)]
        if held != list(enumerate(expected)):
            disagreeing.append((text, expected, held))
    assert len(texts) > 50
    assert disagreeing == []
