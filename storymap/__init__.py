"""storymap: GeoJSON places with narrative annotations → a standalone Leaflet story map."""

from __future__ import annotations

from .channels import write_social_card
from .embed import embed_policy, embed_snippet
from .errors import Problem, StoryError
from .files import write_atomic
from .kinds import GENERIC_KINDS, Kind
from .models import Media, Place, Source, Step, StoryData, View
from .story import Story, load

__all__ = ["load", "Story", "embed_snippet", "embed_policy", "write_social_card", "StoryData", "Place", "Step", "Source", "View", "Media", "Kind", "GENERIC_KINDS",
           "StoryError", "Problem", "write_atomic"]
__version__ = "0.2.0"
