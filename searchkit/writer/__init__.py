"""Writer: turning documents into Whoosh segments, fast.

``bulk`` is the writer: it takes ``storage.documents.Document``s, has them
inverted in worker processes (``inversion``, run by ``workers``), holds the
postings in a ``pool``, writes them at commit (``layout``), merges segments by
``merges``' policy and copies the merged ones (``copying``). What travels to a
worker is a job and its plain-data result, nothing else: ``invert(plan, first,
documents) -> Run`` (a batch of Documents to its postings, lengths and stored
fields) and ``encode_terms(postings, ...) -> Encoded`` (postings to the codec's
blocks). May import analysis, articles, storage, errors and limits; knows
nothing of ranking, search or what changed on disk.
"""
