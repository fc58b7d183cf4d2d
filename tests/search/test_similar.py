"""Index.similar: the articles closest to one, its copies left out."""

import pytest

from searchkit import ArticleNotFound, Index, QueryError
from tests.helpers import SEED_ID

# Three articles on one story (a flood of the Garonne at Agen) written
# differently, two on another (a strike at the port of Marseille), others
# on nothing of either; then an exact copy of the first (the same words,
# spaced differently, so the ingest does not take it for a duplicate text)
# and a near copy (one figure changed).
FLOOD_1 = (
    "Crue de la Garonne : Agen évacue ses quais\n"
    "La Garonne a débordé dans la nuit à Agen. Les pompiers ont évacué trois cents habitants des quais, "
    "où l'eau atteint un mètre. Le préfet du Lot-et-Garonne a ouvert une cellule de crise à la mairie "
    "d'Agen et demande aux riverains de ne pas approcher des berges inondées. La décrue n'est pas attendue "
    "avant jeudi, selon Vigicrues, qui maintient la vigilance rouge sur la Garonne."
)
FLOOD_2 = (
    "Inondations : la Garonne toujours en vigilance rouge\n"
    "Vigicrues garde la Garonne en vigilance rouge. À Agen, la cellule de crise de la préfecture suit "
    "la montée des eaux heure par heure, et les pompiers du Lot-et-Garonne restent mobilisés sur les "
    "quais inondés. Les habitants évacués sont hébergés au gymnase municipal."
)
FLOOD_3 = (
    "Agen : après la crue, les riverains des quais font les comptes\n"
    "La décrue de la Garonne a commencé à Agen. Sur les quais, les riverains évacués retrouvent des "
    "maisons inondées ; le préfet du Lot-et-Garonne promet une aide aux sinistrés de la crue, et les "
    "pompiers pompent encore les caves."
)
STRIKE_1 = (
    "Grève des dockers au port de Marseille\n"
    "Les dockers du port de Marseille sont en grève depuis lundi. Les porte-conteneurs attendent au large "
    "et les syndicats des dockers réclament des hausses de salaires à la direction du port."
)
STRIKE_2 = (
    "Marseille : la grève des dockers bloque le port\n"
    "Au port de Marseille, la grève des dockers entre dans sa deuxième semaine. La direction du port "
    "reçoit les syndicats des dockers, sans accord sur les salaires."
)
OTHERS = [
    "Le festival de jazz ouvre ses portes\nLe festival de jazz accueille cette année quarante concerts "
    "sous les pins, et la billetterie du festival affiche complet pour le concert d'ouverture.",
    "Un nouveau musée d'art moderne\nLe musée d'art moderne ouvre ses salles au public samedi : "
    "peintures, sculptures et une collection de photographies données par un mécène.",
    "La récolte des pommes commence\nLes arboriculteurs du Limousin commencent la récolte des pommes, "
    "plus précoce que l'an dernier après un été chaud et sec.",
    "Le Tour de France passe par les Alpes\nLes coureurs du Tour de France franchissent trois cols des "
    "Alpes mardi, une étape de montagne attendue par les grimpeurs.",
]
EXACT_COPY = FLOOD_1.replace(". ", ".  ")
NEAR_COPY = FLOOD_1.replace("trois cents habitants", "quatre cents habitants")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("similar")
    articles = {"flood1": FLOOD_1, "flood2": FLOOD_2, "flood3": FLOOD_3, "strike1": STRIKE_1,
                "strike2": STRIKE_2, "copy": EXACT_COPY, "near": NEAR_COPY}
    articles.update({f"other{n}": text for n, text in enumerate(OTHERS)})
    for name, text in articles.items():
        (folder / "news" / f"{name}.txt").parent.mkdir(exist_ok=True)
        (folder / "news" / f"{name}.txt").write_text(text, "utf-8")
    with Index(folder / "index") as built:
        report = built.ingest([folder / "news"])
        assert report.added == len(articles)
        yield built


def ids(result):
    return [hit.article_id for hit in result.hits]


def test_the_articles_on_the_same_story_come_first(index):
    assert ids(index.similar("flood1.txt"))[:2] in (["flood2.txt", "flood3.txt"], ["flood3.txt", "flood2.txt"])
    assert ids(index.similar("strike1.txt"))[0] == "strike2.txt"
    assert ids(index.similar("flood2.txt"))[0] in {"flood1.txt", "flood3.txt", "copy.txt", "near.txt"}


def test_the_article_and_its_exact_and_near_copies_are_left_out(index):
    found = ids(index.similar("flood1.txt", limit=20))
    assert found  # the copies are what is left out, not everything
    assert not {"flood1.txt", "copy.txt", "near.txt"} & set(found)
    # Each copy is an article of its own, like the others: the first is a copy of it.
    assert "flood1.txt" not in ids(index.similar("near.txt", limit=20))


def test_each_hit_is_a_passage_with_the_shared_words_marked(index):
    result = index.similar("flood1.txt", limit=3)
    assert result.query == "flood1.txt"
    for hit in result.hits[:2]:
        assert hit.text and hit.highlights
        marked = {hit.text[start:end].lower() for start, end in hit.highlights}
        assert "garonne" in marked or "agen" in marked
        assert hit.title_highlights
    assert [hit.rank for hit in result.hits] == list(range(1, len(result.hits) + 1))
    assert all(a.score >= b.score for a, b in zip(result.hits, result.hits[1:]))


def test_limit_is_kept(index):
    assert len(index.similar("flood1.txt", limit=1).hits) == 1
    with pytest.raises(QueryError):
        index.similar("flood1.txt", limit=0)


def test_an_unknown_id_is_a_clear_error(index):
    with pytest.raises(ArticleNotFound, match="no article 'nope.txt'"):
        index.similar("nope.txt")


def test_a_seed_article_gets_other_articles(seeds_index):
    with Index(seeds_index, create=False) as seeds:
        result = seeds.similar(SEED_ID, limit=5)
    assert len(result.hits) == 5
    assert SEED_ID not in ids(result)
    assert all(hit.highlights or hit.title_highlights for hit in result.hits)
