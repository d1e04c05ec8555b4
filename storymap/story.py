"""The public, mutable story: load it, extend it from Python, save one standalone page."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import folium

from .basemap import basemap_data
from .load import load_data
from .models import Step, StoryData
from .render import TILES, Basemap, StoryControl, StoryFoliumMap, render_page

__all__ = ["Story", "load", "LAYOUTS"]

#: The page layouts: Previous/Next slides beside the map, or sections scrolling past a sticky map.
LAYOUTS = ("slides", "scroll")


class Story:
    """A story map: validated places and steps on a ``folium.Map`` with the story UI.

    Parameters
    ----------
    data : StoryData
        The validated story (see :func:`storymap.load`).

    Attributes
    ----------
    map : folium.Map
        The map the story is drawn on; folium layers added to it show in the page.
    """

    def __init__(self, data: StoryData):
        self.data = data
        first = data.steps[0]
        center = [0.0, 0.0]
        if first.places:
            bounds = [data.place(pid).bounds for pid in first.places]
            center = [(min(b[1] for b in bounds) + max(b[3] for b in bounds)) / 2,
                      (min(b[0] for b in bounds) + max(b[2] for b in bounds)) / 2]
        self.map: folium.Map = StoryFoliumMap(location=center, zoom_start=5)
        self._basemap = Basemap({})
        self._basemap.add_to(self.map)
        folium.TileLayer(
            tiles=TILES["url"], attr=TILES["attribution"], name="Tiles", subdomains=TILES["subdomains"],
            max_zoom=TILES["max_zoom"], detect_retina=False, show=False,
        ).add_to(self.map)
        self._control = StoryControl(data)
        self._control.add_to(self.map)

    # Reading -------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.data.title

    @property
    def steps(self) -> list[Step]:
        """The ordered steps (read-only view; use :meth:`add_step` to change them)."""
        return list(self.data.steps)

    def __repr__(self) -> str:
        return f"<Story {self.data.title!r}: {len(self.data.steps)} steps, {len(self.data.places)} places>"

    # Output --------------------------------------------------------------------------------
    def to_html(self, *, fragment: bool = False, layout: str | None = None) -> str:
        """The story as one self-contained HTML page, or an HTML fragment for a CMS.

        Parameters
        ----------
        fragment : bool
            Return a fragment (no ``html``/``head``/``body``): its styles are scoped under the
            story's root, its script defines no globals but ``L`` and ``L.storymap``, and
            Leaflet runs once however many stories a page holds.
        layout : {"slides", "scroll"}, optional
            Override the story's layout.

        Returns
        -------
        str
            The HTML; the same story renders byte-identically every time.
        """
        if layout is not None and layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
        self._basemap.data = basemap_data([p.shape for p in self.data.places])
        return render_page(self.map, self.data, fragment=fragment, layout=layout)

    def save(self, path: str | os.PathLike[str], *, fragment: bool = False, layout: str | None = None) -> Path:
        """Write the page to ``path`` atomically (a failed write leaves any old file intact).

        Returns
        -------
        pathlib.Path
            The path written.
        """
        target = Path(path)
        html = self.to_html(fragment=fragment, layout=layout)  # rendered in full before anything is written
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(html)
                fh.flush()
                os.fsync(fh.fileno())
            # mkstemp makes the file private (0600): keep the old page's mode, or make it readable.
            try:
                mode = target.stat().st_mode & 0o777
            except FileNotFoundError:
                mode = 0o644
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return target

    def _repr_html_(self) -> str:
        """Jupyter: the page in a sandboxed iframe (its script runs in its own document)."""
        import html as _html

        doc = _html.escape(self.to_html(), quote=True)
        return (f'<iframe srcdoc="{doc}" title="{_html.escape(self.title)}" '
                'style="width:100%;height:600px;border:0" sandbox="allow-scripts"></iframe>')


def load(folder: str | os.PathLike[str]) -> Story:
    """Load and validate a story folder (``story.toml`` + ``*.geojson``).

    Raises
    ------
    storymap.StoryError
        Listing every problem found, each naming file, object and field.
    """
    return Story(load_data(folder))
