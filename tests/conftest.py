"""Shared fixtures: the story folder, a built page, and Chromium through Playwright.

Browser tests find Chromium in this order: $STORYMAP_CHROMIUM, /usr/bin/chromium (Debian),
then Playwright's own download; test_engines.py opens the story in WebKit and Firefox too
(tests/engines.py says how it finds them). Without a browser they skip locally but fail under CI
(CI=true), so a missing browser never passes silently there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hypothesis import HealthCheck, settings

from storymap.channels import OFFLINE_JS

# Fuzzing: 80 examples a test by default, so that the suite stays quick; HYPOTHESIS_PROFILE=thorough
# runs 2,000 (before a release, or after a change to validation).
settings.register_profile("quick", max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

ROOT = Path(__file__).resolve().parent.parent
GEODATA = ROOT / "geodata"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TILE_HOSTS = ("basemaps.cartocdn.com",)
# The policy of a page on the default tiles: CARTO's four hosts, each by name.
CARTO_HOSTS = [f"https://{s}.basemaps.cartocdn.com" for s in "abcd"]
# A 1×1 transparent PNG served for map tiles so the "online" page has no failed requests.
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


#: What the accessibility audits check: WCAG 2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

#: Fixtures that start a browser (Chromium, WebKit, Firefox): a test using one needs it.
BROWSER_FIXTURES = {"browser", "make_page", "webkit", "firefox"}


#: The slowest modules, slowest first (seconds of a whole run on this 2-core machine, measured):
#: pytest-xdist hands out whole modules (``--dist loadfile``) in collection order
#: (``--no-loadscope-reorder``), so these start first and the short ones fill in at the end,
#: rather than one worker running a long module alone while the other waits.
SLOW_FIRST = ["test_a11y.py", "test_embed.py", "test_page.py", "test_xss_page.py", "test_layers_page.py",
              "test_hostile.py", "test_first_view.py", "test_i18n.py", "test_engines.py", "test_channels.py", "test_examples.py",
              "test_fuzz.py", "test_serve.py"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that needs Chromium carries the ``browser`` marker, so ``-m "not browser"`` runs
    on a machine without one (a test using a browser fixture gets the marker even if it forgot).
    The slowest modules come first (see SLOW_FIRST); the order within a module stays."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # a stable sort


@pytest.fixture()
def story_dir(tmp_path: Path) -> Path:
    """A writable copy of the Panama story folder."""
    target = tmp_path / "geodata"
    shutil.copytree(GEODATA, target)
    return target


@pytest.fixture(scope="session")
def built_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Panama story built once for the session."""
    import storymap

    out = tmp_path_factory.mktemp("dist") / "index.html"
    storymap.load(GEODATA).save(out)
    return out


@pytest.fixture(scope="session")
def build_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``python build.py`` run once for the session, as the README says, on a copy of the script next
    to links to the checkout's stories (build.py writes next to itself: the checkout stays as it
    is): the folder holding the copy's ``dist/``, and what the run printed. Under pytest-xdist the
    workers share one run (the first to need it builds, under a file lock; the others read what it
    printed): it takes seconds of the machine's two cores."""
    shared = os.environ.get("PYTEST_XDIST_WORKER") and _flock is not None
    base = tmp_path_factory.getbasetemp().parent if shared else tmp_path_factory.mktemp("build", numbered=True)
    folder = base / "build-py"
    if not shared:
        return _run_build(folder)
    with open(base / "build-py.lock", "w") as lock:
        _flock(lock)
        record = base / "build-py.json"
        if record.exists():
            done = json.loads(record.read_text("utf-8"))
            return folder, subprocess.CompletedProcess(done["args"], done["returncode"], done["stdout"], done["stderr"])
        folder, result = _run_build(folder)
        record.write_text(json.dumps({"args": result.args, "returncode": result.returncode,
                                      "stdout": result.stdout, "stderr": result.stderr}), "utf-8")
        return folder, result


def _run_build(folder: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "geodata").symlink_to(GEODATA)
    (folder / "examples").symlink_to(ROOT / "examples")
    (folder / "build.py").write_text((ROOT / "build.py").read_text("utf-8"), "utf-8")
    result = subprocess.run([sys.executable, "build.py"], cwd=folder, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return folder, result


try:  # a lock shared by the xdist workers (POSIX); elsewhere each worker builds its own
    import fcntl

    def _flock(handle) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX)
except ImportError:  # pragma: no cover - Windows
    _flock = None


def _chromium_candidates() -> list[str | None]:
    found: list[str | None] = []
    env = os.environ.get("STORYMAP_CHROMIUM")
    if env:
        found.append(env)
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(path):
            found.append(path)
    found.append(None)  # Playwright's own browser, if installed
    return found


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        _no_browser("playwright is not installed (pip install -e '.[test]')")
    errors = []
    with sync_playwright() as pw:
        for path in _chromium_candidates():
            try:
                instance = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            except Exception as exc:  # noqa: BLE001 - try the next candidate
                errors.append(f"{path or 'playwright chromium'}: {exc}".splitlines()[0])
                continue
            yield instance
            instance.close()
            return
    _no_browser("no Chromium found: " + "; ".join(errors))


def _start_engine(module: str, find, missing: str, start):
    """An engine of tests/engines.py, or _no_browser: ``module`` the client it needs, ``find()``
    where the browser is (``missing`` says how to get it), ``start(found)`` the engine."""
    try:
        __import__(module)
    except ImportError:  # pragma: no cover - depends on the environment
        _no_browser(f"{module} is not installed (pip install -e '.[test]')")
    found = find()
    if found is None:
        _no_browser(missing)
    try:
        return start(found)
    except Exception as exc:  # noqa: BLE001 - reported as a missing browser
        _no_browser(f"{found} did not start: {exc}".splitlines()[0])


@pytest.fixture(scope="session")
def webkit():
    """WebKit (tests/engines.py): WebKitGTK through Selenium and its WebDriver server, on a virtual
    display (Xvfb) unless $DISPLAY names one. The engine of Safari, on iPhones too."""
    from .engines import WebKit, start_xvfb, webkit_driver

    env, xvfb = dict(os.environ), None
    if not env.get("DISPLAY") and webkit_driver() and shutil.which("Xvfb"):
        xvfb, env["DISPLAY"] = start_xvfb()
    try:
        instance = _start_engine("selenium", lambda: webkit_driver() if env.get("DISPLAY") else None,
                                 "no WebKitWebDriver, or no display for it (Debian: apt-get install webkit2gtk-driver xvfb)",
                                 lambda driver: WebKit(driver, env))
        yield instance
        instance.close()
    finally:
        if xvfb is not None:
            xvfb.kill()
            xvfb.wait()


@pytest.fixture(scope="session")
def firefox():
    """Firefox (tests/engines.py), headless, through WebDriver BiDi: $STORYMAP_FIREFOX, else
    firefox-esr or firefox on the PATH."""
    from .engines import Firefox, firefox_binary

    instance = _start_engine("websocket", firefox_binary, "no Firefox (Debian: apt-get install firefox-esr)", Firefox)
    yield instance
    instance.close()


def _no_browser(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run under CI: {reason}")
    pytest.skip(reason)


class PageRun:
    """A page with requests policed: tiles get a blank PNG, any other outside request is
    aborted and recorded; page errors and console errors are recorded.

    The browser is offline unless ``online``: the story then leaves its tile layer off and draws its
    embedded basemap alone, as for a reader without a network. Online, every tile of every view is a
    request answered here, through Playwright: that doubles the machine's work for a walk through
    the steps, so only the tests about tiles and the online page ask for it."""

    def __init__(self, page, *, tiles: bool = True, online: bool = False):
        self.page = page
        page.context.set_offline(not online)
        if not online:
            page.add_init_script(OFFLINE_JS)  # (navigator.onLine, which the emulation may leave true)
        self.outside: list[str] = []
        self.tile_requests: list[str] = []
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.route("**/*", lambda route: self._route(route, tiles))

    def _route(self, route, tiles: bool) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        elif any(host in url for host in TILE_HOSTS):
            self.tile_requests.append(url)
            if tiles:
                route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
            else:
                route.abort()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, path: Path, hash_: str = "") -> "PageRun":
        self.page.goto(path.resolve().as_uri() + (f"#{hash_}" if hash_ else ""), wait_until="load")
        self.settle()
        return self

    def settle(self) -> None:
        self.page.wait_for_function(
            "() => { const r = document.querySelector('[data-storymap]');"
            " return r && r.storymap && !r.hasAttribute('data-storymap-moving'); }",
            timeout=10_000,
        )

    def still(self) -> "PageRun":
        """Waits until the map has stopped moving, and a frame more: a popup that opened pans the
        map into view in an animation, and a point taken during it is not where the place ends up."""
        self.page.evaluate("""() => new Promise((done) => {
          const map = document.querySelector('[data-storymap]').storymap.map;
          const next = () => requestAnimationFrame(() => done(true));
          if (map._panAnim && map._panAnim._inProgress || map._animatingZoom) map.once('moveend', next);
          else next(); })""")
        return self

    def cards(self) -> "PageRun":
        """Waits for the current step's place cards: the opening step's come in the task after the
        story is ready (once its map has painted), not with it."""
        self.page.wait_for_function(
            "() => { const list = document.querySelector('[data-storymap] .storymap-step--current .storymap-step-places');"
            " return !list || !list.getAttribute('data-places').trim() || !!list.querySelector('.storymap-place'); }",
            timeout=10_000,
        )
        return self

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)


def axe_violations(page, tags: list[str] = AXE_TAGS) -> list:
    """axe-core's violations on ``page`` (a Page or Frame) as it is now: [rule id, the first three
    targets] each. axe is injected once a document, and asked for the violations alone: it then
    neither gathers the nodes that pass nor sends them back (half a megabyte a run on a story)."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate(AXE_LOADED_JS):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate(AXE_RUN_JS, axe_options(tags))


#: Whether axe-core is in the page; what it finds, as [rule id, the first three targets] each.
AXE_LOADED_JS = "() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"
AXE_RUN_JS = """(options) => axe.run(document, options).then((r) => r.violations.map(
  (v) => [v.id, v.nodes.slice(0, 3).map((n) => n.target)]))"""


def axe_options(tags: list[str] = AXE_TAGS) -> dict:
    """axe.run's options: the rules of ``tags``, the violations alone."""
    return {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}


@pytest.fixture(scope="session")
def shared_contexts(browser, tmp_path_factory):
    """Browser contexts kept for the session, one per set of context options, each with a blank
    local page kept open in it. Starting a renderer process costs Chromium about 1.7 s of CPU; a
    new local page in a context that has one open shares its process and costs a quarter of that.
    make_page opens each test's page in a kept context and closes it after the test."""
    blank = tmp_path_factory.mktemp("keeper") / "blank.html"
    blank.write_text("<!DOCTYPE html><title>keeper</title>", "utf-8")
    kept: dict[str, object] = {}

    def get(options: dict):
        key = repr(sorted(options.items()))
        if key not in kept:
            context = browser.new_context(**options)
            keeper = context.new_page()
            keeper.goto(blank.as_uri())
            kept[key] = (context, keeper)
            context.on("close", lambda _closed: kept.pop(key, None))
        context = kept[key][0]
        context.set_offline(False)  # as a new context would be (a test before may have set it)
        return context

    yield get
    for context, _keeper in list(kept.values()):
        context.close()


@pytest.fixture()
def make_page(browser, shared_contexts):
    own, pages = [], []

    def factory(viewport=(1280, 800), *, online: bool = False, tiles: bool = True, clock: bool = False,
                **context_args) -> PageRun:
        """A page at ``viewport``; ``clock``: its timers and frames on Playwright's clock, installed
        (it is the context's) in a context of the page's own."""
        # A reader who asked for reduced motion: steps jump. Flights cost a second of wall time and
        # of frames each; the tests about flying ask for them (reduced_motion="no-preference").
        context_args.setdefault("reduced_motion", "reduce")
        options = {"viewport": {"width": viewport[0], "height": viewport[1]}, **context_args}
        if clock:
            context = browser.new_context(**options)
            own.append(context)
        else:
            context = shared_contexts(options)
        pages.append(context.new_page())
        if clock:
            pages[-1].clock.install()
        return PageRun(pages[-1], tiles=tiles, online=online)

    yield factory
    for page in pages:  # the test's pages, and any it opened from them
        if not page.is_closed():
            for opened in page.context.pages:
                if opened.opener() is page:
                    opened.close()
            page.close()
    for context in own:
        context.close()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No fetching of folium elements' files, and an empty cache: only what a test gives is found."""
    monkeypatch.setenv("STORYMAP_FETCH", "0")
    monkeypatch.setenv("STORYMAP_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("STORYMAP_ASSETS", raising=False)
