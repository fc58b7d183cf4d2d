"""Ranking: scoring articles for a query's terms, and the reranks after it.

``fastscore`` scores an OR of terms with numpy from the postings and the
tails, ``truncation`` matches words of the same family (a Whoosh query and
its weight), ``proximity`` rewards query words close together and quoted
passages, ``exactwords`` the words as typed. May import analysis, articles,
storage, errors and limits; knows nothing of the query language, of search
results or of writing.
"""
