"""Browsers other than the suite's Chromium, behind one small interface (:class:`Engine`), for
test_engines.py: WebKit (Safari's engine) through Selenium and WebKitGTK's WebDriver server, and
Firefox (Gecko) through WebDriver BiDi, which Firefox speaks itself (no geckodriver: a client of a
few commands over a WebSocket, ``websocket-client``, which Selenium already depends on).

Each engine evaluates an expression in the page and hands back its value through JSON (a promise is
awaited), clicks an element where a reader would, presses a key, and takes a screenshot; Firefox also
prints the page to PDF (WebKitGTK's WebDriver server cannot).
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

from PIL import Image

#: The WebDriver key codes of the keys the tests press.
KEYS = {"ArrowRight": "\ue014", "ArrowLeft": "\ue012", "Home": "\ue011", "End": "\ue010", "Tab": "\ue004",
        "Enter": "\ue007"}

# The element's centre, in CSS px of the viewport, scrolled into view first.
_CENTRE_JS = """(() => { const e = document.querySelector(%s); e.scrollIntoView({block: 'nearest'});
  const r = e.getBoundingClientRect(); return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)]; })()"""


class Engine:
    """A browser window: open a page, evaluate in it, click, press keys, take a screenshot."""

    name = "engine"

    def open(self, path: Path, size: tuple[int, int], after: str = "") -> None:
        """Open the page at ``path`` in a window (a viewport) of ``size``; ``after``: its address's
        query and fragment ("?lang=es", "#the-canal")."""
        raise NotImplementedError

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript ``expression`` in the page (a promise's, once it settles), as
        JSON brings it back."""
        raise NotImplementedError

    def run(self, script: str) -> None:
        """Run a script (statements, e.g. a library that sets a global) in the page."""
        raise NotImplementedError

    def click(self, selector: str) -> None:
        raise NotImplementedError

    def key(self, name: str) -> None:
        """Press and release a key (``KEYS``) where the focus is."""
        raise NotImplementedError

    def screenshot(self) -> Image.Image:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class WebKit(Engine):
    """WebKitGTK through its WebDriver server (``driver``), on the X display in ``env``."""

    name = "webkit"

    def __init__(self, driver: str, env: dict[str, str]):
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        self._driver = webdriver.WebKitGTK(options=Options(), service=Service(executable_path=driver, env=env))
        self._driver.set_script_timeout(30)

    def open(self, path: Path, size: tuple[int, int], after: str = "") -> None:
        self._driver.set_window_size(*size)
        self._driver.get(path.as_uri() + after)

    def evaluate(self, expression: str) -> Any:
        return _value(self._driver.execute_async_script(
            f"{_as_json(expression)}.then(arguments[arguments.length - 1]);"))

    def run(self, script: str) -> None:
        self._driver.execute_script(script)

    def click(self, selector: str) -> None:
        from selenium.webdriver.common.by import By

        self._driver.find_element(By.CSS_SELECTOR, selector).click()

    def key(self, name: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self._driver).send_keys(KEYS[name]).perform()

    def screenshot(self) -> Image.Image:
        return Image.open(io.BytesIO(self._driver.get_screenshot_as_png())).convert("RGB")

    def close(self) -> None:
        self._driver.quit()


class Firefox(Engine):
    """Firefox, headless, through WebDriver BiDi on a port it picks, with a profile of its own in
    which every request but a file's goes to a closed port (the page is offline, and quickly so)."""

    name = "firefox"

    def __init__(self, binary: str):
        import websocket

        self._profile = tempfile.mkdtemp(prefix="storymap-firefox-")
        prefs = {"remote.active-protocols": 1, "browser.shell.checkDefaultBrowser": False,
                 "datareporting.policy.dataSubmissionEnabled": False, "toolkit.telemetry.reportingpolicy.firstRun": False,
                 "browser.startup.homepage_override.mstone": "ignore", "app.update.auto": False,
                 "network.proxy.type": 1, "network.proxy.http": "127.0.0.1", "network.proxy.http_port": 9,
                 "network.proxy.ssl": "127.0.0.1", "network.proxy.ssl_port": 9, "network.proxy.allow_hijacking_localhost": True}
        Path(self._profile, "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()), "utf-8")
        self._process = subprocess.Popen([binary, "--headless", "--no-remote", "--profile", self._profile,
                                          "--remote-debugging-port=0", "about:blank"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = None
        for line in self._process.stderr:  # (it says where it listens, then goes on writing)
            found = re.search(r"WebDriver BiDi listening on (ws://\S+)", line)
            if found:
                url = found.group(1)
                break
        if url is None:
            self._process.kill()
            raise RuntimeError(f"{binary} did not start WebDriver BiDi")
        threading.Thread(target=self._process.stderr.read, daemon=True).start()  # (a full pipe would stall it)
        self._socket = websocket.create_connection(url + "/session", timeout=60, suppress_origin=True)
        self._ids = itertools.count(1)
        self._command("session.new", capabilities={})
        self._context = self._command("browsingContext.getTree")["contexts"][0]["context"]

    def _command(self, method: str, **params: Any) -> dict:
        sent = next(self._ids)
        self._socket.send(json.dumps({"id": sent, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv())
            if message.get("id") == sent:
                if message.get("type") == "error":
                    raise RuntimeError(f"{method}: {message.get('error')}: {message.get('message')}")
                return message["result"]

    def open(self, path: Path, size: tuple[int, int], after: str = "") -> None:
        self._command("browsingContext.setViewport", context=self._context, viewport={"width": size[0], "height": size[1]})
        try:
            self._command("browsingContext.navigate", context=self._context, wait="complete", url=path.as_uri() + after)
        except RuntimeError as exc:
            # (Once in a full run, the previous page's own work in hand aborted the new load:
            # NS_BINDING_ABORTED. Asked again, it loads.)
            if "NS_BINDING_ABORTED" not in str(exc):
                raise
            self._command("browsingContext.navigate", context=self._context, wait="complete", url=path.as_uri() + after)

    def _script(self, script: str, wait: bool) -> dict:
        """BiDi's script.evaluate of ``script`` in the page (``wait``: for its promise)."""
        found = self._command("script.evaluate", target={"context": self._context}, awaitPromise=wait,
                              resultOwnership="none", expression=script)
        if found.get("type") == "exception":
            raise RuntimeError(found["exceptionDetails"].get("text"))
        return found["result"]

    def evaluate(self, expression: str) -> Any:
        return _value(self._script(_as_json(expression), True)["value"])

    def run(self, script: str) -> None:
        self._script(script, False)

    def click(self, selector: str) -> None:
        x, y = self.evaluate(_CENTRE_JS % json.dumps(selector))
        self._command("input.performActions", context=self._context, actions=[{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
                {"type": "pointerMove", "x": x, "y": y, "origin": "viewport"},
                {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}])

    def key(self, name: str) -> None:
        self._command("input.performActions", context=self._context, actions=[{
            "type": "key", "id": "keyboard", "actions": [{"type": "keyDown", "value": KEYS[name]},
                                                         {"type": "keyUp", "value": KEYS[name]}]}])

    def screenshot(self) -> Image.Image:
        data = self._command("browsingContext.captureScreenshot", context=self._context)["data"]
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")

    def print_pdf(self) -> bytes:
        """The page printed on A4, as Firefox's print dialogue prints it (backgrounds on)."""
        data = self._command("browsingContext.print", context=self._context, background=True,
                             page={"width": 21.0, "height": 29.7})["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        try:
            self._command("session.end")
        except Exception:  # noqa: BLE001 - it may be gone already
            pass
        self._socket.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        shutil.rmtree(self._profile, ignore_errors=True)


def _as_json(expression: str) -> str:
    """A promise of ``expression``'s value (a promise's once it settles) as JSON text, or of
    ``{__error}`` where it throws (:func:`_value` reads it)."""
    return (f"Promise.resolve().then(function () {{ return ({expression}); }})"
            ".then(function (v) { return JSON.stringify(v === undefined ? null : v); },"
            " function (e) { return JSON.stringify({__error: String(e && e.stack || e)}); })")


def _value(text: str) -> Any:
    value = json.loads(text)
    if isinstance(value, dict) and "__error" in value:
        raise RuntimeError("in the page: " + value["__error"])
    return value


def firefox_binary() -> str | None:
    """$STORYMAP_FIREFOX, else firefox-esr or firefox on the PATH (Debian: apt-get install firefox-esr)."""
    return os.environ.get("STORYMAP_FIREFOX") or shutil.which("firefox-esr") or shutil.which("firefox")


def webkit_driver() -> str | None:
    """WebKit's WebDriver server: $STORYMAP_WEBKIT_DRIVER, else WebKitWebDriver on the PATH (Debian's
    webkit2gtk-driver: the WebKitGTK engine, Safari's)."""
    return os.environ.get("STORYMAP_WEBKIT_DRIVER") or shutil.which("WebKitWebDriver")


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """A virtual X display for WebKitGTK, which has no headless mode: Xvfb picks a free display
    number and writes it to the pipe it is given."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1920x1200x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        raise RuntimeError("Xvfb did not start")
    return server, f":{number}"
