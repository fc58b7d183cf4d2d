"""Ranking: scoring articles for a query's terms, and the reranks after it.

``settings`` holds ``Ranking``, every knob of the ranking, passed down from
the Index to what reads it (no module holds a knob of its own);
``postings`` is what the reranks read of the index's postings, ``fastscore``
scores an OR of terms with numpy from the postings and the tails, ``truncation`` matches words of the same family (a Whoosh query and
its weight), ``reranks`` chains the reranks after BM25 on either source of
postings (the fast scorer's or a Whoosh searcher's), ``proximity`` rewards
query words close together and quoted passages, ``exactwords`` the words as
typed and the phrases as written. May import analysis, articles, storage,
errors and limits; knows nothing of the query language, of search results or
of writing.
"""
