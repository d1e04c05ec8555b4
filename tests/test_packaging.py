"""The package as pip installs it from a wheel, not from this checkout: every file the library reads
ships, and a story builds from the installed copy alone."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _library_files() -> set[str]:
    """The files of storymap/ that are not Python modules, as the repository holds them."""
    try:
        listed = subprocess.run(["git", "ls-files", "storymap"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # (not a git checkout: what is on disk)
        listed = [p.relative_to(ROOT).as_posix() for p in (ROOT / "storymap").rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts]
    return {name for name in listed if not name.endswith(".py")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built as pip builds it: by the project's build backend (PEP 517), here the one the
    test extra installs, so that neither a download nor pip is needed (a venv made by uv has none)."""
    out = tmp_path_factory.mktemp("wheel")
    build = "import sys, setuptools.build_meta as backend; print(backend.build_wheel(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", build, str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out / done.stdout.split()[-1]


def test_the_wheel_holds_every_file_the_library_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = _library_files()
    assert {"storymap/locales/en.json", "storymap/data/basemap.npz", "storymap/static/story.js"} <= wanted
    assert sorted(wanted - names) == []


def test_one_version_everywhere(wheel):
    """The wheel's, the package's and the page script's (``L.storymap.version``) agree."""
    import re

    import storymap

    with zipfile.ZipFile(wheel) as z:
        metadata = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        version = next(line.split(":", 1)[1].strip() for line in z.read(metadata).decode().splitlines()
                       if line.startswith("Version:"))
        script = z.read("storymap/static/storymap.js").decode()
    assert storymap.__version__ == version
    assert re.findall(r"L\.storymap = \{version: '([^']+)'\}", script) == [version]


def test_the_wheel_states_its_licence(wheel):
    with zipfile.ZipFile(wheel) as z:
        metadata = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        lines = z.read(metadata).decode().splitlines()
        assert "License-Expression: MIT" in lines
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in z.namelist())


def test_a_story_builds_from_the_installed_wheel_alone(wheel, tmp_path):
    # (Installed as an installer lays out a pure-Python wheel: its files under site-packages.)
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)
    script = ("import sys, storymap\n"
              "print(storymap.__file__)\n"
              "story = storymap.load(sys.argv[1])\n"
              "story.save(sys.argv[2], lang='es')\n")
    page = tmp_path / "out" / "index.html"
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", script, str(ROOT / "geodata"), str(page)], cwd=tmp_path,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.splitlines()[0]).is_relative_to(target)
    html = page.read_text(encoding="utf-8")
    # (The Spanish interface comes from the packaged locales.)
    assert 'lang="es"' in html and "Siguiente" in html
