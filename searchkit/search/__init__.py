"""Search: from the text of a query to ranked, marked passages.

``querylang`` parses the query language, ``engine`` compiles a query, runs it
(the fast scorer or Whoosh's matchers, then the reranks), filters by date and
chooses the passages, ``highlight`` scores passages and marks their words,
``spelling`` suggests the frequent spelling of a rare word, ``results`` is
what a search returns, ``session`` the searcher a search runs on and its
caches. May import analysis, articles, storage, ranking, errors and limits;
never the writer, ingest or the Index.
"""
