"""The command line: click commands over the library, and their output.

``commands`` holds the commands (each a thin layer over searchkit.Index and
its reports), ``output`` the formats (terminal, JSON, JSON Lines, TREC)
and the escaping of what an article may hold. The top layer: it may import
every other, and none imports it.
"""
