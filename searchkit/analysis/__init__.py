"""French analysis: text to words and terms, one chain for indexing and queries.

``french`` holds the chain (tokens with their offsets, elision, folding with
unidecode, stop words, plurals, Snowball stems), ``analyzer`` the Whoosh
analyzer built on it, ``phrases`` the words of a phrase as written, ``marks``
the combining marks a word may hold. The lowest layer: it imports only
searchkit.errors and searchkit.limits, and libraries.
"""
