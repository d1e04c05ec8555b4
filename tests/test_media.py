"""Step media: images read, checked, scaled, recompressed and inlined; every bad case one line.

Browser checks of the page (inlined, shown, no request, layout on phones) are in
test_channels.py, which shares one page between them.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image

import storymap
from storymap import Media, StoryError
from storymap.media import MediaError, read_image, sanitize_svg

from .conftest import CARTO_HOSTS, GEODATA

STORY = "geodata/story.toml"
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def photo(path: Path, size=(3000, 2000), **save) -> Path:
    """A photograph-like JPEG (smooth gradients and some grain): many colours, compresses as JPEG does."""
    w, h = size
    gradient = Image.linear_gradient("L").resize((w, h))
    image = Image.merge("RGB", (gradient, gradient.rotate(90).resize((w, h)), Image.effect_noise((w, h), 24)))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=92, **save)
    return path


def add_media(story: Path, step_id: str, *tables: str, top: str = "") -> None:
    """Append [[steps.media]] tables to a step of story.toml (and lines at the top)."""
    text = (story / "story.toml").read_text("utf-8")
    head = f'[[steps]]\nid = "{step_id}"\n'
    at = text.index(head)
    end = text.find("\n[[steps]]\n", at + len(head))
    end = len(text) if end < 0 else end
    block = "".join("\n[[steps.media]]\n" + t.strip() + "\n" for t in tables)
    text = top + "\n" + text[:end] + block + text[end:]
    (story / "story.toml").write_text(text, "utf-8")


@pytest.fixture()
def story(story_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Panama story, copied, in English alone (the media added here have no Spanish texts); the
    working directory is its parent, so lines read ``geodata/...``."""
    monkeypatch.chdir(story_dir.parent)
    (story_dir / "story.es.toml").unlink()
    return story_dir


def problems(story: Path) -> list[str]:
    with pytest.raises(StoryError) as info:
        storymap.load(story.name)
    return [str(p) for p in info.value.problems]


# From story.toml and from Python -----------------------------------------------------------------

def test_a_photo_is_scaled_recompressed_and_inlined(story: Path):
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (9.0, 0.0, 0.0), 1: "N"}  # a GPS position: must not reach the page
    photo(story / "media" / "locks.jpg", exif=exif.tobytes())
    add_media(story, "the-canal", 'src = "media/locks.jpg"\nalt = "Two ships in a lock chamber"\n'
                                  'credit = "Photo: A. Person / Agency"\ncaption = "The *Miraflores* locks"')
    loaded = storymap.load(story.name)
    media = loaded.data.steps[5].media[1]
    assert (media.alt, media.credit) == ("Two ships in a lock chamber", "Photo: A. Person / Agency")
    assert (media.prepared.width, media.prepared.height) == (1600, 1067)
    assert media.prepared.mime == "image/jpeg" and "scaled from 3000×2000" in media.prepared.note
    out = Image.open(io.BytesIO(media.prepared.data))
    assert out.size == (1600, 1067) and not out.getexif()  # metadata (camera, GPS) dropped
    html = loaded.to_html()
    tag = re.search(r'<img class="storymap-media" src="data:image/jpeg;base64,([^"]+)" alt="([^"]*)"'
                    r' width="(\d+)" height="(\d+)"', html)
    assert tag and tag.group(2) == "Two ships in a lock chamber" and tag.groups()[2:] == ("1600", "1067")
    assert base64.b64decode(tag.group(1)) == media.prepared.data
    assert '<span class="storymap-credit">Photo: A. Person / Agency</span>' in html
    assert "<em>Miraflores</em> locks" in html


def test_media_from_python(story: Path, tmp_path: Path):
    picture = photo(tmp_path / "elsewhere" / "ship.jpg", size=(800, 600))
    loaded = storymap.load(story.name)
    loaded.add_step(id="a-ship", title="A ship", places=["panama-canal"],
                    media=[storymap.Media(src=picture, alt="A ship", credit="Photo: me"),
                           {"src": str(picture), "alt": "", "credit": "Decorative"}])
    step = loaded.steps[-1]
    assert [m.alt for m in step.media] == ["A ship", ""]
    assert step.media[0].prepared.width == 800  # not enlarged
    html = loaded.to_html()
    assert html.count('alt="A ship"') == 1 and 'alt=""' in html
    # A Media model validates on its own too; a relative path from Python is relative to the working directory.
    assert Media(src="geodata/media/canal-profile.svg", alt="x").prepared.mime == "image/svg+xml"
    with pytest.raises(StoryError) as info:
        loaded.add_step(id="no-alt", title="No alt", media=[{"src": str(picture)}])
    assert "media[0].alt: missing (required)" in str(info.value)
    # Both problems of an entry in one run: a missing alt hid a file that is no image.
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image")
    with pytest.raises(StoryError) as info:
        loaded.add_step(id="two", title="Two", media=[{"src": str(broken)}])
    found = [p.field for p in info.value.problems]
    assert found == ["media[0].alt", "media[0].src"], info.value
    assert str(info.value.problems[1]).endswith("broken.jpg is not an image storymap can read (JPEG, PNG, WebP, GIF or SVG)")


def test_the_panama_story_has_its_canal_profile():
    story = storymap.load(GEODATA)
    media = story.data.steps[[s.id for s in story.steps].index("the-canal")].media
    assert media and media[0].src == "media/canal-profile.svg" and media[0].prepared.mime == "image/svg+xml"
    assert "26 m" in media[0].alt and "three steps" in media[0].alt
    assert media[0].credit.startswith("Graphic: storymap, from ")
    svg = media[0].prepared.data.decode("utf-8")
    for fact in ("+26 m in 3 steps", "−9.5 m, 1 step", "−16.5 m, 2 steps", "12.6 km", "Culebra Cut", "82 km"):
        assert fact in svg, fact


def test_drawings_stay_png_photos_become_jpeg_animations_keep_their_first_frame(tmp_path: Path):
    drawing = Image.new("RGB", (2400, 1200), "#ffffff")
    drawing.paste((11, 83, 148), (100, 100, 1200, 600))
    drawing.save(tmp_path / "chart.png")
    prepared = read_image(tmp_path / "chart.png")
    assert prepared.mime == "image/png" and (prepared.width, prepared.height) == (1600, 800)
    assert Image.open(io.BytesIO(prepared.data)).mode == "P"  # few colours: a palette
    clear = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    clear.paste((200, 0, 0, 255), (10, 10, 100, 100))
    clear.save(tmp_path / "logo.webp", lossless=True)
    assert read_image(tmp_path / "logo.webp").mime == "image/png"  # transparency kept
    frames = [Image.new("P", (64, 48), i) for i in (1, 2, 3)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=100)
    assert (read_image(tmp_path / "anim.gif").width, read_image(tmp_path / "anim.gif").mime) == (64, "image/png")
    # A portrait photo whose camera stored it sideways (EXIF orientation 6) is turned upright.
    exif = Image.Exif()
    exif[0x0112] = 6
    photo(tmp_path / "turned.jpg", size=(400, 300), exif=exif.tobytes())
    assert (read_image(tmp_path / "turned.jpg").width, read_image(tmp_path / "turned.jpg").height) == (300, 400)


# The bad media catalogue: one line each, naming the step and the field -----------------------

def test_bad_media_catalogue(story: Path):
    media = story / "media"
    photo(media / "ok.jpg", size=(300, 200))
    (media / "truncated.jpg").write_bytes((media / "ok.jpg").read_bytes()[:400])
    (media / "notes.txt").write_text("not an image", "utf-8")
    (media / "script.svg").write_text(f'<svg {SVG_NS} onload="alert(1)"><script>alert(2)</script></svg>', "utf-8")
    (media / "entity.svg").write_text(f'<!DOCTYPE svg [<!ENTITY x "y">]><svg {SVG_NS}>&x;</svg>', "utf-8")
    Image.new("1", (9000, 7000)).save(media / "huge.png")
    add_media(story, "overview",
              'src = "media/ok.jpg"',  # 0: no alt
              'src = "media/nowhere.jpg"\nalt = "x"',  # 1
              'src = "media/truncated.jpg"\nalt = "x"',  # 2
              'src = "media/notes.txt"\nalt = "x"',  # 3
              'src = "media/script.svg"\nalt = "x"',  # 4
              'src = "media/entity.svg"\nalt = "x"',  # 5
              'src = "https://images.example.org/a.jpg"\nalt = "x"',  # 6
              'src = "http://images.example.org/a.jpg"\nalt = "x"',  # 7
              'src = "javascript:alert(1)"\nalt = "x"',  # 8
              'src = "/etc/hostname"\nalt = "x"',  # 9
              'src = "../outside.jpg"\nalt = "x"',  # 10
              'src = "media/huge.png"\nalt = "x"',  # 11
              'src = "media/ok.jpg"\nalt = 3',  # 12
              'src = "media/ok.jpg"\nalt = "x"\ncolour = "red"',  # 13
              )
    found = problems(story)
    where = f'{STORY}: step "overview" (steps[0]) media'
    expected = [
        f"{where}[0].alt: missing (required): describe what the image shows, or alt = \"\" for a purely decorative image",
        f"{where}[1].src: file not found: geodata/media/nowhere.jpg",
        f"{where}[2].src: geodata/media/truncated.jpg ",
        f"{where}[3].src: geodata/media/notes.txt is not an image storymap can read (JPEG, PNG, WebP, GIF or SVG)",
        f"{where}[4].src: geodata/media/script.svg holds active content, refused: an event attribute onload= on "
        "<svg>; a <script> element.",
        f"{where}[5].src: geodata/media/entity.svg: an SVG with a DTD or entities is refused",
        f"{where}[6].src: a remote image is used only when the story opts in with remote_media = true in story.toml",
        f"{where}[7].src: a remote image must use https",
        f"{where}[8].src: a javascript: URL is not allowed",
        f"{where}[9].src: must be a path relative to the story folder",
        f"{where}[10].src: points outside the story folder",
        f"{where}[11].src: geodata/media/huge.png is 9000×7000 px (63 megapixels); the limit is 60 megapixels",
        f"{where}[12].alt: Input should be a valid string",
        f"{where}[13].colour: unknown field",
    ]
    for line in expected:
        assert [f for f in found if f.startswith(line)], f"{line}\nnot in:\n" + "\n".join(found)
    assert len(found) == len(expected), "\n".join(found)
    assert "truncated" in found[2] and "export it again" in found[2]


def test_over_budget_says_the_numbers_and_the_way_out(story: Path):
    photo(story / "media" / "a.jpg", size=(1600, 1000))
    photo(story / "media" / "b.jpg", size=(1500, 1000))
    add_media(story, "overview", 'src = "media/a.jpg"\nalt = "A"', 'src = "media/b.jpg"\nalt = "B"',
              top="media_budget = { image_kb = 100, page_kb = 150 }")
    found = problems(story)
    where = f'{STORY}: step "overview" (steps[0]) media'
    assert re.match(rf"{re.escape(where)}\[0\]\.src: 'media/a\.jpg' takes \d+ KB in the page \(JPEG \(quality 82\) "
                    r"1600×1000 px\); the limit per image is 100 KB: crop it or export it smaller, or raise "
                    r"media_budget\.image_kb in story\.toml$", found[0]), found
    assert found[1].startswith(f"{where}[1].src: 'media/b.jpg' takes ")
    assert re.match(rf"{STORY}: media_budget\.page_kb: the story's images take \d+ KB in the page \(largest: "
                    r"steps\[0\]\.media\[0\] \d+ KB, steps\[0\]\.media\[1\] \d+ KB, steps\[5\]\.media\[0\] [\d.]+ KB\); "
                    r"the limit for all images is "
                    r"150 KB: use fewer or smaller images, or raise media_budget\.page_kb in story\.toml$", found[2]), found
    assert len(found) == 3


def test_remote_media_when_the_story_opts_in(story: Path):
    add_media(story, "overview", 'src = "https://images.example.org/photos/a.jpg?w=800&h=600"\nalt = "A remote photo"',
              top="remote_media = true")
    html = storymap.load(story.name).to_html()
    assert ('<img class="storymap-media" src="https://images.example.org/photos/a.jpg?w=800&amp;h=600" '
            'alt="A remote photo" decoding="async" referrerpolicy="no-referrer"') in html
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    img_src = next(d for d in policy.split("; ") if d.startswith("img-src "))
    assert img_src == "img-src data: " + " ".join(CARTO_HOSTS + ["https://images.example.org"])


def test_captions_and_credits_are_text(story: Path):
    photo(story / "media" / "a.jpg", size=(300, 200))
    add_media(story, "overview", 'src = "media/a.jpg"\nalt = "\\"><script>alert(1)</script>"\n'
                                 'credit = "<b onmouseover=alert(2)>me</b>"\n'
                                 'caption = "<script>alert(3)</script> [x](javascript:alert(4)) *ok*"')
    html = storymap.load(story.name).to_html()
    assert "<script>alert" not in html and "<b onmouseover" not in html and 'href="javascript' not in html
    assert 'alt="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "&lt;b onmouseover=alert(2)&gt;me&lt;/b&gt;" in html and "<em>ok</em>" in html


# SVG -----------------------------------------------------------------------------------------------

def test_svg_is_rebuilt_from_drawing_only():
    source = (f'<?xml version="1.0"?><!-- exported --><svg {SVG_NS} xmlns:inkscape="http://www.inkscape.org/'
              'namespaces/inkscape" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 200 100" '
              'inkscape:version="1.3"><metadata><x/></metadata><defs><linearGradient id="g"><stop offset="0" '
              'stop-color="red"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)" data-name="r"/>'
              '<use xlink:href="#g"/><image width="4" height="4" href="data:image/png;base64,iVBORw0KGgo="/>'
              '<text x="1" y="20">Gatún <tspan font-weight="bold">26 m</tspan> up</text></svg>')
    out = sanitize_svg(source.encode("utf-8"))
    text = out.data.decode("utf-8")
    assert (out.mime, out.width, out.height) == ("image/svg+xml", 200, 100)
    assert "metadata" not in text and "inkscape" not in text and "data-name" not in text and "exported" not in text
    assert 'fill="url(#g)"' in text and 'xlink:href="#g"' in text and 'href="data:image/png;base64,' in text
    assert "Gatún <tspan" in text and "</tspan> up</text>" in text


@pytest.mark.parametrize("body, reason", [
    ('<script>alert(1)</script>', "a <script> element"),
    ('<rect onclick="alert(1)"/>', "an event attribute onclick= on <rect>"),
    ('<foreignObject><div/></foreignObject>', "a <foreignObject> element"),
    ('<a href="https://x.example/"><rect/></a>', "a <a> element"),
    ('<image href="https://x.example/p.png"/>', "a reference to 'https://x.example/p.png' on <image>"),
    ('<use href="other.svg#a"/>', "a reference to 'other.svg#a' on <use>"),
    ('<rect fill="url(https://x.example/f)"/>', "url(https://x.example/f) on <rect>"),
    ('<rect style="fill: url(\'//x.example/f\')"/>', "url(//x.example/f) in the style of <rect>"),
    ('<style>@import "https://x.example/a.css";</style>', "@import in a <style> element"),
    ('<style>rect { fill: \\75 rl(x) }</style>', "a CSS escape in a <style> element"),
    ('<animate attributeName="href" to="javascript:alert(1)"/>', "a <animate> element"),
    ('<set attributeName="onload" to="alert(1)"/>', "a <set> element"),
    ('<iframe/>', "a <iframe> element"),
])
def test_svg_with_active_content_is_refused(body: str, reason: str):
    with pytest.raises(MediaError) as info:
        sanitize_svg(f'<svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink">{body}</svg>'.encode("utf-8"), "f.svg")
    assert reason in str(info.value) and str(info.value).startswith("f.svg holds active content, refused: ")


@pytest.mark.parametrize("data, reason", [
    (b'<!DOCTYPE svg SYSTEM "http://x.example/a.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>', "DTD"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect', "invalid XML"),
    (b'<html><body/></html>', "not an SVG image"),
    (b"\x1f\x8b\x08\x00", "compressed SVG"),
])
def test_svg_that_cannot_be_read_is_refused(data: bytes, reason: str):
    with pytest.raises(MediaError, match=reason):
        sanitize_svg(data, "f.svg")


@pytest.mark.browser
@pytest.mark.parametrize("name", ["canal-profile.svg", "canal-profile.es.svg"])
def test_the_canal_charts_labels_do_not_overlap(name: str, make_page):
    """The Panama story's chart of the canal's levels (scripts/make_canal_profile.py), in each
    language: the Spanish "26 m sobre el nivel del mar" ran into "12.6 km" under Corte Culebra."""
    chart = Path(__file__).resolve().parent.parent / "geodata" / "media" / name
    run = make_page((1280, 800))
    run.page.goto(chart.as_uri())
    boxes = run.js("""() => [...document.querySelectorAll('text')].map((t) => {
        const r = t.getBBox(); return [t.textContent, r.x, r.y, r.x + r.width, r.y + r.height]; })""")
    assert len(boxes) >= 8
    overlaps = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]
    assert overlaps == []
