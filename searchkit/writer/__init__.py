"""Writer: turning documents into Whoosh segments, fast.

``bulk`` is the writer (segments written from postings inverted in worker
processes, merged by ``merges``' policy), ``inversion`` turns documents into
sorted postings, ``workers`` runs the processes and says what travels between
them. May import analysis, articles, storage, errors and limits; knows nothing
of ranking, search or what changed on disk.
"""
