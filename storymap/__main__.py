"""``python -m storymap``: the ``storymap`` command, for when its script is not on PATH."""

from .cli import main

main(prog_name="storymap")
