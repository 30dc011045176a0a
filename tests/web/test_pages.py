"""The web pages without a browser (FastAPI TestClient): content, JSON twins equal to the API, empty and error states,
htmx fragments, escaping of hostile record text, and no inline script or style anywhere."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from stemtrials.api import create_app
from stemtrials.web import STATIC

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what a browser sends


@pytest.fixture(scope="module")
def client(web_db: str) -> TestClient:
    return TestClient(create_app(db=web_db))


class _Tags(HTMLParser):
    """Collects the tags of a page with their attributes (for checks on scripts, styles and links)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def text_of(html: str) -> str:
    """The page's text as a reader sees it (character references resolved), whitespace collapsed."""
    parts: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append  # type: ignore[method-assign]
    parser.feed(html)
    return " ".join(" ".join(parts).split())


def assert_no_inline_code(html: str) -> None:
    """A strict CSP (script-src 'self', no inline) will be added later: pages must already comply."""
    page = tags(html)
    assert not page.script_text, page.script_text
    for tag, attrs in page.tags:
        assert tag != "style", "inline <style>"
        assert "style" not in attrs, f"style attribute on <{tag}>"
        assert not any(a.startswith("on") for a in attrs), f"event handler attribute on <{tag}>: {attrs}"
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), attrs
        for a in ("href", "src", "action", "hx-get"):
            value = (attrs.get(a) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:")), (tag, a, value)


# ---------------------------------------------------------------- search page
def test_search_page_lists_results_with_facets(client: TestClient):
    r = client.get("/?q=mesenchymal", headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    api = client.get("/api/trials?q=mesenchymal").json()
    assert api["total"] >= 2
    assert f"{api['total']} trials for “mesenchymal”" in r.text
    for rec in api["results"]:
        assert f'href="/trials/{rec["id"]}"' in r.text
    # Result items: status as text, phases, registry IDs, countries, dates.
    assert "Phase 1" in r.text and "Registry IDs" in r.text and "Start 2016-01-01 (actual)" in r.text
    # Sidebar: facet values link to the same search narrowed, with counts.
    assert 'id="facets-heading"' in r.text
    assert 'href="/?q=mesenchymal&amp;cell_category=hesc_derived"' in r.text
    assert "hESC-derived" in r.text
    assert_no_inline_code(r.text)


def test_facet_selected_shows_chip_and_aria_current(client: TestClient):
    r = client.get("/?q=mesenchymal&cell_category=hesc_derived", headers=HTML)
    assert r.status_code == 200
    api = client.get("/api/trials?q=mesenchymal&cell_category=hesc_derived").json()
    assert api["total"] >= 1 and "ChiCTR2000031139" in [x["id"] for x in api["results"]]
    assert f"{api['total']} trial{'' if api['total'] == 1 else 's'} for “mesenchymal”" in r.text
    assert 'aria-current="true"' in r.text
    assert 'href="/trials/ChiCTR2000031139"' in r.text
    # The chip removes the filter; the hidden input keeps it for the next query typed into the form.
    assert 'href="/?q=mesenchymal"' in r.text
    assert '<input type="hidden" name="cell_category" value="hesc_derived" form="search-form">' in r.text


def test_search_twin_equals_api_payload(client: TestClient):
    for query in ({"q": "mesenchymal"}, {"q": "mesenchymal", "cell_category": "hesc_derived"},
                  {"status": "recruiting", "limit": "5", "sort": "start_date"}, {"country": "Japan", "phase": "phase3"},
                  {"q": "stem cell", "fields": "title,status"}):
        qs = urlencode(query)
        api = client.get(f"/api/trials?{qs}")
        assert api.status_code == 200
        assert client.get(f"/?{qs}&format=json").json() == api.json()
        twin = client.get(f"/?{qs}", headers={"Accept": "application/json"})
        assert twin.headers["content-type"] == "application/json" and twin.json() == api.json()


def test_pages_follow_the_cursor_like_the_api(client: TestClient):
    first = client.get("/?limit=10&format=json").json()
    assert first["next"] and first["total"] > 10
    second_api = client.get("/api/trials", params={"limit": 10, "cursor": first["next"]}).json()
    assert client.get("/", params={"limit": 10, "cursor": first["next"], "format": "json"}).json() == second_api
    page2 = client.get("/", params={"limit": 10, "cursor": first["next"]}, headers=HTML)
    assert page2.status_code == 200 and "First page" in page2.text
    assert f'href="/trials/{second_api["results"][0]["id"]}"' in page2.text
    assert 'rel="next"' in client.get("/?limit=10", headers=HTML).text


def test_empty_search_is_a_clear_empty_state(client: TestClient):
    r = client.get("/?q=zzqqxxnotaword", headers=HTML)
    assert r.status_code == 200
    assert "0 trials" in r.text and "No trials match “zzqqxxnotaword”" in r.text
    assert 'href="/"' in r.text  # a way out: show all trials


def test_empty_database_says_so(db_url: str):
    client = TestClient(create_app(db=db_url))
    r = client.get("/", headers=HTML)
    assert r.status_code == 200 and "No trials in the database yet" in r.text
    d = client.get("/dashboard", headers=HTML)
    assert d.status_code == 200 and "No trials to chart" in d.text


def test_bad_cursor_is_an_error_state(client: TestClient):
    r = client.get("/?cursor=not-a-cursor", headers=HTML)
    assert r.status_code == 400
    assert "This search can&#39;t be run" in r.text and 'role="alert"' in r.text and "invalid cursor" in r.text
    twin = client.get("/?cursor=not-a-cursor&format=json")
    api = client.get("/api/trials?cursor=not-a-cursor")
    assert twin.status_code == api.status_code == 400
    assert twin.headers["content-type"] == api.headers["content-type"] == "application/problem+json"
    assert {k: v for k, v in twin.json().items() if k != "instance"} == \
        {k: v for k, v in api.json().items() if k != "instance"}


def test_invalid_parameter_gets_an_html_page_for_browsers_and_a_problem_for_the_api(client: TestClient):
    r = client.get("/?sex=other", headers=HTML)
    assert r.status_code == 422 and "Invalid search parameter" in r.text and "sex" in r.text
    api = client.get("/api/trials?sex=other", headers=HTML)
    assert api.status_code == 422 and api.headers["content-type"] == "application/problem+json"
    assert client.get("/nowhere", headers=HTML).status_code == 404
    assert "Page not found" in client.get("/nowhere", headers=HTML).text
    assert client.get("/api/nowhere", headers=HTML).headers["content-type"] == "application/problem+json"


def test_server_error_is_a_page_for_browsers(web_db: str, monkeypatch: pytest.MonkeyPatch):
    import stemtrials.web.pages as pages

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pages, "stats", broken)
    client = TestClient(create_app(db=web_db), raise_server_exceptions=False)
    r = client.get("/dashboard", headers=HTML)
    assert r.status_code == 500 and "Something went wrong" in r.text and "boom" not in r.text
    assert client.get("/dashboard?format=json").status_code == 500


def test_htmx_gets_the_region_only_and_history_restore_the_whole_page(client: TestClient):
    frag = client.get("/?q=mesenchymal", headers={"HX-Request": "true"})
    assert frag.status_code == 200
    assert frag.text.lstrip().startswith("<div id=\"region\"") and "<html" not in frag.text
    assert "<title>“mesenchymal” — Search trials — stemtrials</title>" in frag.text
    assert "HX-Request" in frag.headers["vary"]
    full = client.get("/?q=mesenchymal", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert full.text.lstrip().lower().startswith("<!doctype html>")
    err = client.get("/?cursor=bad", headers={"HX-Request": "true"})
    assert err.status_code == 400 and err.text.lstrip().startswith('<div id="region"') and 'role="alert"' in err.text


# ---------------------------------------------------------------- trial page
SECTIONS = ("General", "Administrative information and IDs", "Conditions", "Cell product", "Design", "Arms",
            "Outcomes", "Eligibility", "Locations", "Contacts", "Sponsors", "Versions", "Source")


def test_trial_page_groups_every_field_like_the_seeds(client: TestClient):
    rec = client.get("/api/trials/NCT03123458").json()
    r = client.get("/trials/NCT03123458", headers=HTML)
    assert r.status_code == 200
    for heading in SECTIONS:
        assert f">{heading}</h2>" in r.text, heading
    text = text_of(r.text)
    assert rec["title"] in text
    for cond in rec["conditions"]:
        assert cond["text"] in text
    for loc in rec["locations"]:
        assert (loc.get("facility") or loc.get("city")) in text
    for sp in rec["sponsors"]:
        assert sp["name"] in text
    for o in rec["outcomes"]["primary"] + rec["outcomes"]["secondary"]:
        assert " ".join(o["measure"].split()) in text
    for item in rec["eligibility"]["inclusion"] + rec["eligibility"]["exclusion"]:
        assert " ".join(item.split()) in text
    assert "Version 1" in r.text and "current" in r.text
    assert 'href="https://clinicaltrials.gov/study/NCT03123458"' in r.text  # the registry link
    assert "GIMI-IRB-17001" in r.text  # the org study ID
    assert_no_inline_code(r.text)


def test_trial_page_shows_the_cell_type_and_its_definition(client: TestClient):
    rec = client.get("/api/trials/ChiCTR2000031139").json()
    cell = rec["cell_products"][0]["cell_type"]
    r = client.get("/trials/ChiCTR2000031139", headers=HTML)
    text = text_of(r.text)
    assert cell["label"] in text
    assert " ".join(cell["definition"].split()) in text
    if cell.get("id"):
        assert f'href="/api/ontology/{cell["id"]}"' in r.text and "ebi.ac.uk/ols4/ontologies/cl/classes/" in r.text
    # ChiCTR has no page URL we can build from the ID: the WHO ICTRP record is the registry link.
    assert 'href="https://trialsearch.who.int/Trial2.aspx?TrialID=ChiCTR2000031139"' in r.text


def test_trial_by_secondary_id_and_twin(client: TestClient):
    r = client.get("/trials/GIMI-IRB-17001", headers=HTML)
    assert r.status_code == 200 and "Found by the registry ID “GIMI-IRB-17001”" in r.text
    twin = client.get("/trials/GIMI-IRB-17001?format=json").json()
    assert twin == {"record": client.get("/api/trials/NCT03123458").json(),
                    "versions": client.get("/api/trials/NCT03123458/history").json(),
                    "study": client.get("/api/studies/NCT03123458").json(),
                    "audit": client.get("/api/trials/NCT03123458/audit").json()}
    assert client.get("/trials/NCT03123458", headers={"Accept": "application/json"}).json() == twin


def test_unknown_trial_is_a_404_page(client: TestClient):
    r = client.get("/trials/NCT00000000", headers=HTML)
    assert r.status_code == 404 and "Trial not found" in r.text and "NCT00000000" in r.text
    twin = client.get("/trials/NCT00000000?format=json")
    assert twin.status_code == 404 and twin.headers["content-type"] == "application/problem+json"


# ---------------------------------------------------------------- dashboard
def test_dashboard_page_and_twin(client: TestClient):
    r = client.get("/dashboard?q=mesenchymal", headers=HTML)
    assert r.status_code == 200
    for title in ("Trials per start year, by cell category", "Phase distribution", "Top conditions", "Countries",
                  "MSC tissue sources", "hESC vs hiPSC over time"):
        assert title in r.text
    assert 'data-stats-url="/api/stats?q=mesenchymal"' in r.text
    assert '<script src="/static/dashboard.js' in r.text
    assert_no_inline_code(r.text)
    for qs in ("", "q=mesenchymal", "country=Japan&phase=phase3", "cell_category=hesc_derived"):
        api = client.get(f"/api/stats?{qs}").json()
        assert client.get(f"/dashboard?{qs}&format=json").json() == api
    stats = client.get("/api/stats").json()
    assert stats["start_year_by_cell_category"]["2020"]["hesc_derived"] >= 1
    assert stats["start_year_by_pluripotent_origin"]["2020"]["hESC"] >= 1
    for year, n in stats["start_year"].items():
        # Each year's bar: trials with a cell category (a trial may have several) plus those without one.
        without = stats["start_year_without_cell_category"].get(year, 0)
        with_category = sum(stats["start_year_by_cell_category"].get(year, {}).values())
        assert without <= n <= without + with_category, year


# ---------------------------------------------------------------- hostile record text
def test_hostile_text_is_escaped_everywhere(client: TestClient, xss: SimpleNamespace):
    pages = [client.get(f"/trials/{xss.id}", headers=HTML), client.get("/?q=XSS+probe", headers=HTML),
             client.get("/?q=XSS+probe", headers={"HX-Request": "true"})]
    for r in pages:
        assert r.status_code == 200
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in r.text
        assert "<script>alert" not in r.text and "<img" not in r.text
        assert_no_inline_code(r.text)
    trial = pages[0].text
    # The javascript: source URL is shown as text, never as a link; the registry link is built from the ID.
    assert xss.url in trial and 'href="javascript:' not in trial
    assert f'href="https://clinicaltrials.gov/study/{xss.id}"' in trial
    record = client.get(f"/trials/{xss.id}?format=json").json()["record"]
    assert record["title"] == xss.title  # stored as given: escaping is the page's job, not the store's
    assert record["eligibility"]["inclusion"] == [xss.script, xss.breakout]


# ---------------------------------------------------------------- static files
def test_static_files_are_served_locally(client: TestClient):
    for path in ("/static/app.css", "/static/app.js", "/static/dashboard.js", "/static/vendor/htmx.min.js",
                 "/static/vendor/vega.min.js", "/static/vendor/vega-lite.min.js", "/static/vendor/vega-embed.min.js"):
        r = client.get(path)
        assert r.status_code == 200 and len(r.content) > 1000, path
    for path in ("/", "/dashboard", "/trials/NCT03123458"):
        for tag, attrs in tags(client.get(path, headers=HTML).text).tags:
            if tag in ("script", "link", "img", "iframe"):
                value = attrs.get("src") or attrs.get("href") or ""
                assert value.startswith("/static/"), (path, tag, value)


def test_vendored_files_match_vendor_md():
    """VENDOR.md names each vendored file's hash: a re-pack must update it (and the versions) deliberately."""
    vendor = STATIC / "vendor"
    listed = dict((name, digest) for digest, name in
                  re.findall(r"^([0-9a-f]{64})  (\S+)$", (vendor / "VENDOR.md").read_text(), re.MULTILINE))
    files = sorted(p.name for p in vendor.glob("*.js"))
    assert sorted(listed) == files
    for name in files:
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == listed[name], name
        assert (vendor / f"{name.removesuffix('.min.js')}.LICENSE").is_file(), name
