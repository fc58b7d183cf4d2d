"""Ingest: what changed on disk since the last ingest, written as one commit.

``ingestion`` compares the files under the paths given with the catalogue of
what the index holds (added, changed, moved, removed) and hands the writer
the documents, ``rebuild`` builds an index anew beside the old one and puts it
in its place. May import every layer below it but search: analysis,
articles, storage, writer, errors and limits.
"""
