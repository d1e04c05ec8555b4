"""storymap: GeoJSON places with narrative annotations → a standalone Leaflet story map."""

from __future__ import annotations

from .embed import embed_snippet
from .errors import Problem, StoryError
from .files import write_atomic
from .kinds import GENERIC_KINDS, Kind
from .models import Place, Source, Step, StoryData, View
from .story import Story, load

__all__ = ["load", "Story", "embed_snippet", "StoryData", "Place", "Step", "Source", "View", "Kind", "GENERIC_KINDS",
           "StoryError", "Problem", "write_atomic"]
__version__ = "0.2.0"
