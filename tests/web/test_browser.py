"""The web UI in a real browser: Playwright drives Debian's chromium (never a downloaded browser) against
`stemtrials serve` on a free localhost port, on real records from ../shared.

Every test records each request the page makes and blocks (and fails on) any that would leave localhost, collects
console errors, page errors and Content-Security-Policy violations (none allowed: the server sends its strict policy,
api/hardening.py), fails on any JavaScript dialog, and writes screenshots to test-artifacts/web/.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from stemtrials.api.hardening import CONTENT_SECURITY_POLICY
from stemtrials.web.view import matched_term

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Runs in every page before its own scripts (Playwright's init scripts are outside the page's CSP) and reports each
# violation of the policy to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline code") + " in " +
                        (e.sourceFile || document.location.href) + ":" + e.lineNumber);
});
"""

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser "
                "tests", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed "
                                                            "(pip install -e '.[test]')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(web_db: Path) -> Iterator[str]:
    """`stemtrials serve` in a subprocess, as a user runs it."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = ARTIFACTS / "server.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "stemtrials", "--db", str(web_db), "serve", "--host",
                                 "127.0.0.1", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"server did not start: {log.read_text(errors='replace')}") from None
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@dataclass
class Watch:
    """What one page did: its requests (and the ones blocked for leaving localhost), console errors, dialogs."""

    page: object
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]

    def check(self) -> None:
        assert not self.blocked, f"requests leaving localhost: {self.blocked}"
        for url in self.requests:
            parts = urlsplit(url)
            assert parts.scheme in ("http", "data", "blob", "about") and (
                parts.scheme != "http" or parts.hostname in LOCAL_HOSTS), url
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"


def _watch(context: object) -> Watch:
    """A page whose requests are recorded (those leaving localhost blocked) and whose CSP violations are reported."""
    page = context.new_page()  # type: ignore[attr-defined]
    w = Watch(page)

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        host = urlsplit(url).hostname
        if url.startswith(("http://", "https://", "ws://", "wss://")) and host not in LOCAL_HOSTS:
            w.blocked.append(url)
            r.abort()  # type: ignore[attr-defined]
        else:
            r.continue_()  # type: ignore[attr-defined]

    context.route("**/*", route)  # type: ignore[attr-defined]
    context.expose_binding("__cspViolation", lambda _source, text: w.csp_violations.append(text))  # type: ignore[attr-defined]
    context.add_init_script(CSP_LISTENER)  # type: ignore[attr-defined]
    page.on("request", lambda req: w.requests.append(req.url))
    page.on("console", lambda msg: w.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: w.errors.append(f"page error: {exc}"))

    def dialog(d: object) -> None:
        w.dialogs.append(f"{d.type}: {d.message}")  # type: ignore[attr-defined]
        d.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", dialog)
    return w


@pytest.fixture
def watch(browser: object) -> Iterator[Watch]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    yield _watch(context)
    context.close()


def _json(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.load(r)


# ---------------------------------------------------------------- search → facet → trial
def test_search_facet_and_open_trial(server: str, watch: Watch):
    page = watch.page
    page.goto(server + "/")
    page.evaluate("window.__sameDocument = true")  # survives htmx swaps, not page loads
    page.fill("#q", "mesenchymal")
    page.press("#q", "Enter")
    heading = page.locator("#results-heading")
    sync_api.expect(heading).to_contain_text("for “mesenchymal”")
    total = _json(server, "/api/trials?q=mesenchymal")["total"]
    sync_api.expect(heading).to_contain_text(f"{total} trials")
    assert "q=mesenchymal" in page.url
    assert page.evaluate("window.__sameDocument === true"), "the search should swap the results, not reload"
    watch.shot("1-search-mesenchymal")

    facet = page.locator(".facet a", has_text="hESC-derived")
    facet.click()
    narrowed = _json(server, "/api/trials?q=mesenchymal&cell_category=hesc_derived")
    n = narrowed["total"]
    sync_api.expect(heading).to_contain_text(f"{n} trial{'' if n == 1 else 's'} for “mesenchymal”")
    assert "cell_category=hesc_derived" in page.url
    assert page.evaluate("window.__sameDocument === true")
    sync_api.expect(page.locator(".facet a[aria-current='true']")).to_contain_text("hESC-derived")
    sync_api.expect(heading).to_be_focused()  # focus follows the swap for keyboard and screen-reader users
    watch.shot("2-facet-hesc")

    # Open a trial whose product names a cell type (the hPSCreg seed ChiCTR2000031139 does).
    rec = next(r for r in narrowed["results"]
               if any((p.get("cell_type") or {}).get("label") for p in r["cell_products"]))
    page.locator(f".result h3 a[href='/trials/{rec['id']}']").click()
    page.wait_for_url(f"**/trials/{rec['id']}")
    cell = next(p["cell_type"] for p in rec["cell_products"] if (p.get("cell_type") or {}).get("label"))
    section = page.locator("#cell-product")
    sync_api.expect(section.locator(".term-label", has_text=cell["label"]).first).to_be_visible()
    if cell.get("definition"):
        sync_api.expect(section.locator(".cell-definition").first).to_contain_text(cell["definition"][:80])
    curie = cell.get("id") or (matched_term(cell["label"], "CL") or {}).get("id")
    if curie:  # the Cell Ontology ID, linked to the term's JSON and to OLS
        sync_api.expect(section.locator("a.curie", has_text=curie).first).to_have_attribute(
            "href", f"/api/ontology/{curie}")
        sync_api.expect(section.locator("a.ext").first).to_have_attribute(
            "href", f"https://www.ebi.ac.uk/ols4/ontologies/cl/classes/http%253A%252F%252Fpurl.obolibrary.org"
                    f"%252Fobo%252F{curie.replace(':', '_')}")
    else:
        sync_api.expect(section).to_contain_text("no Cell Ontology ID")
    watch.shot("3-trial")

    page.go_back()  # history works after htmx pushes
    sync_api.expect(page.locator("#results-heading")).to_contain_text(f"{n} trial")
    assert "cell_category=hesc_derived" in page.url
    watch.check()


def test_links_work_without_javascript(server: str, browser: object):
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    try:
        w = _watch(context)
        w.page.goto(server + "/?q=mesenchymal")
        w.page.locator(".facet a", has_text="hESC-derived").click()
        w.page.wait_for_url("**cell_category=hesc_derived**")
        n = _json(server, "/api/trials?q=mesenchymal&cell_category=hesc_derived")["total"]
        sync_api.expect(w.page.locator("#results-heading")).to_contain_text(f"{n} trial")
        w.page.fill("#q", "covid")
        w.page.press("#q", "Enter")  # the form submits as a plain GET, keeping the facet
        w.page.wait_for_url("**q=covid**")
        assert "cell_category=hesc_derived" in w.page.url
        w.check()
    finally:
        context.close()


# ---------------------------------------------------------------- dashboard
def test_dashboard_charts_render_as_svg(server: str, watch: Watch):
    page = watch.page
    page.goto(server + "/dashboard")
    page.wait_for_selector("#dashboard[data-state='done']", timeout=20_000)
    charts = page.locator(".chart[data-chart]")
    assert charts.count() == 6
    states = {charts.nth(i).get_attribute("data-chart"): charts.nth(i).get_attribute("data-state")
              for i in range(charts.count())}
    assert set(states.values()) <= {"rendered", "empty"}, states
    for name in ("years", "phases", "conditions", "countries", "pluripotent"):
        assert states[name] == "rendered", states
        assert page.locator(f"#chart-{name} svg").count() >= 1, name
    # The bars carry the numbers of /api/stats: the phase chart has one bar per phase.
    phases = _json(server, "/api/stats")["phase"]
    assert page.locator("#chart-phases svg .mark-rect path").count() == len(phases)
    watch.shot("4-dashboard")
    watch.check()


def test_dashboard_is_filtered_by_the_search(server: str, watch: Watch):
    page = watch.page
    page.goto(server + "/dashboard?q=mesenchymal")
    page.wait_for_selector("#dashboard[data-state='done']", timeout=20_000)
    assert any("/api/stats?q=mesenchymal" in u for u in watch.requests)
    stats = _json(server, "/api/stats?q=mesenchymal")
    assert page.locator("#chart-countries svg .mark-rect path").count() == min(20, len(stats["country"]))
    sync_api.expect(page.locator(".lead")).to_contain_text(f"{stats['trials']} trials")
    watch.shot("5-dashboard-mesenchymal")
    watch.check()


# ---------------------------------------------------------------- hostile record
def test_hostile_text_renders_as_text(server: str, watch: Watch, xss: SimpleNamespace):
    page = watch.page
    page.goto(server + f"/trials/{xss.id}")
    sync_api.expect(page.locator("h1#trial-title")).to_have_text(xss.title)
    inclusion = page.locator("ul.criteria.inclusion li")
    sync_api.expect(inclusion.nth(0)).to_have_text(xss.script)
    sync_api.expect(inclusion.nth(1)).to_have_text(xss.breakout)
    page.locator("details.criteria-text summary").click()
    sync_api.expect(page.locator("details.criteria-text .text")).to_contain_text(xss.breakout)
    page.wait_for_timeout(300)  # give an injected handler (onerror of a broken image) time to fire
    assert page.locator("img").count() == 0, "an <img> was injected"
    assert page.locator("script:not([src])").count() == 0, "an inline <script> was injected"
    assert page.locator("a[href^='javascript:']").count() == 0
    watch.shot("6-xss-trial")

    page.goto(server + "/")
    page.fill("#q", "XSS probe")
    page.press("#q", "Enter")  # through the htmx swap too
    sync_api.expect(page.locator("#results-heading")).to_contain_text("1 trial for “XSS probe”")
    sync_api.expect(page.locator(".result h3 a")).to_have_text(xss.title)
    page.wait_for_timeout(300)
    assert page.locator("img").count() == 0 and page.locator("script:not([src])").count() == 0
    page.goto(server + "/dashboard?q=XSS+probe")  # its condition text is in a chart's labels
    page.wait_for_selector("#dashboard[data-state='done']", timeout=20_000)
    sync_api.expect(page.locator("#chart-conditions svg")).to_contain_text("Condition")
    assert page.locator("img").count() == 0 and page.locator("script:not([src])").count() == 0
    watch.check()  # includes: no dialog opened


# ---------------------------------------------------------------- the server's strict CSP
def test_pages_work_under_the_servers_strict_csp(server: str, browser: object):
    """The server sends a policy that allows only the site's own files (no inline script or style, no eval): the
    search swap, the trial page and every chart (vega with its expression interpreter) work under it, and the
    policy is enforced — an injected inline script does not run."""
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        w = _watch(context)
        for path in ("/?q=mesenchymal", "/trials/NCT03123458", "/dashboard", "/static/app.js", "/api/stats"):
            response = w.page.goto(server + path)
            assert response is not None and response.ok, path
            headers = response.headers
            assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
            assert "unsafe" not in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff", path
        w.page.goto(server + "/?q=mesenchymal")
        w.page.evaluate("window.__sameDocument = true")
        w.page.locator(".facet a", has_text="hESC-derived").click()
        w.page.wait_for_url("**cell_category=hesc_derived**")
        assert w.page.evaluate("window.__sameDocument === true"), "htmx must work under the CSP"
        w.page.goto(server + "/dashboard")
        w.page.wait_for_selector("#dashboard[data-state='done']", timeout=20_000)
        assert w.page.locator(".chart[data-state='rendered'] svg").count() >= 5
        w.check()  # no violation so far

        w.page.evaluate("""() => {
            const s = document.createElement("script");
            s.textContent = "window.__inlineRan = true";
            document.head.appendChild(s);
        }""")
        w.page.wait_for_timeout(200)  # the violation event is dispatched asynchronously
        assert w.page.evaluate("window.__inlineRan === undefined"), "an inline script ran despite the CSP"
        assert any("script-src" in v and "inline" in v for v in w.csp_violations), w.csp_violations
    finally:
        context.close()


# ---------------------------------------------------------------- keyboard, phone width, error states
def test_keyboard_skip_link_and_focus_styles(server: str, watch: Watch):
    page = watch.page
    page.goto(server + "/?q=mesenchymal")
    page.keyboard.press("Tab")
    sync_api.expect(page.locator("a.skip-link")).to_be_focused()
    assert page.locator("a.skip-link").bounding_box()["y"] >= 0  # it becomes visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    for _ in range(30):  # the search box, the sort, the facets and results are all reachable by Tab
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        pytest.fail("the search box is not reachable with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "focused elements must show a focus outline"
    watch.check()


@pytest.mark.parametrize("path", ["/?q=mesenchymal", "/trials/NCT03123458", "/dashboard"])
def test_readable_at_phone_width(server: str, browser: object, path: str):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)  # type: ignore[attr-defined]
    try:
        w = _watch(context)
        w.page.goto(server + path)
        if path == "/dashboard":
            w.page.wait_for_selector("#dashboard[data-state='done']", timeout=20_000)
        overflow = w.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways at 360px by {overflow}px"
        name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
        w.shot(f"phone-{name}")
        w.check()
    finally:
        context.close()


def test_error_states_in_the_browser(server: str, watch: Watch):
    page = watch.page
    response = page.goto(server + "/trials/NCT00000000")
    assert response is not None and response.status == 404
    sync_api.expect(page.locator("h1")).to_have_text("Trial not found")
    # An htmx request that fails shows the error in place of the results.
    page.goto(server + "/?q=mesenchymal")
    page.evaluate("htmx.ajax('GET', '/?cursor=broken', {target: '#region', swap: 'outerHTML'})")
    sync_api.expect(page.locator("#error-heading")).to_have_text("This search can't be run")
    watch.shot("7-error-state")
    # Chrome logs each error response ("Failed to load resource: … 404", "… 400"); those are this test's point,
    # so only they are excused.
    watch.errors = [e for e in watch.errors
                    if not e.startswith("Failed to load resource: the server responded with a status of 40")]
    watch.check()

