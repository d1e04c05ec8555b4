"""``storymap serve``: a live preview of a story folder while it is edited.

The story is built in memory (nothing is written) and served on 127.0.0.1 only. The folder and its
subfolders (``media/``) are polled ten times a second (a story folder holds a handful of files:
polling costs nothing, needs no extra library and works on every file system, network and
container mounts included);
every save rebuilds the page, and the open page learns of it through a server-sent event stream
and reloads itself, keeping its step (the URL's ``#step-id``). When the story becomes invalid the
page keeps the last version that built and shows the problems over it (the lines ``storymap
validate`` prints); it reloads or clears them once the files are fixed.

The page gets a small script of its own (``static/dev.js``: the live reload, the problems panel and
the view picker), whose own words are in the story's language where storymap has interface texts
for it (the ``dev.`` texts of ``storymap/locales``: :func:`storymap.i18n.dev_texts`; the problems
themselves are the lines validate prints), and a Content-Security-Policy recomputed for it, which also allows the event
stream (``connect-src 'self'``) and the hidden phone-size copy of the page that the view picker
measures labels in (``frame-src 'self'``).

What is served: the page (``/``), the event stream and state under ``/__storymap/``, and the story
folder's own files (read-only; never a hidden file, never anything outside the folder, whether by
``..``, an encoded path or a symbolic link). Requests must name the server by its loopback address
(``Host: 127.0.0.1:PORT`` or ``localhost:PORT``), so a web page cannot reach it by DNS rebinding.
"""

from __future__ import annotations

import hashlib
import html as _html
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
import warnings
import webbrowser
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import unquote, urlsplit

import click

from .errors import StoryError, visible
from .i18n import check_language, dev_texts, direction
from .security import page_policy

__all__ = ["DevServer", "dev_page", "problems_page", "PHONE", "HOST", "EVENTS", "STATE"]

#: The only address served.
HOST = "127.0.0.1"
#: The phone size the view picker measures labels at (CSS pixels, like the tests' phone).
PHONE = (390, 844)
#: The event stream and the state, as JSON.
EVENTS = "/__storymap/events"
STATE = "/__storymap/state"
#: How often the folder is looked at, and how long a change must hold still before a build.
POLL_SECONDS = 0.1
SETTLE_SECONDS = 0.05
#: Comments keep an idle event stream open through proxies; a waiting stream wakes this often.
KEEPALIVE_SECONDS = 15.0
#: The most files (and folders) of the story folder watched.
WATCH_LIMIT = 1000

_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">\n?', re.IGNORECASE)
_CHARSET = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.IGNORECASE)
_MIME = {".toml": "text/plain; charset=utf-8", ".geojson": "application/geo+json", ".json": "application/json",
         ".md": "text/plain; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".svg": "image/svg+xml", ".webp": "image/webp", ".gif": "image/gif"}


def _static(name: str) -> str:
    return resources.files("storymap").joinpath("static", name).read_text("utf-8")


def _script_json(value: Any) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>``, ``&`` or line separators as such."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _snippet(config: dict[str, Any]) -> str:
    return (f'<style>{_static("dev.css")}</style>\n'
            f'<script type="application/json" id="storymap-dev-config">{_script_json(config)}</script>\n'
            f'<script>{_static("dev.js")}</script>\n')


def _with_policy(html: str, image_sources: list[str], kept: dict[str, list[str]] | None = None) -> str:
    """``html`` with a CSP for serve mode: the page's own policy plus the event stream and the phone
    frame; ``kept``: the directives of the built page's policy that name what its elements need
    (``style-src-attr``, ``connect-src``, ``media-src``), as they were."""
    kept = dict(kept or {})
    connect = " ".join(dict.fromkeys(["'self'", *kept.pop("connect-src", [])]))
    policy = "; ".join([page_policy(html, image_sources)] + [f"{name} {' '.join(value)}" for name, value in kept.items()]
                       + [f"connect-src {connect}", "frame-src 'self'"])
    charset = _CHARSET.search(html)
    if charset is None:
        raise ValueError("the page has no <meta charset> to put its Content-Security-Policy after")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return html[: charset.end()] + "\n" + meta + html[charset.end():]


def dev_page(html: str, config: dict[str, Any]) -> str:
    """A built page (``Story.to_html()``) with serve's client script added and its CSP recomputed."""
    found = _CSP_META.search(html)
    images: list[str] = []
    kept: dict[str, list[str]] = {}
    if found:
        for directive in _html.unescape(found.group(1)).split(";"):
            name, _, value = directive.strip().partition(" ")
            if name == "img-src":
                images = value.split()
            elif name in ("style-src-attr", "connect-src", "media-src"):
                kept[name] = value.split()
        html = html[: found.start()] + html[found.end():]
    end = html.rfind("</body>")
    if end < 0:
        raise ValueError("the page has no </body> to add serve's script before")
    return _with_policy(html[:end] + _snippet(config) + html[end:], images, kept)


def problems_page(title: str, lines: list[str], config: dict[str, Any]) -> str:
    """The page served while a story has never built: its problems (escaped), kept up to date by
    dev.js; in the language of ``config`` (:meth:`DevServer._config`), the problems in English."""
    listed = "\n".join(_html.escape(line) for line in lines)
    lang, way = _html.escape(config["lang"], quote=True), config["dir"]
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{way}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_html.escape(title)} – storymap serve</title>\n</head>\n"
        '<body class="storymap-dev-page">\n<main>\n'
        f"<h1>{_html.escape(title)}</h1>\n"
        f"<p>{_html.escape(config['text']['note_unbuilt'])}</p>\n"
        f'<noscript><pre lang="en" dir="ltr">{listed}</pre></noscript>\n</main>\n</body>\n</html>\n'
    )
    end = page.rfind("</body>")
    return _with_policy(page[:end] + _snippet(config) + page[end:], [])


@dataclass
class BuildState:
    """What the server serves: the last page that built, and whether the files build now."""

    ok: bool = False
    version: Optional[str] = None  # of the last page that built
    page: Optional[bytes] = None
    problems: list[str] = field(default_factory=list)
    summary: str = ""
    failed: bool = False  # the build itself failed (a bug, an unreadable disk), not the story's files
    warnings: list[str] = field(default_factory=list)  # of a story that builds (validate's warnings)
    generation: int = 0  # counts changes of state, for the event streams

    def public(self) -> dict[str, Any]:
        return {"ok": self.ok, "version": self.version, "problems": self.problems, "summary": self.summary,
                "failed": self.failed, "warnings": self.warnings}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that went away mid-answer (a tab closed or navigated while the page loaded) is
        no error of the server's: nothing printed. Anything else is reported as usual."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def __init__(self, dev: "DevServer", port: int):
        self.dev = dev
        super().__init__((HOST, port), _Handler)


class DevServer:
    """Serve and rebuild the story in ``folder``: :meth:`run` until Ctrl-C (or :meth:`stop`).

    Binding happens at once (an ``OSError`` when the port is taken); nothing is built or served
    before :meth:`run`.
    """

    def __init__(self, folder: str | os.PathLike[str], *, port: int = 8000, layout: Optional[str] = None,
                 debug: bool = False, echo: Optional[Callable[..., None]] = None):
        self.folder = Path(folder)
        self.root = self.folder.resolve()
        self.layout = layout
        self.debug = debug
        self.echo = echo or click.echo
        self.state = BuildState()
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._server = _Server(self, port)
        self._thread: Optional[threading.Thread] = None
        self.port: int = self._server.server_address[1]
        self.url = f"http://{HOST}:{self.port}/"

    # Building ---------------------------------------------------------------------------------
    def build(self) -> BuildState:
        """Build the story once and publish the result to open pages."""
        from .story import load

        started = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as heard:  # (shown on the page, below)
                warnings.simplefilter("always", UserWarning)
                story = load(self.folder)
            notes = [str(w.message) for w in heard if issubclass(w.category, UserWarning)]
            html = story.to_html(layout=self.layout)
        except StoryError as exc:
            lines = [str(p) for p in exc.problems]
            self._publish(ok=False, problems=lines, summary=f"{len(lines)} problem(s) found", failed=False)
            self.echo(f"{self._now()} {len(lines)} problem(s):", err=True)
            for line in lines:
                self.echo(f"  {line}", err=True)
            return self.state
        except Exception as exc:  # noqa: BLE001 - a bug or an unreadable disk: shown, and serving goes on
            if self.debug:
                traceback.print_exception(exc)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
            line = visible(f"cannot build {self.folder}: {reason}")
            self._publish(ok=False, problems=[line], summary="the build failed", failed=True)
            self.echo(f"{self._now()} {line}", err=True)
            return self.state
        version = hashlib.sha256(html.encode("utf-8")).hexdigest()[:16]
        same = version == self.state.version
        page = self.state.page if same else dev_page(html, self._config(version, story.data.lang)).encode("utf-8")
        self._publish(ok=True, version=version, page=page, problems=[], summary="", failed=False, warnings=notes)
        took = time.perf_counter() - started
        self.echo(f"{self._now()} built \"{visible(story.title)}\": {len(story.steps)} steps, {len(story.data.places)} places "
                  f"in {took:.2f} s" + (" (unchanged)" if same else ""))
        for note in notes:
            self.echo(f"  {visible(note)}", err=True)
        return self.state

    def _config(self, version: Optional[str], lang: str) -> dict[str, Any]:
        """dev.js's settings, its texts in ``lang`` (the story's) where storymap has them."""
        said, text = dev_texts(lang)
        return {"version": version, "events": EVENTS, "phone": list(PHONE), "folder": self.folder.name or str(self.folder),
                "lang": said, "dir": direction(said), "text": text}

    def _written_lang(self) -> str:
        """The language story.toml gives, for a story that has not built (``en`` when it says none,
        or cannot be read: its problems are on the page)."""
        from .load import STORY_FILE, read_story_file

        lang = (read_story_file(self.folder / STORY_FILE, []) or {}).get("lang")
        try:
            return check_language(lang)[0] if isinstance(lang, str) else "en"
        except ValueError:
            return "en"

    def _publish(self, **changes: Any) -> None:
        with self._changed:
            for key, value in changes.items():
                setattr(self.state, key, value)
            self.state.generation += 1
            self._changed.notify_all()

    @staticmethod
    def _now() -> str:
        return time.strftime("%H:%M:%S")

    def page(self) -> bytes:
        """The page to serve now: the last that built, or the problems."""
        state = self.state
        if state.page is not None:
            return state.page
        config = self._config(None, self._written_lang())
        return problems_page(config["text"]["page_title"].replace("{folder}", self.folder.name or str(self.folder)),
                             state.problems + ([state.summary] if state.summary else []), config).encode("utf-8")

    def snapshot(self) -> tuple[int, dict[str, Any]]:
        """The state's generation and its public part, read together."""
        with self._changed:
            return self.state.generation, self.state.public()

    def wait_change(self, generation: int, timeout: float) -> int:
        """Block until the state's generation differs from ``generation`` (or timeout, or stop)."""
        with self._changed:
            self._changed.wait_for(lambda: self.state.generation != generation or self._stopping.is_set(),
                                   timeout=timeout)
            return self.state.generation

    # Watching ---------------------------------------------------------------------------------
    def _snapshot(self) -> dict[str, tuple[int, ...]]:
        """The folder's files, its subfolders' too (``media/``: an image saved over in place changes
        no entry of the top level), none hidden, with what changes when one is saved. At most
        ``WATCH_LIMIT`` entries: a folder that holds far more than a story needs is watched in part."""
        seen: dict[str, tuple[int, ...]] = {}
        for top, dirs, files in os.walk(self.folder, onerror=lambda _: None):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in [*files, *dirs]:
                if len(seen) >= WATCH_LIMIT:
                    return seen
                if name.startswith("."):
                    continue
                path = os.path.join(top, name)
                try:
                    st = os.stat(path)
                except OSError:  # removed between listing and stat (or a broken link)
                    continue
                seen[path] = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, int(name in dirs))
        return seen

    def watch(self, before: Optional[dict[str, tuple[int, ...]]] = None) -> None:
        """Rebuild whenever a file of the folder changes (from ``before``, a :meth:`_snapshot`), until
        :meth:`stop`."""
        if before is None:
            before = self._snapshot()
        while not self._stopping.wait(POLL_SECONDS):
            now = self._snapshot()
            if now == before:
                continue
            # An editor may write a file in several steps: build once it has held still.
            while not self._stopping.wait(SETTLE_SECONDS):
                again = self._snapshot()
                if again == now:
                    break
                now = again
            before = now
            if not self._stopping.is_set():
                self.build()

    # Running ----------------------------------------------------------------------------------
    def run(self, *, open_browser: bool = False) -> None:
        """Build, serve and watch until Ctrl-C or SIGTERM; then stop cleanly."""
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, lambda *_: self._interrupt())
        try:
            before = self._snapshot()  # taken first: a save during the first build is not missed
            self.build()
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                            name="storymap-serve", daemon=True)
            self._thread.start()
            self.echo(f"serving {self.folder} at {self.url} (Ctrl-C to stop)")
            if open_browser:
                webbrowser.open(self.url)
            self.watch(before)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        self.echo("stopped")

    def _interrupt(self) -> None:
        raise KeyboardInterrupt

    def stop(self) -> None:
        """Stop watching and serving; open event streams end."""
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        if self._thread is not None and self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # Files ------------------------------------------------------------------------------------
    def story_file(self, url_path: str) -> Optional[Path]:
        """The story folder's file a URL path names, or None: never a hidden file, never outside the folder."""
        path = unquote(url_path, errors="strict") if "%" in url_path else url_path
        if "\x00" in path or "\\" in path or not path.startswith("/"):
            return None
        parts = path[1:].split("/")
        if not parts or any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            return None
        candidate = self.root.joinpath(*parts)
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if resolved != self.root and self.root not in resolved.parents:
            return None  # a symbolic link out of the folder
        if any(part.startswith(".") for part in resolved.relative_to(self.root).parts):
            return None  # a symbolic link to a hidden file of the folder (.env, .git/config)
        return resolved if resolved.is_file() else None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "storymap-serve"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if self.server.dev.debug:
            # (A request's line is the client's: escaped, as http.server's own log escapes it.)
            sys.stderr.write(visible(f"{self.address_string()} {format % args}") + "\n")

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        return host in (f"{HOST}:{self.server.dev.port}", f"localhost:{self.server.dev.port}")

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _refuse(self, status: HTTPStatus, text: str, body: bool = True) -> None:
        data = (text + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self._common_headers()
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _common_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    def _answer(self, body: bool) -> None:
        dev = self.server.dev
        if not self._host_ok():
            self._refuse(HTTPStatus.FORBIDDEN, "storymap serve answers only to 127.0.0.1 and localhost", body)
            return
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._send(dev.page(), "text/html; charset=utf-8", body, frame_ancestors=True)
        elif path == STATE:
            self._send(json.dumps(dev.snapshot()[1]).encode("utf-8"), "application/json", body)
        elif path == EVENTS:
            self._events(body)
        elif path.startswith("/__storymap/"):
            self._refuse(HTTPStatus.NOT_FOUND, "not found", body)
        else:
            try:
                found = dev.story_file(path)
            except UnicodeDecodeError:
                found = None
            if found is None:
                self._refuse(HTTPStatus.NOT_FOUND, "not found: only the story folder's files are served", body)
                return
            try:
                data = found.read_bytes()
            except OSError:
                self._refuse(HTTPStatus.NOT_FOUND, "not found", body)
                return
            # The folder's own files are shown, never run: sandboxed, no scripts.
            self._send(data, _MIME.get(found.suffix.lower(), "application/octet-stream"), body,
                       policy="sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:")

    def _send(self, data: bytes, content_type: str, body: bool, *, frame_ancestors: bool = False,
              policy: Optional[str] = None) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self._common_headers()
        if frame_ancestors:  # the page may be framed by itself only (the phone-size copy)
            self.send_header("Content-Security-Policy", "frame-ancestors 'self'")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, body: bool) -> None:
        dev = self.server.dev
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self._common_headers()
        self.end_headers()
        if not body:
            return
        self.close_connection = True
        generation = -1
        try:
            self.wfile.write(b"retry: 500\n\n")
            while not dev.stopping:
                now, public = dev.snapshot()
                if now != generation:
                    generation = now
                    data = json.dumps(public, ensure_ascii=False)
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode("utf-8"))
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
                dev.wait_change(generation, KEEPALIVE_SECONDS)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            pass
