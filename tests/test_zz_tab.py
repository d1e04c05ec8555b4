import pytest, time
from tests.test_engines import page, engine, _open, PHONE, DESKTOP, SETTLED, ROOT  # noqa
from tests.geometry import FOCUS_JS
pytestmark = pytest.mark.browser
def test_enter(engine, page):
    _open(engine, page, DESKTOP)
    engine.evaluate("document.querySelector('.storymap-next').focus()")
    print("\nFOCUS", engine.name, engine.evaluate(f"({FOCUS_JS})()"))
    engine.key("Enter"); time.sleep(0.5)
    print("IDX after Enter", engine.evaluate(f"{ROOT}.storymap.index"))
    engine.evaluate("document.querySelector('.storymap-next').focus()")
    engine.key("Space") if False else None
