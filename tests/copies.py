"""Made-up French news articles and the copies other sites would make of
them: the headline rewritten, a paragraph cut, a sentence added, an agency
line put first. Each copy keeps about 80% of its original's words."""

import random

PLACES = ("Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Rennes", "Brest", "Dijon", "Grenoble", "Rouen",
          "Nice", "Metz", "Caen", "Tours", "Reims", "Amiens", "Limoges", "Poitiers", "Besançon", "Pau")
PEOPLE = ("la ministre de la Santé", "le maire", "le préfet", "un porte-parole du syndicat", "le procureur",
          "la présidente de la région", "un témoin", "le directeur de l'hôpital", "les enquêteurs",
          "le député de la circonscription", "une habitante du quartier", "le secrétaire d'État")
ACTIONS = ("a annoncé", "a confirmé", "a démenti", "a regretté", "a salué", "a dénoncé", "a expliqué",
           "a rappelé", "a précisé", "a estimé", "a reconnu", "a promis")
THINGS = ("la fermeture de l'usine", "un plan d'investissement", "la hausse des loyers", "une enquête pénale",
          "la reprise des travaux", "le budget de la commune", "une grève des transports", "la pollution du fleuve",
          "l'ouverture d'un centre de soins", "la suppression de trois cents emplois", "un incendie criminel",
          "la rénovation de la gare", "le recrutement de soignants", "un accord salarial", "la crue de la rivière")
WHEN = ("mardi soir", "lundi matin", "ce week-end", "jeudi après-midi", "dans la nuit de vendredi",
        "en fin de journée", "dès la semaine prochaine", "depuis le mois de mars", "avant l'été", "mercredi")
EXTRA = ("selon un communiqué publié dans la foulée", "devant une centaine de personnes",
         "sans donner plus de détails", "lors d'une conférence de presse", "dans un entretien au quotidien local",
         "à l'issue d'une réunion de crise", "au terme de plusieurs mois de négociations", "malgré les critiques")
AGENCY_LINES = ("PARIS (AFP) - ", "Lyon, 12 mars (Reuters) - ", "(AFP) — ")
SITES = ("lemonde.fr", "20minutes.fr", "lefigaro.fr", "liberation.fr", "ouest-france.fr")


def sentence(rng: random.Random) -> str:
    number = rng.randint(2, 950)
    return (f"À {rng.choice(PLACES)}, {rng.choice(PEOPLE)} {rng.choice(ACTIONS)} {rng.choice(THINGS)} "
            f"{rng.choice(WHEN)}, {rng.choice(EXTRA)}, avec {number} personnes concernées.")


def article(rng: random.Random, article_id: str, paragraphs: int = 5, date: str = "2024-03-12") -> dict:
    """A made-up article: ``paragraphs`` paragraphs of three sentences each."""
    text = "\n\n".join(" ".join(sentence(rng) for _ in range(3)) for _ in range(paragraphs))
    return {"id": article_id, "title": f"{rng.choice(THINGS).capitalize()} à {rng.choice(PLACES)}",
            "date": date, "source": "afp.com", "text": text}


def copy_of(original: dict, rng: random.Random, article_id: str, date: str | None = None) -> dict:
    """A copy as another site publishes it: a new headline, one of the
    paragraphs cut (not the first), a sentence added, an agency line first."""
    paragraphs = original["text"].split("\n\n")
    del paragraphs[rng.randrange(1, len(paragraphs))]
    paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), sentence(rng))
    return {"id": article_id, "title": f"Ce qu'il faut savoir : {original['title'].lower()}",
            "date": date or original["date"], "source": rng.choice(SITES),
            "text": rng.choice(AGENCY_LINES) + "\n\n".join(paragraphs)}


def same_story(original: dict, rng: random.Random, article_id: str) -> dict:
    """Another article on the same story, written apart: its own sentences,
    the same headline words and the first sentence quoted."""
    first = original["text"].split(". ")[0] + "."
    text = f"{first}\n\n" + "\n\n".join(" ".join(sentence(rng) for _ in range(3)) for _ in range(4))
    return {"id": article_id, "title": original["title"], "date": original["date"], "source": "lemonde.fr",
            "text": text}
