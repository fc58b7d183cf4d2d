"""Articles: finding files and reading them into Article values.

``sources`` finds the files under the paths given and reads each format (text,
Markdown, HTML, JSON, JSON Lines) with its encoding, ``markup`` and ``htmlmeta``
read HTML and its metadata, ``metatable`` a folder's table of metadata,
``article`` is the Article and its dates and headlines, ``passages`` cuts a
text into passages. May import searchkit.analysis, errors and limits; knows
nothing of the index.
"""
