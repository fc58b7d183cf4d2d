"""Search: from the text of a query to ranked, marked passages.

``querylang`` parses the query language, ``compiling`` turns its tree into a
Whoosh query and what to mark, ``filters`` restricts by date and chooses the
order, ``engine`` runs a query (BM25 from the fast scorer or Whoosh's
matchers, then the reranks of ranking.reranks, then the spelling fallback),
``hits`` chooses each article's passages and makes the hits, ``highlight``
scores passages and marks their words, ``spelling`` suggests the frequent
spelling of a rare word, ``similar`` finds the articles closest to one
(more like this), ``results`` is what a search returns, ``session`` the
searcher a search runs on, its Ranking and its caches. May import
analysis, articles, storage, ranking, errors and limits; never the writer,
ingest or the Index.
"""
