"""Metadata of a saved news page that the extractor gets wrong: the date it
was published (not last modified), authors that are page furniture, and the
site's name after the title.
"""

from __future__ import annotations

import html
import re

_META_RE = re.compile(r"<meta\s[^>]*>", re.IGNORECASE)
_ATTRIBUTE_RE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_TIME_RE = re.compile(r"<time\s[^>]*itemprop\s*=\s*[\"']?datePublished[^>]*>", re.IGNORECASE)
_JSON_LD_PUBLISHED_RE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
# The names a page gives its publication date, most trusted first; the
# modification date (article:modified_time, dateModified) is never one.
PUBLISHED_NAMES = ("article:published_time", "datepublished", "og:published_time", "publishdate",
                   "pubdate", "dc.date.issued", "dcterms.issued", "sailthru.date", "date")

# Author fields filled from a byline link or a share button.
_AUTHOR_PREFIX_RE = re.compile(
    r"^(?:view all posts by|all posts by|posts by|posted by|written by|articles? by|by|"
    r"voir tous les articles de|tous les articles de|articles? de|publié par|écrit par|par|von)\s*:?\s+",
    re.IGNORECASE,
)
_FURNITURE_RE = re.compile(
    r"\b(?:empfehlen|teilen|share|partager|tweet|facebook|twitter|linkedin|whatsapp|e-?mail|imprimer|print|"
    r"drucken|newsletter|abonnez|subscribe|commentaires?|comments?|lire la suite|read more)\b",
    re.IGNORECASE,
)
_TITLE_SEPARATORS = ("|", " - ", " – ", " — ", " :: ", " · ", " / ")


def _attributes(tag: str) -> dict[str, str]:
    # One of the three groups holds the value: double-quoted, single-quoted, bare.
    return {name.lower(): html.unescape(double or single or bare)
            for name, double, single, bare in _ATTRIBUTE_RE.findall(tag)}


def published_date(page: str) -> str | None:
    """The publication date a page states in its metadata, as written."""
    found: dict[str, str] = {}
    for tag in _META_RE.findall(page):
        attributes = _attributes(tag)
        name = (attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or "").lower()
        content = attributes.get("content", "").strip()
        if name in PUBLISHED_NAMES and content:
            found.setdefault(name, content)
    for tag in _TIME_RE.findall(page):
        value = _attributes(tag).get("datetime", "").strip()
        if value:
            found.setdefault("datepublished", value)
    m = _JSON_LD_PUBLISHED_RE.search(page)
    if m:
        found.setdefault("datepublished", m.group(1))
    return next((found[name] for name in PUBLISHED_NAMES if name in found), None)


def clean_author(author: str | None) -> str | None:
    """The author's name, without "View all posts by"; None for share-button
    text and other furniture ("Artikel empfehlen")."""
    if not author:
        return None
    names = []
    for name in re.split(r"\s*[;,]\s*|\s+(?:and|et|und)\s+", author):
        name = _AUTHOR_PREFIX_RE.sub("", name.strip()).strip()
        if name and not _FURNITURE_RE.search(name) and any(ch.isalpha() for ch in name):
            names.append(name)
    return ", ".join(dict.fromkeys(names)) or None


def title_without_site(title: str, site_name: str | None) -> str:
    """``title`` without the site's name after a separator ("... | PSL",
    "... - Le Monde"), when the page names that site."""
    if not site_name or not title:
        return title
    site = " ".join(site_name.split()).casefold()
    for separator in _TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and head.strip() and " ".join(tail.split()).casefold() == site:
            return head.strip()
    return title
