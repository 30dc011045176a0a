"""Screenshots of the web UI on the bundled sample, for the README (docs/screenshots/*.png).

Imports the sample into a temporary database (`stemtrials demo --no-serve`), runs `stemtrials serve` on a free
localhost port and photographs the search page and the dashboard with Debian's chromium through Playwright.

    .venv/bin/python scripts/web_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = (("search.png", "/?q=stem+cell", None), ("dashboard.png", "/dashboard", "#dashboard[data-state='done']"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "sample.db")
        stemtrials = [sys.executable, "-m", "stemtrials", "--db", db]
        subprocess.run([*stemtrials, "demo", "--no-serve"], check=True, stdout=subprocess.DEVNULL)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([*stemtrials, "serve", "--port", str(port)])
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/api/health", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                for name, path, ready in SHOTS:
                    page.goto(base + path)
                    if ready:
                        page.wait_for_selector(ready, timeout=20_000)
                    page.screenshot(path=str(args.out / name))
                    print(f"wrote {args.out / name}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
