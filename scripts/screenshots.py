"""Take the README's screenshots of dist/index.html (desktop 1280×800 and phone 390×844).

    python build.py && python scripts/screenshots.py [--hash STEP]

The network is off while shooting, so the pictures show the embedded basemap a reader sees
offline; needs Playwright and Chromium ($STORYMAP_CHROMIUM, /usr/bin/chromium or Playwright's).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

from storymap.channels import OFFLINE_JS

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = {
    "screenshot-desktop.png": dict(viewport={"width": 1280, "height": 800}),
    "screenshot-phone.png": dict(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                 is_mobile=True, has_touch=True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hash", default="the-canal", help="step to show (default: the-canal)")
    parser.add_argument("--page", default=str(ROOT / "dist" / "index.html"))
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args()
    url = Path(args.page).resolve().as_uri() + "#" + args.hash
    executable = os.environ.get("STORYMAP_CHROMIUM") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=ARGS)
        for name, options in SHOTS.items():
            context = browser.new_context(reduced_motion="reduce", **options)
            context.set_offline(True)
            context.add_init_script(OFFLINE_JS)  # (navigator.onLine: see storymap.channels)
            page = context.new_page()
            page.goto(url, wait_until="load")
            page.wait_for_function("() => { const r = document.querySelector('[data-storymap]');"
                                   " return r && r.storymap && !r.hasAttribute('data-storymap-moving'); }")
            page.wait_for_timeout(500)
            page.screenshot(path=str(Path(args.out) / name))
            context.close()
            print("wrote", Path(args.out) / name)
        browser.close()


if __name__ == "__main__":
    main()
