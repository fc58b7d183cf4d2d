"""Every text the page shows, in French, in one place."""

from __future__ import annotations

TITLE = "searchkit"
SEARCH_LABEL = "Rechercher dans les articles"
SEARCH_PLACEHOLDER = "libération de Mossoul"
SEARCH_BUTTON = "Rechercher"
SINCE = "Depuis"
UNTIL = "Jusqu’à"
DATE_HINT = "2016, 2016-05 ou 2016-05-21"
DATE_PLACEHOLDER = "aaaa-mm-jj"
SORT = "Tri"
SORT_CHOICES = {"relevance": "pertinence", "date": "date (récents d’abord)"}
KEYS_HINT = "Touche / : rechercher · ↑ ↓ : parcourir les résultats · Entrée : ouvrir"
SYNTAX_SUMMARY = "Syntaxe des requêtes"
SYNTAX = (
    ("libération Mossoul", "classés : les passages qui ont le plus de ces mots d’abord"),
    ("\"coalition internationale\"", "ces mots dans cet ordre"),
    ("« situation préoccupante »", "non requis : les articles qui ont ces mots tels qu’écrits d’abord"),
    ("-Raqqa, NOT Raqqa", "sans les articles qui ont ce mot"),
    ("a AND b, a OR b, ( … )", "les deux, l’un ou l’autre (par défaut), groupement"),
    ("title:Mossoul, source:AFP, author:\"Marie Durand\"", "un seul champ : title, source, author, text"),
    ("libér*", "les mots qui commencent par libér (accents ignorés)"),
)
DID_YOU_MEAN = "Vouliez-vous dire :"
NO_MATCH = "Aucun article ne correspond à"
MATCHED = "{count} articles correspondent"
MATCHED_ONE = "1 article correspond"
SHOWN = "passages {first} à {last}"
SECONDS = "en {ms} ms"
PREVIOUS = "← Précédents"
NEXT = "Suivants →"
PAGE = "page {page}"
TIMELINE = "Articles par mois"
TIMELINE_YEARS = "Articles par année"
TIMELINE_HINT = "Cliquer sur une barre pour s’en tenir à cette période."
PERIOD = "Période : {since} – {until}"
CLEAR = "effacer"
UNDATED = "{count} sans date"
FACETS = {"source": "Sources", "author": "Auteurs"}
WITHOUT_VALUE = {"source": "{count} sans source", "author": "{count} sans auteur"}
ARTICLES = "{count} articles"
ARTICLE_ONE = "1 article"
COPIES = "+ {count} copies"
COPY_ONE = "+ 1 copie"
SOURCE = "Source"
AUTHOR = "Auteur"
DATE = "Date"
ARTICLE_ID = "Identifiant"
FILE = "Fichier"
URL = "Adresse"
BACK = "← Retour aux résultats"
NEW_SEARCH = "← Nouvelle recherche"
HITS_IN_ARTICLE = "{count} occurrences marquées"
HIT_IN_ARTICLE_ONE = "1 occurrence marquée"
FIRST_HIT = "aller à la première"
INDEX_HOLDS = "L’index contient {articles} articles ({passages} passages)."
ERROR_TITLE = "Erreur"
NOT_FOUND = "Page introuvable."
NO_ARTICLE = "Aucun article {article_id} dans l’index."
INTERNAL = "Erreur interne du serveur ; le détail est dans le terminal de searchkit serve."
UNAVAILABLE = "L’index ne peut pas être lu"
