"""Web login and the curator forms: anonymous posts go to the login page, readers and CSRF-less or wrong-token posts
get 403, a curator's form post changes the record and redirects back (post/redirect/get), the session cookie has
the right flags, logout ends the session, and the public trial page shows the curation history without forms."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from curation_helpers import CHICTR, NCT, PASSWORD, condition_terms, product
from stemtrials.api import create_app

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FORMS = [
    ("/curation/condition/" + NCT, {"condition": "Tissue Damage", "terms": "MONDO:0005416", "action": "set"}),
    ("/curation/cell-product/" + NCT, {"product": "clonal fetal MSCs", "field": "donor", "value": "autologous",
                                       "action": "set"}),
    ("/curation/override-remove/" + NCT, {"override_id": "1"}),
    ("/curation/link/" + NCT, {"other": CHICTR, "decision": "split"}),
]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _login(client: TestClient, name: str, password: str = PASSWORD, next_path: str = f"/trials/{NCT}"):
    form = client.get(f"/login?next={next_path}", headers=HTML)
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    return client.post("/login", data={"csrf": _csrf(form.text), "username": name, "password": password,
                                       "next": next_path}, headers=HTML, follow_redirects=False)


@pytest.fixture()
def curator(engine: Engine, people) -> TestClient:
    web = TestClient(create_app(engine=engine), base_url="https://testserver")
    assert _login(web, "curator1").status_code == 303
    return web


def _page_csrf(web: TestClient) -> str:
    return _csrf(web.get(f"/trials/{NCT}", headers=HTML).text)


@pytest.mark.parametrize(("path", "fields"), FORMS)
def test_forms_send_anonymous_visitors_to_the_login_page(client: TestClient, path: str, fields: dict):
    r = client.post(path, data={**fields, "csrf": "anything"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/trials/{NCT}"
    assert client.get(f"/api/trials/{NCT}/audit").json() == []


@pytest.mark.parametrize(("path", "fields"), FORMS)
def test_forms_refuse_readers(engine: Engine, people, path: str, fields: dict):
    web = TestClient(create_app(engine=engine))
    assert _login(web, "reader1").status_code == 303
    csrf = _page_csrf(web)  # the reader's own, valid token (from the sign-out form)
    r = web.post(path, data={**fields, "csrf": csrf}, headers=HTML, follow_redirects=False)
    assert r.status_code == 403 and "reader" in r.text
    assert web.get(f"/api/trials/{NCT}/audit").json() == []


@pytest.mark.parametrize(("path", "fields"), FORMS)
def test_forms_without_or_with_a_wrong_csrf_token_are_refused(curator: TestClient, path: str, fields: dict):
    good = _page_csrf(curator)
    for data in (fields, {**fields, "csrf": ""}, {**fields, "csrf": good[:-2] + "xx"}):
        r = curator.post(path, data=data, headers=HTML, follow_redirects=False)
        assert r.status_code == 403 and "security token" in r.text
    # The token of another session doesn't do either.
    other = TestClient(curator.app, base_url="https://testserver")
    assert _login(other, "curator1").status_code == 303
    r = curator.post(path, data={**fields, "csrf": _page_csrf(other)}, headers=HTML, follow_redirects=False)
    assert r.status_code == 403
    assert curator.get(f"/api/trials/{NCT}/audit").json() == []


def test_curator_forms_change_the_record_and_redirect_back(curator: TestClient):
    csrf = _page_csrf(curator)
    r = curator.post(f"/curation/condition/{NCT}", headers=HTML, follow_redirects=False,
                     data={"csrf": csrf, "condition": "Tissue Damage", "terms": "osteoarthritis, knee",
                           "note": "from the protocol", "action": "set"})
    assert r.status_code == 303 and r.headers["location"] == f"/trials/{NCT}#curation-history"
    r = curator.post(f"/curation/cell-product/{NCT}", headers=HTML, follow_redirects=False,
                     data={"csrf": csrf, "product": "clonal fetal MSCs", "field": "donor", "value": "allogeneic",
                           "action": "set"})
    assert r.status_code == 303
    record = curator.get(f"/api/trials/{NCT}").json()
    assert condition_terms(record, "Tissue Damage") == ["MONDO:0005416"]
    assert product(record, "clonal fetal MSCs")["donor"] == "allogeneic"

    page = curator.get(r.headers["location"], headers=HTML)
    assert page.headers["cache-control"] == "no-store"  # it holds CSRF tokens
    history = page.text[page.text.index('id="curation-history"'):]
    assert "osteoarthritis, knee" in history and "from the protocol" in history and "user:curator1" in history
    history_text = " ".join(re.sub("<[^>]+>", " ", history).split())
    assert "Cell product “clonal fetal MSCs”, donor: none → allogeneic" in history_text
    # A bad value comes back as a page saying why, and changes nothing.
    r = curator.post(f"/curation/condition/{NCT}", headers=HTML, data={
        "csrf": csrf, "condition": "Tissue Damage", "terms": "CL:0000134", "action": "set"})
    assert r.status_code == 422 and "not a Mondo term" in r.text
    # Remove the condition override through its form: the annotator's (empty) value comes back.
    override = next(o for o in curator.get(f"/api/trials/{NCT}/overrides").json() if o["kind"] == "condition")
    r = curator.post(f"/curation/override-remove/{NCT}", headers=HTML, follow_redirects=False,
                     data={"csrf": csrf, "override_id": str(override["id"])})
    assert r.status_code == 303
    assert condition_terms(curator.get(f"/api/trials/{NCT}").json(), "Tissue Damage") == []
    r = curator.post(f"/curation/link/{NCT}", headers=HTML, follow_redirects=False,
                     data={"csrf": csrf, "other": CHICTR, "decision": "split", "note": "two products"})
    assert r.status_code == 303 and r.headers["location"] == f"/trials/{NCT}#ids"
    actions = [e["action"] for e in curator.get(f"/api/trials/{NCT}/audit").json()]
    assert actions == ["override.set", "override.set", "override.remove", "link.split"]


def test_login_cookies_and_logout(engine: Engine, people):
    web = TestClient(create_app(engine=engine), base_url="https://testserver")
    form = web.get("/login", headers=HTML)
    # The login form's own CSRF check: no token, or a token that doesn't match the form's cookie → 403.
    assert web.post("/login", data={"username": "curator1", "password": PASSWORD}, headers=HTML).status_code == 403
    assert web.post("/login", data={"csrf": "forged", "username": "curator1", "password": PASSWORD},
                    headers=HTML).status_code == 403
    wrong = web.post("/login", data={"csrf": _csrf(form.text), "username": "curator1", "password": "not it at all"},
                     headers=HTML)
    assert wrong.status_code == 400 and "Wrong account name or password" in wrong.text
    assert web.post("/login", data={"csrf": _csrf(wrong.text), "username": "nobody", "password": PASSWORD},
                    headers=HTML).status_code == 400
    ok = _login(web, "curator1", next_path="//evil.example/")
    assert ok.status_code == 303 and ok.headers["location"] == "/"  # never redirected off-site
    cookie = next(c for c in ok.headers.get_list("set-cookie") if c.startswith("stemtrials_session="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "secure", "path=/"} <= flags
    session = cookie.split(";")[0].split("=", 1)[1]
    assert web.get("/login?format=json").json() == {"account": {"name": "curator1", "role": "curator"}}

    assert web.post("/logout", data={}, headers=HTML).status_code == 403  # sign-out is a form too
    assert web.post("/logout", data={"csrf": _page_csrf(web)}, headers=HTML, follow_redirects=False).status_code == 303
    assert web.get("/login?format=json").json() == {"account": None}
    # The old cookie is dead on the server, not just deleted in the browser.
    replay = TestClient(web.app, base_url="https://testserver", cookies={"stemtrials_session": session})
    assert replay.get("/login?format=json").json() == {"account": None}

    plain = TestClient(web.app)  # over http: the cookie is not marked Secure (it would never be sent back)
    r = _login(plain, "curator1")
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("stemtrials_session="))
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _assert_no_inline_code_and_labelled_fields(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    for tag, attrs in parser.tags:
        assert tag != "style" and "style" not in attrs, (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/")
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "radio"):
            assert attrs.get("id") in labelled, (tag, attrs)  # every field has a label (keyboard, screen readers)
    assert "<script>" not in html


def test_public_page_shows_history_but_no_forms_and_curator_page_is_clean(client: TestClient, people,
                                                                          curator: TestClient):
    csrf = _page_csrf(curator)
    curator.post(f"/curation/cell-product/{NCT}", headers=HTML, data={
        "csrf": csrf, "product": "clonal fetal MSCs", "field": "route", "value": "intravenous", "action": "set"})
    public = client.get(f"/trials/{NCT}", headers=HTML)
    assert public.status_code == 200 and "cache-control" not in public.headers
    assert ">Curation history</h2>" in public.text and "intravenous" in public.text
    assert 'id="curate"' not in public.text and 'name="csrf"' not in public.text
    assert 'href="/login"' in public.text
    twin = client.get(f"/trials/{NCT}?format=json").json()
    assert twin["audit"] == client.get(f"/api/trials/{NCT}/audit").json()
    assert twin["audit"][0]["after"]["value"] == "intravenous"
    page = curator.get(f"/trials/{NCT}", headers=HTML).text
    assert 'id="curate"' in page and "Signed in as" in page
    for html in (page, public.text, curator.get("/login", headers=HTML).text):
        _assert_no_inline_code_and_labelled_fields(html)
