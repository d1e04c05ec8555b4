"""The story in WebKit, the engine of Safari (and of every browser on an iPhone), beside the suite's
Chromium: the page opens under its own security policy with no error, every step keeps its labels
in the free map, the buttons and the arrow keys step through, and the canal step's basemap draws
Gatún Lake as water, on the canvas and on the screen.

WebKit runs as WebKitGTK through its WebDriver server and Selenium (conftest.webkit). Its window is
at least 447 px wide, so the narrow screen here is 480 px: the phone layout (the map above, the text
in a sheet below) starts under 900."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import storymap

from .conftest import GEODATA
from .geometry import GEOMETRY_JS, country_name_problems, label_problems

DESKTOP, NARROW = (1280, 800), (480, 844)
SEA, LAND = (201, 221, 232), (243, 239, 230)
ROOT = "document.querySelector('[data-storymap]')"

# Runs first in the page (before its security policy, which then holds for all that follows):
# records uncaught errors, rejected promises and what the policy blocked.
RECORDER = ("<script>window.__problems=[];"
            "addEventListener('error',function(e){__problems.push('error: '+e.message)});"
            "addEventListener('unhandledrejection',function(e){__problems.push('unhandled: '+e.reason)});"
            "document.addEventListener('securitypolicyviolation',function(e){"
            "__problems.push('policy: '+e.violatedDirective+' '+e.blockedURI)});</script>")

# Resolves once the story is ready and no view change is pending, two frames later (labels are
# placed when the view settles, and on screen a frame after).
SETTLED_JS = f"""var done = arguments[arguments.length - 1], root = {ROOT};
var tick = function () {{
  if (!root || !root.storymap || !root.storymap.ready || root.hasAttribute('data-storymap-moving')) {{
    root = {ROOT};
    return setTimeout(tick, 30);
  }}
  requestAnimationFrame(function () {{ requestAnimationFrame(function () {{ done(root.storymap.index); }}); }});
}};
tick();"""


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """The Panama story as build.py writes it (both languages), the recorder put first in its head."""
    out = tmp_path_factory.mktemp("webkit")
    html = storymap.load(GEODATA).save(out / "built.html").read_text("utf-8")
    head = re.search(r"<head>\s*<meta charset=\"utf-8\">", html)
    assert head, "the page starts as expected"
    path = out / "panama.html"
    path.write_text(html[:head.end()] + RECORDER + html[head.end():], "utf-8")
    return path


def _open(webkit, path: Path, size: tuple[int, int], hash_: str = "") -> None:
    webkit.set_window_size(*size)
    webkit.get(path.as_uri() + (f"#{hash_}" if hash_ else ""))
    webkit.execute_async_script(SETTLED_JS)


def _go(webkit, i: int) -> dict:
    """Step i, without the flight, and what a reader sees there (GEOMETRY_JS)."""
    return webkit.execute_async_script(f"""var done = arguments[arguments.length - 1], root = {ROOT};
      root.storymap.goTo({i}, {{animate: false}});
      var tick = function () {{
        if (!root.storymap.ready || root.hasAttribute('data-storymap-moving')) return requestAnimationFrame(tick);
        requestAnimationFrame(function () {{ requestAnimationFrame(function () {{ done(({GEOMETRY_JS})()); }}); }});
      }};
      tick();""")


@pytest.mark.parametrize("size", [DESKTOP, NARROW], ids=["desktop", "narrow"])
def test_every_step_keeps_its_labels_in_the_free_map_in_webkit(webkit, page, size):
    _open(webkit, page, size)
    assert webkit.execute_script("return [innerWidth, innerHeight]")[0] == size[0]
    n = webkit.execute_script(f"return {ROOT}.storymap.steps.length")
    steps = [_go(webkit, i) for i in range(n)]
    assert [g["index"] for g in steps] == list(range(n))
    assert label_problems(steps) == {}
    assert country_name_problems(steps) == {}
    for g in steps:
        assert sorted(k for k in g["legend"] if k) == sorted(g["kinds"]), g["index"]
        # Next is on the screen, whole.
        assert 0 <= g["next"]["t"] and g["next"]["b"] <= g["screen"][1], g["index"]
    # The narrow screen has the phone's layout: the legend starts as a small closed button.
    assert steps[0]["legendOpen"] is (size == DESKTOP)
    assert webkit.execute_script("return window.__problems") == []


def test_the_buttons_and_the_arrow_keys_step_through_in_webkit(webkit, page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(webkit, page, DESKTOP)
    state = f"""var s = {ROOT}.storymap, shown = document.querySelectorAll('.storymap-step:not([hidden])');
      return [s.index, location.hash, shown.length, shown[0].getAttribute('data-step'),
              document.querySelector('.storymap-counter').textContent.trim()];"""
    assert webkit.execute_script(state) == [0, "", 1, "overview", "1 / 11"]
    webkit.find_element(By.CSS_SELECTOR, ".storymap-next").click()
    assert webkit.execute_async_script(SETTLED_JS) == 1
    assert webkit.execute_script(state) == [1, "#first-talks", 1, "first-talks", "2 / 11"]
    # The arrow keys (on the page, from the button that has the focus) and Home.
    webkit.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    assert webkit.execute_async_script(SETTLED_JS) == 2
    webkit.switch_to.active_element.send_keys(Keys.ARROW_LEFT)
    assert webkit.execute_async_script(SETTLED_JS) == 1
    webkit.find_element(By.CSS_SELECTOR, ".storymap-prev").click()
    assert webkit.execute_async_script(SETTLED_JS) == 0
    assert webkit.execute_script(state)[:4] == [0, "#overview", 1, "overview"]
    assert webkit.execute_script("return window.__problems") == []


@pytest.mark.parametrize("size", [DESKTOP, NARROW], ids=["desktop", "narrow"])
def test_gatun_lake_is_water_on_the_canvas_and_on_the_screen_in_webkit(webkit, page, size):
    from PIL import Image

    _open(webkit, page, size, "the-canal")
    # In the lake, beside the canal's line; dry ground east of the canal.
    points = webkit.execute_script(f"""var map = {ROOT}.storymap.map, box = map.getContainer().getBoundingClientRect();
      var canvas = document.querySelector('.leaflet-storymapBasemap-pane canvas'), c = canvas.getBoundingClientRect();
      var ctx = canvas.getContext('2d');
      return [[9.15, -79.95], [9.05, -79.75]].map(function (at) {{
        var p = map.latLngToContainerPoint(at), x = box.left + p.x, y = box.top + p.y;
        var pixel = ctx.getImageData(Math.round((x - c.left) * canvas.width / c.width),
                                     Math.round((y - c.top) * canvas.height / c.height), 1, 1).data;
        return [Math.round(x), Math.round(y), [pixel[0], pixel[1], pixel[2]]];
      }});""")
    screen = Image.open(io.BytesIO(webkit.get_screenshot_as_png())).convert("RGB")
    scale = screen.width / webkit.execute_script("return innerWidth")

    def near(a, b):
        return max(abs(x - y) for x, y in zip(a, b)) <= 6

    (lake_x, lake_y, lake), (land_x, land_y, ground) = points
    assert near(lake, SEA) and near(ground, LAND), (lake, ground)
    on_screen = [screen.getpixel((round(x * scale), round(y * scale))) for x, y in ((lake_x, lake_y), (land_x, land_y))]
    assert near(on_screen[0], SEA) and near(on_screen[1], LAND), on_screen
    assert webkit.execute_script("return window.__problems") == []
