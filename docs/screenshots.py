"""Screenshots of the HTML views for the README, made from the embedded data so that they stay current.

    python docs/screenshots.py            # writes docs/img/start.png, tour.png, tour-phone.png

Each page is written by kg (the same code as `kg viz` and `kg tour`), opened from file:// in headless Chromium with
every other request blocked, and photographed once it has settled. Needs Playwright and Debian's Chromium
(/usr/bin/chromium), as the browser tests do; a page error stops the script.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"


def shoot(page_html: str, out: Path, *, width: int, height: int, steps: int = 0, full_page: bool = False) -> None:
    """Open the page, wait until it has settled, press → `steps` times (the tour), save a PNG."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "view.html"
        path.write_text(page_html, encoding="utf-8")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri())
            t0 = time.monotonic()
            while not page.evaluate("!!(window.mechkg && mechkg.state.stabilized)"):
                if time.monotonic() - t0 > 60:
                    raise SystemExit(f"{out.name}: the page did not settle in 60 s")
                time.sleep(0.05)
            for _ in range(steps):
                page.keyboard.press("ArrowRight")
            page.mouse.move(1, 1)
            time.sleep(0.6)  # animations and the last drawing
            if errors:
                raise SystemExit(f"{out.name}: page errors: {errors}")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=full_page)
            browser.close()
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size // 1024} KB)")


def main() -> None:
    """Make the README's screenshots."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", type=Path, default=OUT, help="directory for the PNGs")
    args = ap.parse_args()
    from kg.build import load_graph
    from kg.paths import how
    from kg.viz import graph_html, tour_html

    graph = load_graph()
    answer = how(graph, "ketamine", "depression")
    tour = tour_html(graph, answer)
    shoot(graph_html(graph), args.out / "start.png", width=1280, height=640)
    # step 2 of the mechanism: the NMDA receptor lowers glutamate, so blocking it raises glutamate
    shoot(tour, args.out / "tour.png", width=1280, height=760, steps=2)
    shoot(tour, args.out / "tour-phone.png", width=390, height=844, steps=2)


if __name__ == "__main__":
    main()
