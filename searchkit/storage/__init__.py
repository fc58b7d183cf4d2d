"""Storage: the index folder and what it holds, below Whoosh's own files.

``schema`` is the fields of an index, ``record`` the versions and paths kept
beside it (searchkit.json), ``documents`` what is stored of an article,
``formats`` and ``tails`` the posting format and the tail codec the fast
scorer reads, ``postings`` reads a segment's postings in bulk, ``integrity``
the checksums of every file, ``durability`` writes that survive a crash,
``readers`` opens the latest generation, ``safepickle`` the only classes an
index may unpickle, ``leftovers`` what a killed ingest left, ``opened`` an
opened index with its verification, its current searcher (from a factory
passed down) and its errors explained, ``stats`` its counts. May import
analysis, articles, errors and limits; knows nothing of ranking, search,
writing or ingesting.
"""
