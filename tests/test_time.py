"""Time without a browser: steps' dates and periods (parsing, validation wording), the timeline's
hook and config, layers added with ``time=`` (their encoding and their errors), the Panama dates."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import storymap
from storymap import StoryError
from storymap.context import PageContext
from storymap.dates import MISSING_DAY, feature_days, parse_date, parse_period, span_label, year_label

from .conftest import GEODATA
from .layers_data import column, payloads, random_points
from .test_layers import overlays

EPOCH = dt.date(1970, 1, 1)


def days(text: str) -> int:
    return (dt.date.fromisoformat(text) - EPOCH).days


# Dates and periods -------------------------------------------------------------------------------

@pytest.mark.parametrize("given, first, last, ends", [
    ("2024", "2024-01-01", "2024-12-31", ("2024",)),
    ("2024-02", "2024-02-01", "2024-02-29", ("2024-02",)),  # a leap year
    ("2023-02", "2023-02-01", "2023-02-28", ("2023-02",)),
    ("2024-05-13", "2024-05-13", "2024-05-13", ("2024-05-13",)),
    (" 2024-05 ", "2024-05-01", "2024-05-31", ("2024-05",)),
    (dt.date(2024, 5, 13), "2024-05-13", "2024-05-13", ("2024-05-13",)),  # a TOML date
    (2024, "2024-01-01", "2024-12-31", ("2024",)),  # a TOML number
    # Typed on an Arabic or a Persian keyboard: read, and handed to the page in ASCII digits (the
    # timeline's year read "NaN" from "٢٠٢١-٠٣-٢٣").
    ("٢٠٢١-٠٣-٢٣", "2021-03-23", "2021-03-23", ("2021-03-23",)),
    ("۱۳۹۹", "1399-01-01", "1399-12-31", ("1399",)),
])
def test_dates_cover_whole_days(given, first, last, ends):
    span = parse_date(given)
    assert (span.start.isoformat(), span.end.isoformat(), span.ends) == (first, last, ends)
    assert span.days == (days(first), days(last)) and not span.is_period


@pytest.mark.parametrize("given, first, last, ends", [
    ("2008–2025", "2008-01-01", "2025-12-31", ("2008", "2025")),
    ("2008-2025", "2008-01-01", "2025-12-31", ("2008", "2025")),
    ("2008 – 2025", "2008-01-01", "2025-12-31", ("2008", "2025")),
    ("2024-05/2024-07", "2024-05-01", "2024-07-31", ("2024-05", "2024-07")),
    ("2024-05-12/2024-05-24", "2024-05-12", "2024-05-24", ("2024-05-12", "2024-05-24")),
    ("1914/2016-06-26", "1914-01-01", "2016-06-26", ("1914", "2016-06-26")),
    ("2024-05–2024-05", "2024-05-01", "2024-05-31", ("2024-05", "2024-05")),
    ("٢٠٠٨–٢٠٢٥", "2008-01-01", "2025-12-31", ("2008", "2025")),
])
def test_periods_run_from_the_first_day_to_the_last(given, first, last, ends):
    span = parse_period(given)
    assert (span.start.isoformat(), span.end.isoformat(), span.ends) == (first, last, ends)
    assert span.is_period


@pytest.mark.parametrize("given, ends", [
    (np.datetime64("2024-05-13"), ("2024-05-13",)),
    (np.datetime64("2024-05"), ("2024-05",)),  # its precision kept: the whole month
    (np.datetime64("2024"), ("2024",)),
    (np.datetime64("2024-05-13T10:30"), ("2024-05-13",)),
    (pd.Series(pd.to_datetime(["2024-05-13"])).to_numpy()[0], ("2024-05-13",)),  # a value out of a pandas column
])
def test_a_numpy_datetime_is_a_date(given, ends):
    # Before: refused ("expected a date as text"), where a pandas Timestamp of the same day was taken.
    assert parse_date(given).ends == ends
    step = storymap.Step(id="x", title="X", date=given)
    assert (step.date, step.time.ends) == ("/".join(ends), ends)


@pytest.mark.parametrize("given, end", [("2008–present", "present"), ("2008–", ""), ("../2024", ".."),
                                        ("2008–hoy", "hoy")])
def test_an_open_period_says_to_write_its_end(given, end):
    # Before: "'present' is not a date" (or "'' is not a date"), as if a typo, with the forms alone.
    with pytest.raises(ValueError) as info:
        parse_period(given)
    assert str(info.value) == (f"{given!r} is not a period: {end!r} is no date, and an open period cannot be placed "
                               "on the timeline; write both ends as dates (for one still going on, end it when the "
                               "story is told: 2008–2025 in a story of 2025)")


def test_a_period_not_given_as_text_is_named_once():
    # Before: "expected a period as text (expected START–END ...)", the hint's "expected" twice.
    with pytest.raises(ValueError) as info:
        parse_period(("2008", "2025"))
    assert str(info.value) == ("('2008', '2025') is not a period; expected START–END or START/END, each YYYY, "
                               "YYYY-MM or YYYY-MM-DD (e.g. 2008–2025, 2008-2025, 2024-05/2024-07)")


def test_a_period_whose_dates_hold_slashes_is_split_at_its_dash():
    # Before: cut at the slash, into '13' and '05/2024–2025' ("'13' is not a date").
    with pytest.raises(ValueError, match=r"^'13/05/2024–2025' is not a period: '13/05/2024' is not a date; .*"
                                         r"did you mean '2024-05-13'\?$"):
        parse_period("13/05/2024–2025")


@pytest.mark.parametrize("given, message", [
    ("2024-13", "'2024-13' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD"),
    ("2023-02-29", "'2023-02-29' is not a date: day 29 is out of range for February 2023, which has 28 days"),
    # A date written another way names the date meant (before: the expected forms alone).
    ("May 2024", "'May 2024' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '2024-05'?"),
    ("13 May 2024", "'13 May 2024' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '2024-05-13'?"),
    ("13/05/2024", "'13/05/2024' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '2024-05-13'?"),
    # Written out in the reporter's own language (before: no suggestion but for English).
    ("3 de maio de 2024", "'3 de maio de 2024' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean "
                          "'2024-05-03'?"),
    ("maio de 2024", "'maio de 2024' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '2024-05'?"),
    ("12 février 2025", "'12 février 2025' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean "
                        "'2025-02-12'?"),
    ("3. März 2024", "'3. März 2024' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '2024-03-03'?"),
    ("1 de enero de 2020", "'1 de enero de 2020' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean "
                           "'2020-01-01'?"),
    ("05/13/2024", "'05/13/2024' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '2024-05-13'?"),
    ("03.05.2024", "'03.05.2024' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; write 2024-05-03 for 3 May "
                   "2024, 2024-03-05 for March 5, 2024"),
    ("2024-5-3", "'2024-5-3' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '2024-05-03'?"),
    ("20240513", "'20240513' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '2024-05-13'?"),
    ("1970s", "'1970s' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; a decade is a period: "
              'period = "1970–1979"'),
    ("31/02/2024", "'31/02/2024' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD"),  # no such day either way
    ("24", "'24' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD"),
    # A year before 1000 needs its four digits; before year 1, no date can be written (before: the
    # expected forms alone, as if 0900 and 44 BCE were as unwritable as each other).
    ("900", "'900' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '0900'?"),
    ("900-05", "'900-05' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; did you mean '0900-05'?"),
    ("900-13", "'900-13' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD"),
    ("-0044", "'-0044' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; a date before year 1 (BCE) cannot be "
              "written: dates run from 0001 to 9999"),
    ("0000-03", "'0000-03' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; a date before year 1 (BCE) cannot "
                "be written: dates run from 0001 to 9999"),
    ("44 BC", "'44 BC' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; a date before year 1 (BCE) cannot be "
              "written: dates run from 0001 to 9999"),
    ("44 a. C.", "'44 a. C.' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD; a date before year 1 (BCE) cannot "
                 "be written: dates run from 0001 to 9999"),
    ("2024-05-13T10:00", "'2024-05-13T10:00' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD"),
    (["2024"], "expected a date as text (YYYY, YYYY-MM or YYYY-MM-DD), got ['2024']"),
    (-44, "expected a date as text (YYYY, YYYY-MM or YYYY-MM-DD), got -44; a date before year 1 (BCE) cannot be "
          "written: dates run from 0001 to 9999"),
])
def test_a_wrong_date_says_what_is_expected(given, message):
    with pytest.raises(ValueError) as info:
        parse_date(given)
    assert str(info.value) == message


EXPECTED = "is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD"


@pytest.mark.parametrize("given, hint", [
    # Dates written the Japanese, Chinese (and Korean) way, year first with slashes, and written out
    # in Arabic, Hebrew or Persian: before, the expected forms alone.
    ("1964年10月1日", "; did you mean '1964-10-01'?"),
    ("1964年10月", "; did you mean '1964-10'?"),
    ("1964年", "; did you mean '1964'?"),
    ("１９６４年１０月１日", "; did you mean '1964-10-01'?"),  # (full-width digits)
    ("2021년 3월 23일", "; did you mean '2021-03-23'?"),
    # A year of a Japanese era or of the Republic of China's calendar: the Gregorian year is asked for.
    ("平成24年10月1日", "; dates take the Gregorian year: 平成24年 is 2012; did you mean '2012-10-01'?"),
    ("令和元年5月1日", "; dates take the Gregorian year: 令和元年 is 2019; did you mean '2019-05-01'?"),
    ("民國101年", "; dates take the Gregorian year: 民國101年 is 2012; did you mean '2012'?"),
    ("天保3年", "; dates take the Gregorian year (YYYY), not an era's"),
    ("1964/10/01", "; did you mean '1964-10-01'?"),
    ("2021/03/23", "; did you mean '2021-03-23'?"),
    ("2021/3", "; did you mean '2021-03'?"),
    ("23 مارس 2021", "; did you mean '2021-03-23'?"),
    ("٢٣ مارس ٢٠٢١", "; did you mean '2021-03-23'?"),  # (Arabic-Indic digits)
    ("23 مارس، 2021م", "; did you mean '2021-03-23'?"),
    ("مارس 2021", "; did you mean '2021-03'?"),
    ("23 كانون الثاني 2021", "; did you mean '2021-01-23'?"),  # (the Levant's names)
    ("5 جانفي 2021", "; did you mean '2021-01-05'?"),  # (the Maghreb's)
    ("23 במרץ 2021", "; did you mean '2021-03-23'?"),
    ("۲۳ مارس ۲۰۲۱", "; did you mean '2021-03-23'?"),  # (Persian digits)
    ("1 十月 1964", "; did you mean '1964-10-01'?"),
    ("1964年13月1日", ""),
    ("23 foo 2021", ""),
])
def test_a_date_written_the_japanese_chinese_or_arabic_way_gets_the_date_meant(given: str, hint: str):
    with pytest.raises(ValueError) as info:
        parse_date(given)
    assert str(info.value) == f"{given!r} {EXPECTED}{hint}"


def test_a_period_written_the_japanese_way_gets_the_date_meant_at_each_end():
    with pytest.raises(ValueError, match=r"^'1964年10月1日–1965年' is not a period: '1964年10月1日' is not a date; .*"
                                         r"did you mean '1964-10-01'\?$"):
        parse_period("1964年10月1日–1965年")


@pytest.mark.parametrize("given, message", [
    ("2025–2008", "'2025–2008' ends before it starts; write the earlier date first"),
    ("2008", "'2008' is not a period; expected START–END or START/END, each YYYY, YYYY-MM or YYYY-MM-DD "
             "(e.g. 2008–2025, 2008-2025, 2024-05/2024-07); a single date goes in `date`"),
    ("2008–20x5", "'2008–20x5' is not a period: '20x5' is not a date; expected START–END or START/END, each "
                  "YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2008–2025, 2008-2025, 2024-05/2024-07)"),
    ("2024-05-2024-07", "'2024-05-2024-07' is not a period; expected START–END or START/END, each YYYY, YYYY-MM "
                        "or YYYY-MM-DD (e.g. 2008–2025, 2008-2025, 2024-05/2024-07)"),
])
def test_a_wrong_period_says_what_is_expected(given, message):
    with pytest.raises(ValueError) as info:
        parse_period(given)
    assert str(info.value) == message


def _toml_replace(folder: Path, old: str, new: str) -> None:
    path = folder / "story.toml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_validation_names_the_step_and_the_field(story_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(story_dir.parent)
    _toml_replace(story_dir, 'period = "2008–2025"', 'date = "2024-13"')  # border-service, steps[3]
    _toml_replace(story_dir, 'period = "1914–2016"', 'period = "1914–2016"\ndate = "2016"')  # the-canal
    _toml_replace(story_dir, 'period = "2007–2025"', 'period = "2025–2007"')  # panamax-alpha
    _toml_replace(story_dir, 'date = "2025-02-19"', 'period = "2025-02-19"')  # jcet-training
    with pytest.raises(StoryError) as info:
        storymap.load("geodata")
    assert [str(p) for p in info.value.problems] == [
        "geodata/story.toml: step \"jcet-training\" (steps[2]) period: '2025-02-19' is not a period; expected "
        "START–END or START/END, each YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2008–2025, 2008-2025, 2024-05/2024-07); "
        "a single date goes in `date`",
        "geodata/story.toml: step \"border-service\" (steps[3]) date: '2024-13' is not a date; expected YYYY, "
        "YYYY-MM or YYYY-MM-DD",
        "geodata/story.toml: step \"the-canal\" (steps[5]) period: a step has a date or a period, not both; keep "
        "the one that says when the step happens",
        "geodata/story.toml: step \"panamax-alpha\" (steps[6]) period: '2025–2007' ends before it starts; write "
        "the earlier date first",
    ]


def test_toml_dates_and_years_are_taken(story_dir: Path):
    _toml_replace(story_dir, 'date = "2025-02-18"', "date = 2025-02-18")  # first-talks: a TOML date
    _toml_replace(story_dir, 'date = "2025-02"', "date = 2025")  # overview: a number
    steps = {s.id: s for s in storymap.load(story_dir).steps}
    assert steps["first-talks"].date == "2025-02-18" and steps["overview"].date == "2025"
    assert steps["overview"].time.days == (days("2025-01-01"), days("2025-12-31"))


def test_add_step_takes_a_date_or_a_period():
    story = storymap.load(GEODATA)
    story.add_step(id="later", title="Later", period="2026-01/2026-03", after="what-lies-ahead")
    assert story.steps[-1].time.days == (days("2026-01-01"), days("2026-03-31"))
    with pytest.raises(StoryError) as info:
        story.add_step(id="wrong", title="Wrong", date="2026-00")
    assert "date: '2026-00' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD" in str(info.value)


# The page ------------------------------------------------------------------------------------------

def test_the_page_gets_each_steps_days_and_a_timeline_hook():
    story = storymap.load(GEODATA)
    config = PageContext(story.data).config
    times = {s["id"]: s.get("time") for s in config["steps"]}
    # Each language's way of writing the date travels with it (CLDR through Babel: no Intl in the page).
    assert times["fuerzas-comando-2024"] == {"days": [days("2024-05-12"), days("2024-05-24")],
                                             "ends": ["2024-05-12", "2024-05-24"],
                                             "labels": {"en": "May 12\u2009–\u200924, 2024", "es": "12–24 may 2024"}}
    assert times["border-service"] == {"days": [days("2008-01-01"), days("2025-12-31")], "ends": ["2008", "2025"],
                                       "labels": {"en": "2008\u2009–\u20092025", "es": "2008–2025"}}
    assert times["overview"] == {"days": [days("2025-02-01"), days("2025-02-28")], "ends": ["2025-02"],
                                 "labels": {"en": "Feb 2025", "es": "feb 2025"}}
    assert times["trafficking-routes"] is None
    html = story.to_html(languages=["en"])
    assert html.count("<nav class=\"storymap-timeline\"") == 1
    assert '<nav class="storymap-timeline" data-storymap-timeline aria-label="Timeline" hidden></nav>' in html
    assert re.search(r"\.Timeline=\w+\.Class\.extend\(", html)  # timeline.js, minified
    spanish = story.to_html(languages=["es"])
    assert '<nav class="storymap-timeline" data-storymap-timeline aria-label="Cronología" hidden></nav>' in spanish
    # A page of both languages: the label follows the language shown (see languages.js).
    both = story.to_html()
    assert re.search(r'<nav class="storymap-timeline" data-storymap-timeline aria-label="Timeline" '
                     r'data-i18n="attrs" hidden></nav>', both)
    assert re.search(r'<div data-k="\d+" aria-label="Cronología"></div>', both)


def test_a_story_without_dates_has_no_timeline(tmp_path: Path):
    story = storymap.load(GEODATA)
    undated = [s.model_copy(update={"date": None, "period": None}) for s in story.data.steps]
    story.data = story.data.model_copy(update={"steps": undated})
    assert not PageContext(story.data).timeline
    assert "<nav class=\"storymap-timeline\"" not in story.to_html()


# Layers with time --------------------------------------------------------------------------------

def dated_points(n: int = 200, seed: int = 5) -> gpd.GeoDataFrame:
    points = random_points(n, seed)
    rng = np.random.default_rng(seed)
    when = np.datetime64("2000-01-01") + rng.integers(0, 10_000, n)
    points["when"] = when.astype(str)
    points.loc[points.index[::17], "when"] = None  # some without a time
    return points


def test_times_are_encoded_in_the_stored_order():
    points = dated_points()
    story = storymap.load(GEODATA).add_layer(points, "Dated", time="when", tooltip="name")
    html = story.to_html()
    payload = next(iter(payloads(html).values()))
    expected = {name: (MISSING_DAY if not isinstance(when, str) else days(when)) for name, when in zip(points["name"], points["when"])}
    t0, offsets = payload["time"]["t0"], payload["time"]["d"]
    got = {name: (MISSING_DAY if d < 0 else t0 + d) for name, d in zip(column(payload, "name"), offsets)}
    assert got == expected
    assert column(payload, "name") != list(points["name"])  # the points were reordered (Z-order), times too
    assert t0 == min(v for v in expected.values() if v != MISSING_DAY)
    assert overlays(html)[0]["time"] == "cumulative"
    assert '"timeMode":"cumulative"' in html
    # A layer without times carries none.
    plain = storymap.load(GEODATA).add_layer(points, "Plain").to_html()
    assert "time" not in next(iter(payloads(plain).values())) and "time" not in overlays(plain)[0]


def test_time_takes_datetimes_text_and_values_in_any_order():
    points = dated_points(50)
    as_datetimes = pd.to_datetime(points["when"])
    a = storymap.load(GEODATA).add_layer(points, "A", time="when", time_mode="window").to_html()
    b = storymap.load(GEODATA).add_layer(points.assign(when=as_datetimes), "A", time="when",
                                         time_mode="window").to_html()
    c = storymap.load(GEODATA).add_layer(points, "A", time=as_datetimes.to_numpy(), time_mode="window").to_html()
    assert payloads(a) == payloads(b) == payloads(c)
    assert overlays(a)[0]["time"] == "window"


def test_feature_days_are_the_day_as_written():
    values = pd.Series(["2024", "2024-05", "2024-05-13T23:30-05:00", "2024-05-13 10:00", None, "", " ",
                        dt.datetime(2020, 1, 2, 23, 59), dt.date(2021, 3, 4), pd.NaT, float("nan")], dtype=object)
    found, bad = feature_days(values)
    assert bad == []
    assert found.tolist() == [days("2024-01-01"), days("2024-05-01"), days("2024-05-13"), days("2024-05-13")] + \
        [MISSING_DAY] * 3 + [days("2020-01-02"), days("2021-03-04"), MISSING_DAY, MISSING_DAY]
    # A datetime with a time zone counts on its own calendar day, not on UTC's.
    zoned = pd.to_datetime(pd.Series(["2024-05-13T23:30-05:00", None]), utc=True).dt.tz_convert("America/Panama")
    assert feature_days(zoned)[0].tolist() == [days("2024-05-13"), MISSING_DAY]


def test_the_way_out_for_years_as_numbers_works():
    # Years as numbers, one missing (so pandas holds floats) and one before 1000. Before: the error
    # advised frame["year"].astype(str), which gives '2024.0' and '44', refused in turn.
    points = dated_points(4)
    points["year"] = [2024, None, 44, 1999]
    story = storymap.load(GEODATA)
    with pytest.raises(StoryError) as info:
        story.add_layer(points, "Years", time="year")
    advice = re.search(r"\(e\.g\. (frame\[.*\))\), or convert", str(info.value)).group(1)
    points["year"] = eval(advice, {"frame": points})  # noqa: S307 (the message's expression, run as a user would)
    story.add_layer(points, "Years", time="year")
    found, bad = feature_days(points["year"])
    assert bad == [] and found.tolist() == [days("2024-01-01"), MISSING_DAY, days("0044-01-01"), days("1999-01-01")]


def test_times_on_undated_steps_only_are_a_warning():
    # Before: time= on steps without a date or a period filtered nothing, silently.
    story = storymap.load(GEODATA)
    with pytest.warns(UserWarning, match=r"^layer 'Dated': time= changes nothing: none of its steps "
                                         r"\('trafficking-routes', 'what-lies-ahead'\) has a date or a period"):
        story.add_layer(dated_points(20), "Dated", steps=["trafficking-routes", "what-lies-ahead"], time="when")
    undated = storymap.Story(story.data.model_copy(update={"steps": [
        s.model_copy(update={"date": None, "period": None}) for s in story.data.steps]}))
    with pytest.warns(UserWarning, match=r"none of the story's steps has a date or a period"):
        undated.add_layer(dated_points(20), "Dated", time="when")
    with warnings.catch_warnings():  # one dated step is enough
        warnings.simplefilter("error")
        story.add_layer(dated_points(20), "Also dated", steps=["trafficking-routes", "overview"], time="when")
        story.add_layer(dated_points(20), "Everywhere", time="when")


def test_times_as_a_series_on_another_index_are_refused():
    # A frame filtered (index 10, 20, ...) and times made apart (index 0, 1, ...): matched by index,
    # as explore matches them, no feature had a time. Before: every feature undated, silently.
    points = dated_points(5).set_axis([10, 20, 30, 40, 50])
    story = storymap.load(GEODATA)
    with pytest.raises(StoryError) as info:
        story.add_layer(points, "Dated", time=pd.Series(["2024-05-13"] * 5))
    assert str(info.value) == (
        "layer 'Dated' time: the Series' index has no 10 (the data's index: 10, 20, 30, ...): its values are matched "
        "to features by index, and those features would have none; give the values in the data's order "
        "(values.to_numpy()) or on its index (values.set_axis(gdf.index))")
    with pytest.raises(StoryError, match="^layer 'Coloured' column: the Series' index has no 10 "):
        story.add_layer(points, "Coloured", column=pd.Series(range(5)))
    # The same index in another order is matched as it should be.
    story = storymap.load(GEODATA)
    story.add_layer(points, "Reordered", time=pd.Series(["2001", "2002", "2003", "2004", "2005"],
                                                       index=[50, 40, 30, 20, 10]), tooltip="name")
    data = next(iter(payloads(story.to_html()).values()))
    found = dict(zip(column(data, "name"), (data["time"]["t0"] + d for d in data["time"]["d"])))
    assert found == {name: days(f"200{5 - i}-01-01") for i, name in enumerate(points["name"])}


def test_time_errors_name_the_keyword_and_the_way_out():
    points = dated_points(40)
    story = storymap.load(GEODATA)

    def message(**keywords) -> str:
        with pytest.raises(StoryError) as info:
            story.add_layer(points, "Dated", **keywords)
        return str(info.value)

    assert message(time="wen") == ("layer 'Dated' time: unknown column 'wen'; did you mean 'when'? the data has: "
                                   "name, kind, unused, when")
    broken = points.copy()
    broken.loc[broken.index[3], "when"] = "yesterday"
    broken.loc[broken.index[5], "when"] = "2024-02-30"
    with pytest.raises(StoryError) as info:
        story.add_layer(broken, "Dated", time="when")
    assert str(info.value) == (
        "layer 'Dated' time: not a date: 'yesterday' (row 3), '2024-02-30' (row 5); expected datetimes, dates, "
        "or ISO 8601 text (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss][±hh:mm]), or None for a feature "
        "without one")
    assert "numbers are not dates: for years, write them as four-digit text (e.g. frame['unused']" in message(time="unused")
    assert message(time="when", time_mode="windows") == (
        "layer 'Dated' time_mode: unknown time mode 'windows'; did you mean 'window'? expected 'cumulative' (at each "
        "dated step, the features dated up to its end) or 'window' (only those inside the step's date or period)")
    assert message(time_mode="window") == (
        "layer 'Dated' time_mode: time_mode applies to a layer with times: name the column of each feature's date "
        "with time= (e.g. time=\"date\")")
    assert message(time=["2024"] * 3) == ("layer 'Dated' time: 3 values for 40 features; give one value per "
                                          "feature, or a column name")
    with pytest.raises(StoryError) as info:
        story.add_layer(folium.Marker([9, -79.5]), "Pin", time="when")
    assert str(info.value).startswith("layer 'Pin' time: time names the column of each feature's date in geodata")
    assert "time" in storymap.layers.KEYWORDS and "time_mode" in storymap.layers.KEYWORDS


# The Panama story ---------------------------------------------------------------------------------

#: The dates its steps carry, from the sources listed in geodata/RESEARCH.md ("Step dates").
PANAMA_TIMES = {
    "overview": ("date", "2025-02"),
    "first-talks": ("date", "2025-02-18"),
    "jcet-training": ("date", "2025-02-19"),
    "border-service": ("period", "2008–2025"),
    "trafficking-routes": None,
    "the-canal": ("period", "1914–2016"),
    "panamax-alpha": ("period", "2007–2025"),
    "belt-and-road": ("period", "1997–2026"),
    "fuerzas-comando-2024": ("period", "2024-05-12/2024-05-24"),
    "memorandum-and-challenges": ("date", "2025-02-18"),
    "what-lies-ahead": None,
}


def test_the_panama_steps_carry_their_sourced_dates():
    steps = storymap.load(GEODATA).steps
    found = {s.id: ("date", s.date) if s.date else ("period", s.period) if s.period else None for s in steps}
    assert found == PANAMA_TIMES
    research = (GEODATA / "RESEARCH.md").read_text("utf-8").split("## Step dates", 1)[1].split("\n## ", 1)[0]
    for sid in PANAMA_TIMES:
        assert f"`{sid}`" in research, sid
    # The Spanish edition carries no dates: they are not text to translate.
    spanish = _toml(GEODATA / "story.es.toml").get("steps", {})
    assert spanish and not any({"date", "period"} & set(texts) for texts in spanish.values())


def _toml(path: Path) -> dict:
    import tomllib

    return tomllib.loads(path.read_text("utf-8"))


@pytest.mark.parametrize(("ends", "lang", "text"), [
    (("2025-02-18",), "en", "Feb 18, 2025"),
    (("2025-02-18",), "es", "18 feb 2025"),
    (("2024-05-12", "2024-05-24"), "fr", "12–24 mai 2024"),
    (("2024-05-12", "2024-05-24"), "ja", "2024年5月12日～24日"),
    (("2024-05", "2024-07"), "pt-BR", "mai. – jul. de 2024"),
    (("2008", "2025-03"), "es", "2008–mar 2025"),  # ends given to different precision: each its own way
    (("2008", "2025"), "qq-zz", "2008–2025"),  # a language CLDR does not know: the ISO text
    (("2008-05-01",), "not a tag!", "2008-05-01"),
])
def test_a_step_date_is_written_the_way_its_language_writes_it(ends, lang, text):
    assert re.sub("[\u2009\u202f]", " ", span_label(ends, lang)) == re.sub("[\u2009\u202f]", " ", text)


@pytest.mark.parametrize(("end", "lang", "text"), [
    ("2024-05-13", "en", "2024"), ("0043", "en", "43"), ("0060-06", "es", "60"), ("2024", "ja", "2024年"),
    ("0122", "zh", "122年"), ("0043", "qq-zz", "43"),  # a language CLDR does not know: the year as a number
])
def test_a_year_under_a_timeline_mark_is_written_the_way_its_language_writes_a_year(end, lang, text):
    assert year_label(end, lang) == text
