"""The page in a real browser: Debian's headless Chromium driven by
playwright (no browser downloaded). Without /usr/bin/chromium these tests
skip, except under CI, where they fail: CI must run them."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import SEED_ID
from tests.serve.conftest import HOSTILE_TITLE

CHROMIUM = os.environ.get("SEARCHKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
QUERY = "libération de Mossoul"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory, pytestconfig) -> Path:
    """Where screenshots are kept: $SEARCHKIT_TEST_ARTIFACTS, else a pytest temporary folder."""
    folder = Path(os.environ.get("SEARCHKIT_TEST_ARTIFACTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    pytestconfig.stash[SCREENSHOTS] = folder
    return folder


SCREENSHOTS = pytest.StashKey[Path]()


@pytest.fixture
def page(browser, live_server, screenshots, request):
    """A fresh page on the live server; every dialog (alert) it opens is recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.base = live_server.url
    page.shoot = lambda name: page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    yield page
    context.close()


def _params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _search(page, query: str) -> None:
    page.goto(page.base + "/")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_selector(".summary")


def test_a_search_shows_the_seed_article_first_with_marks(page):
    _search(page, QUERY)
    assert _params(page)["q"] == [QUERY]  # the query is in the URL, to bookmark
    first = page.locator(".hit").first
    assert first.locator(".id").inner_text() == SEED_ID
    marks = first.locator("mark").all_inner_texts()
    assert {"libération", "Mossoul"} <= set(marks)
    assert page.locator("html").get_attribute("lang") == "fr"
    page.shoot("results")


def test_a_timeline_bar_keeps_the_search_to_its_month(page):
    _search(page, QUERY)
    before = page.locator(".hit .id").all_inner_texts()
    bar = page.locator('.timeline a.bar[data-period="2016-10"]')
    bar.click()
    page.wait_for_url(re.compile(r"since=2016-10"))
    assert _params(page)["since"] == ["2016-10"] and _params(page)["until"] == ["2016-10"]
    dates = page.locator(".hit .meta").all_inner_texts()
    assert dates and all(date.startswith("2016-10") for date in dates)
    after = page.locator(".hit .id").all_inner_texts()
    assert after == [SEED_ID] and len(before) > len(after)
    assert "2016-10" in page.locator(".period").inner_text()
    page.shoot("timeline-clicked")


def test_a_facet_keeps_the_search_to_its_value(page):
    _search(page, QUERY)
    facet = page.locator('.facet[data-facet="source"] a', has_text="Wikinews")
    count = int(facet.locator("xpath=..").locator(".count").inner_text())
    facet.click()
    page.wait_for_url(re.compile(r"source"))
    assert 'source:"Wikinews"' in page.input_value("#q")
    sources = page.locator(".hit .meta").all_inner_texts()
    assert sources and all("Wikinews" in meta for meta in sources)
    assert SEED_ID not in page.locator(".hit .id").all_inner_texts()  # the seed article has no source
    assert len(set(page.locator(".hit .id").all_inner_texts())) == count


def test_an_article_opens_with_every_hit_marked(page):
    _search(page, QUERY)
    page.locator(".hit-link").first.click()
    page.wait_for_selector("article.full")
    assert urlsplit(page.url).path == f"/articles/{SEED_ID}"
    text = page.locator(".full .text")
    marks = text.locator("mark").all_inner_texts()
    assert marks.count("Mossoul") == page.locator(".full .text").inner_text().count("Mossoul")
    assert "libération" in marks
    page.shoot("article")
    page.click("text=Retour aux résultats")
    page.wait_for_selector(".hit")
    assert _params(page)["q"] == [QUERY]


def test_the_keyboard_searches_and_walks_the_results(page):
    _search(page, QUERY)
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    ids = page.locator(".hit .id").all_inner_texts()
    focused = page.evaluate("document.activeElement.closest('.hit').querySelector('.id').textContent")
    assert focused == ids[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_selector("article.full")
    assert urlsplit(page.url).path == f"/articles/{ids[0]}"


def test_a_hostile_article_shows_as_text_and_runs_nothing(page):
    _search(page, "zanzibarique")
    title = page.get_by_text(HOSTILE_TITLE, exact=True)
    assert title.count() >= 1 and title.first.is_visible()
    for element in page.locator(".hit").all():
        element.hover()
    page.locator(".hit-link", has_text=HOSTILE_TITLE).click()
    page.wait_for_selector("article.full")
    page.locator(".full .text").hover()
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert '" onmouseover="alert(1)' in page.locator(".full .text").inner_text()
    assert page.locator("script").count() == 1  # the page's own
    assert page.dialogs == []
    page.shoot("hostile")


def test_the_search_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.fill("#q", "Mossoul")
    page.select_option("select[name=sort]", "date")
    page.click("button[type=submit]")
    page.wait_for_selector(".hit")
    assert _params(page)["sort"] == ["date"]
    dates = [meta.split(" · ")[0] for meta in page.locator(".hit .meta").all_inner_texts()]
    assert dates == sorted(dates, reverse=True)
    context.close()


def test_a_phone_screen_scrolls_only_down(browser, live_server, screenshots):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url + "/?q=" + QUERY)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshots / "results-phone.png", full_page=True)
    page.goto(live_server.url + f"/articles/{SEED_ID}?q=" + QUERY)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_the_page_makes_no_request_outside_the_server(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server.url + "/?q=" + QUERY)
    page.locator(".hit-link").first.click()
    page.wait_for_selector("article.full")
    context.close()
    assert asked and all(url.startswith(live_server.url + "/") for url in asked), asked
