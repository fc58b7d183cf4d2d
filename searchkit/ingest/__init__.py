"""Ingest: what changed on disk since the last ingest, written as one commit.

``finding`` lists the files to read, ``ingestion`` compares them with the
catalogue of what the index holds (added, changed, moved, removed) and hands
the writer the documents, counted in a ``report``; ``transaction`` runs
ingest, remove, optimize and rebuild each as one commit, ``locking`` takes the
writer lock and opens the writer, ``rebuild`` builds an index anew beside the
old one and puts it in its place, ``check`` compares an index with its files
and the sources it records. May import every layer below it but search:
analysis, articles, storage, writer, errors and limits.
"""
