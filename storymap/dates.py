"""Time in a story: the dates and periods of steps, and the times of a layer's features.

A step's ``date`` is a year, a month or a day (``2024``, ``2024-05``, ``2024-05-13``); its ``period``
runs from one such date to another (``2008–2025``, ``2008-2025``, ``2024-05/2024-07``). Either one
covers whole days: from the first day of its start to the last day of its end (``2024-05`` is
1–31 May 2024). The page gets them as *day numbers*, whole days since 1970-01-01, the compact
integers a data layer added with ``time=`` filters its features by (see :func:`feature_days`).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import functools
import re
from typing import Any, NamedTuple, Optional

import numpy as np
import pandas as pd

from .errors import short_repr

__all__ = ["Span", "parse_date", "parse_period", "step_span", "day_number", "feature_days", "span_label",
           "year_label", "DATE_FORMS", "TIME_MODES", "MISSING_DAY"]

#: How a date is written.
DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
#: How a layer added with ``time=`` follows the dated steps: the features dated up to the step's end
#: (``"cumulative"``), or only those inside the step's date or period (``"window"``).
TIME_MODES = ("cumulative", "window")
#: The day number of a feature without a time (in the page's encoding: no time).
MISSING_DAY = -(2 ** 31)

_EPOCH = _dt.date(1970, 1, 1)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEARS = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")
_BEFORE_YEAR_ONE = "a date before year 1 (BCE) cannot be written: dates run from 0001 to 9999"
_PERIOD_HINT = (f"expected START–END or START/END, each {DATE_FORMS} (e.g. 2008–2025, 2008-2025, "
                "2024-05/2024-07)")


class Span(NamedTuple):
    """A step's time: its first and last day (both included) and its ends as ISO text (one for a
    date, two for a period), e.g. ``("2024-05-12", "2024-05-24")``."""

    start: _dt.date
    end: _dt.date
    ends: tuple[str, ...]

    @property
    def days(self) -> tuple[int, int]:
        """The first and last day as day numbers (days since 1970-01-01)."""
        return day_number(self.start), day_number(self.end)

    @property
    def is_period(self) -> bool:
        return len(self.ends) == 2


#: The CLDR skeleton that writes a date given to the year, the month or the day.
_SKELETONS = {4: "y", 7: "yMMM", 10: "yMMMd"}


def span_label(ends: tuple[str, ...] | list[str], lang: str) -> str:
    """A step's date or period as ``lang`` writes it (CLDR, through Babel): ``Feb 18, 2025``,
    ``May 12 – 24, 2024``, ``12–24 may 2024``, ``2008–2025``; written at build time, so that the page
    needs no ``Intl`` (whose first use costs the browser tens of milliseconds while the page loads).
    A language CLDR does not know gets the ISO text (``2008–2025``)."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_interval, format_skeleton

    try:
        locale = Locale.parse(lang.replace("_", "-"), sep="-")
        days = [_dt.date(int(e[:4]), int(e[5:7] or 1), int(e[8:10] or 1)) for e in ends]
        first = _SKELETONS[len(ends[0])]
        if len(ends) == 1:
            return format_skeleton(first, days[0], locale=locale)
        if len(ends[0]) == len(ends[1]):
            return format_interval(days[0], days[1], first, locale=locale)
        return format_skeleton(first, days[0], locale=locale) + "–" + format_skeleton(
            _SKELETONS[len(ends[1])], days[1], locale=locale)
    except (UnknownLocaleError, ValueError, KeyError, TypeError):
        return "–".join(ends)


def year_label(end: str, lang: str) -> str:
    """The year of a date written ``YYYY(-MM(-DD))`` as ``lang`` writes a year alone (CLDR, through
    Babel): ``2024``, ``2024年``, ``44`` for ``0044`` (not the ISO text's four digits); a language
    CLDR does not know gets the year as a number (``44``). The timeline's marks show it."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_skeleton

    try:
        return format_skeleton("y", _dt.date(int(end[:4]), 1, 1), locale=Locale.parse(lang.replace("_", "-"), sep="-"))
    except (UnknownLocaleError, ValueError, KeyError, TypeError):
        return str(int(end[:4]))


def day_number(day: _dt.date) -> int:
    """Whole days since 1970-01-01."""
    return (day - _EPOCH).days


def _as_text(value: Any) -> Any:
    """A TOML date (``date = 2024-05-13``) or a year as a number (``date = 2024``) as text."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, np.datetime64) and not np.isnat(value):  # (a value taken out of a pandas column)
        unit = np.datetime_data(value.dtype)[0]
        return str(value.astype("datetime64[Y]" if unit == "Y" else "datetime64[M]" if unit == "M" else "datetime64[D]"))
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999:
        return f"{value:04d}"
    return value


def _era(value: Any) -> str:
    """Why a year given as a number below 1 cannot be a date, or ""."""
    before = isinstance(value, int) and not isinstance(value, bool) and value < 1
    return f"; {_BEFORE_YEAR_ONE}" if before else ""


def _bounds(text: str) -> Optional[tuple[_dt.date, _dt.date, str]]:
    """The first and last day of a date written YYYY, YYYY-MM or YYYY-MM-DD, and the date as
    written; None when it is not such a date."""
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    # (As ISO text in ASCII digits: a date typed with Arabic-Indic digits, ٢٠٢١-٠٣-٢٣, is read
    # as 2021-03-23, and the page, whose script reads ASCII digits, gets that.)
    text = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
    try:
        if month is None:
            return _dt.date(year, 1, 1), _dt.date(year, 12, 31), text
        if day is None:
            return _dt.date(year, month, 1), _dt.date(year, month, calendar.monthrange(year, month)[1]), text
        one = _dt.date(year, month, day)
        return one, one, text
    except ValueError:  # year 0, month 13, 30 February: see _out_of_range
        return None


def _out_of_range(text: str) -> str:
    """Why a day written YYYY-MM-DD, of a real month, is none (``day 30 is out of range for February
    2024, which has 29 days``), or "" (another mistake: the form is then what is explained)."""
    match = _DATE.match(text)
    if not match or match.group(3) is None:
        return ""
    year, month, day = (int(g) for g in match.groups())
    if year == 0 or not 1 <= month <= 12:
        return ""
    last = calendar.monthrange(year, month)[1]
    if 1 <= day <= last:
        return ""
    return f"day {day:02d} is out of range for {calendar.month_name[month]} {year:04d}, which has {last} days"


def _not_a_date(value: Any, text: str, expected: str) -> str:
    """Why ``value`` (read as ``text``) is not a date: a day out of its month, else ``expected``
    (with the date meant, where the form it was written in tells: :func:`_meant`)."""
    why = _out_of_range(text)
    return (f"{short_repr(value)} is not a date: {why}" if why else
            f"{short_repr(value)} is not a date; {expected}{_meant(text)}")


_LOOSE = re.compile(r"^(\d{4})([-/.])(\d{1,2})(?:\2(\d{1,2}))?$")  # 2024-5-3, 2024/05/03 (year first: one reading)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")            # 20240503
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")  # 13/05/2024, 13.05.2024, 05/13/2024
_DECADE = re.compile(r"^(\d{3}0)\'?s$")                          # 1970s
_SHORT_YEAR = re.compile(r"^(\d{3})(?:-(\d{2})(?:-(\d{2}))?)?$")  # 900, 900-05: four digits are 0900
# -0500, 0000 (no year 0), 500 BC, 44 BCE, 44 a.C., 44 a. C., 52 av. J.-C.
_BEFORE_COMMON_ERA = re.compile(r"^(?:-\d+(?:-\d{1,2}){0,2}|0000(?:-\d{2}){0,2}|\d+\s*(?:B\.?C\.?(?:E\.?)?|a\.\s?C\.|"
                                r"av\.\s?J\.-C\.))$", re.I)
# A month's name: a word or two (كانون الثاني), a Hebrew abbreviation's ׳ included (ינו׳). A year
# written out in Arabic may end with م, for the Gregorian calendar (2021م), and follow a comma، .
_NAME = r"[^\W\d_]+׳?(?:\s[^\W\d_]+)?"
_MONTH_YEAR = re.compile(rf"^({_NAME})\.?[,،]?\s+(\d{{4}})\s*م?$")       # May 2024, maio 2024, كانون الثاني 2021
# 13 May 2024, May 13, 2024, 13. Mai 2024, 23 مارس 2021 (and "3 de maio de 2024", its "de"s taken out first)
_DAY_MONTH_YEAR = re.compile(rf"^(?:(\d{{1,2}})\.?\s+({_NAME})\.?|({_NAME})\.?\s+(\d{{1,2}}))[,،]?\s+(\d{{4}})\s*م?$")
#: Languages whose month names a date written out is read in (CLDR's, through Babel): the ones
#: reporters write dates in most, beside English; Arabic with the names of the Levant and of the
#: Maghreb (كانون الثاني, جانفي), Hebrew, Persian, Japanese and Chinese.
_MONTH_LANGUAGES = ("pt", "es", "fr", "de", "it", "nl", "ca", "ar", "ar_SY", "ar_MA", "ar_DZ", "he", "fa", "ja", "zh")
#: A date written the Japanese, Chinese or Korean way, 1964年10月1日 (年 year, 月 month, 日 day), its
#: year perhaps one of a Japanese era or of the Republic of China's calendar (平成24年, 民國101年).
_YEAR_MONTH_DAY = re.compile(r"^(?:(?P<era>[^\W\d_]+?)\s*)?(?P<year>\d{1,4}|元)\s*[年년](?:\s*(?P<month>\d{1,2})\s*[月월]"
                             r"(?:\s*(?P<day>\d{1,2})\s*[日일])?)?$")
#: The first year of each of these eras, in the Gregorian calendar.
_ERAS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019, "民國": 1912, "民国": 1912}


@functools.lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    """Month names and abbreviations (lowercase, without their dot) → the month's number: English,
    then :data:`_MONTH_LANGUAGES`' (a name two languages give different months is left out). Read
    once, when a date written out is first met."""
    from babel.dates import get_month_names

    names = {name.lower(): i for table in (calendar.month_name, calendar.month_abbr) for i, name in enumerate(table) if name}
    clash: set[str] = set()
    for lang in _MONTH_LANGUAGES:
        for width in ("wide", "abbreviated"):
            for i, name in get_month_names(width, locale=lang).items():
                key = " ".join(name.lower().rstrip(".").split())  # (one space in كانون الثاني)
                if names.setdefault(key, i) != i:
                    clash.add(key)
    return {name: i for name, i in names.items() if name not in clash}


#: The words that join a date written out in Portuguese, Spanish, Catalan: "3 de maio de 2024".
_JOINS = re.compile(r"\s+(?:de|del|d')\s+", re.I)


def _iso(year: int, month: int, day: Optional[int] = None) -> str:
    """``YYYY-MM(-DD)``, or "" when no such month or day exists."""
    try:
        _dt.date(year, month, day or 1)
    except ValueError:
        return ""
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def _month(name: str) -> Optional[int]:
    """The month ``name`` stands for in :func:`_months`, or None. Hebrew writes a day's month with
    ב (``23 במרץ 2021``, in March): read without it."""
    key = " ".join(name.lower().split())
    return _months().get(key) or (_months().get(key[1:]) if key.startswith("ב") else None)


def _written_year_first(match: re.Match[str]) -> str:
    """The date meant by one written the Japanese, Chinese or Korean way (:data:`_YEAR_MONTH_DAY`),
    ``; did you mean …?``, with the Gregorian year of one of an era's."""
    era, month, day = match["era"], match["month"], match["day"]
    if era is not None and era not in _ERAS:
        return "; dates take the Gregorian year (YYYY), not an era's"
    year = 1 if match["year"] == "元" else int(match["year"])
    said = ""
    if era is not None:
        said = f"; dates take the Gregorian year: {era}{match['year']}年 is {_ERAS[era] + year - 1}"
        year += _ERAS[era] - 1
    candidate = _iso(year, int(month), int(day) if day else None) if month else f"{year:04d}" * (1 <= year <= 9999)
    return said + (f"; did you mean {candidate!r}?" if candidate else "")


def _meant(text: str) -> str:
    """The date ``text`` stands for, written as storymap reads it, for a writer who wrote it another
    way (``; did you mean '2024-05-13'?``), or "" when the form does not tell."""
    candidate = ""
    if _BEFORE_COMMON_ERA.match(text):  # (ISO 8601's year 0000 is 1 BCE)
        return f"; {_BEFORE_YEAR_ONE}"
    if match := _LOOSE.match(text):
        candidate = _iso(int(match[1]), int(match[3]), int(match[4]) if match[4] else None)
    elif match := _COMPACT.match(text):
        candidate = _iso(int(match[1]), int(match[2]), int(match[3]))
    elif match := _DAY_FIRST.match(text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        day_first, month_first = _iso(year, second, first), _iso(year, first, second)
        if day_first and month_first and first != second:  # 03/05/2024: 3 May or March 5?
            return (f"; write {day_first} for {first} {calendar.month_name[second]} {year}, "
                    f"{month_first} for {calendar.month_name[first]} {second}, {year}")
        candidate = day_first or month_first
    elif match := _SHORT_YEAR.match(text):
        candidate = _iso(int(match[1]), int(match[2] or 1), int(match[3]) if match[3] else None) and "0" + text
    elif match := _DECADE.match(text):
        return f"; a decade is a period: period = \"{match[1]}–{int(match[1]) + 9}\""
    elif match := _YEAR_MONTH_DAY.match(text):
        return _written_year_first(match)
    elif (match := _MONTH_YEAR.match(written := _JOINS.sub(" ", text))) and _month(match[1]):
        candidate = _iso(int(match[2]), _month(match[1]) or 0)
    elif match := _DAY_MONTH_YEAR.match(written):
        day, name = (match[1], match[2]) if match[1] else (match[4], match[3])
        if month := _month(name):
            candidate = _iso(int(match[5]), month, int(day))
    return f"; did you mean {candidate!r}?" if candidate else ""


def parse_date(value: Any) -> Span:
    """A step's ``date``: ``2024``, ``2024-05`` or ``2024-05-13`` (a TOML date and a year as a
    number are taken too).

    Raises
    ------
    ValueError
        Saying what is expected, e.g. ``'2024-13' is not a date; expected YYYY, YYYY-MM or YYYY-MM-DD``.
    """
    value = _as_text(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a date as text ({DATE_FORMS}), got {short_repr(value)}{_era(value)}")
    found = _bounds(value.strip())
    if found is None:
        raise ValueError(_not_a_date(value, value.strip(), f"expected {DATE_FORMS}"))
    start, end, text = found
    return Span(start, end, (text,))


def _split_period(text: str) -> Optional[tuple[str, str]]:
    for separator in ("–", "—", " - ", " to ", "/"):  # (a dash first: "13/05/2024–2025" holds both)
        if separator in text:
            first, _, second = text.partition(separator)
            return first.strip(), second.strip()
    years = _YEARS.match(text)
    return (years.group(1), years.group(2)) if years else None


def parse_period(value: Any) -> Span:
    """A step's ``period``: two dates (each ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) joined by an
    en dash (``2008–2025``), a slash (ISO 8601 intervals: ``2024-05/2024-07``) or, between years,
    a hyphen (``2008-2025``). Both ends are included: ``2008–2025`` runs to 31 December 2025.

    Raises
    ------
    ValueError
        Saying what is expected and which end is wrong, or that the period ends before it starts.
    """
    value = _as_text(value)
    if not isinstance(value, str):
        raise ValueError(f"{short_repr(value)} is not a period; {_PERIOD_HINT}{_era(value)}")
    parts = _split_period(value.strip())
    if parts is None:
        hint = "; a single date goes in `date`" if _bounds(value.strip()) else ""
        raise ValueError(f"{short_repr(value)} is not a period; {_PERIOD_HINT}{hint}")
    ends = []
    for part in parts:
        if not any(c.isdigit() for c in part):  # 2008–present, 2008–, 2008/.. (ISO 8601-2's open end)
            raise ValueError(f"{short_repr(value)} is not a period: {short_repr(part)} is no date, and an open "
                             "period cannot be placed on the timeline; write both ends as dates (for one still "
                             "going on, end it when the story is told: 2008–2025 in a story of 2025)")
        found = _bounds(part)
        if found is None:
            raise ValueError(f"{short_repr(value)} is not a period: {_not_a_date(part, part, _PERIOD_HINT)}")
        ends.append(found)
    (start, _, first), (_, end, last) = ends
    if end < start:
        raise ValueError(f"{short_repr(value)} ends before it starts; write the earlier date first")
    return Span(start, end, (first, last))


def step_span(date: Optional[str], period: Optional[str]) -> Optional[Span]:
    """The time of a step with this ``date`` or ``period`` (validated), or None."""
    if date is not None:
        return parse_date(date)
    if period is not None:
        return parse_period(period)
    return None


# Features ---------------------------------------------------------------------------------------

_FEATURE_TIME = re.compile(
    r"^(?P<date>\d{4}(?:-\d{2}(?:-\d{2})?)?)"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$")
FEATURE_FORMS = ("datetimes, dates, or ISO 8601 text (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss][±hh:mm])")


def feature_days(values: pd.Series) -> tuple[np.ndarray, list[tuple[int, Any]]]:
    """Each feature's day number: the calendar day of its time as written (a datetime with a time
    zone counts on its own day, not on UTC's; a month or a year counts from its first day).

    Returns the days (:data:`MISSING_DAY` where a value is missing: None, NaN, NaT or empty text)
    and the values that are not times, as ``(position, value)``.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)  # the wall-clock time, in its own zone
        dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        days = values.to_numpy(dtype="datetime64[D]")
        missing = np.isnat(days)
        out = np.where(missing, MISSING_DAY, days.astype(np.int64))
        return out.astype(np.int64), []
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):  # numbers are not times
        bad = [(i, v) for i, v in enumerate(values.tolist()) if not _is_missing(v)]
        return np.full(n, MISSING_DAY, dtype=np.int64), bad
    objects = values.to_numpy(dtype=object)
    texts = [""] * n  # each time's date as written, "" for none
    bad: list[tuple[int, Any]] = []
    match = _FEATURE_TIME.match
    for i, value in enumerate(objects.tolist()):
        if type(value) is str:  # the usual case first
            found = match(value.strip())
            if found:
                texts[i] = found.group("date")
            elif value.strip():
                bad.append((i, value))
        elif _is_missing(value):
            continue
        elif isinstance(value, (_dt.datetime, pd.Timestamp)):
            texts[i] = value.date().isoformat()
        elif isinstance(value, _dt.date):
            texts[i] = value.isoformat()
        elif isinstance(value, np.datetime64):
            texts[i] = str(value.astype("datetime64[D]"))
        else:
            bad.append((i, value))
    days = np.full(n, MISSING_DAY, dtype=np.int64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    texts = np.array(texts, dtype=object)
    for length in (4, 7, 10):  # YYYY, YYYY-MM, YYYY-MM-DD
        at = np.flatnonzero(lengths == length)
        if not len(at):
            continue
        # (numpy reads them as days, from year 0001 to 9999 alike: pandas before 2.0 counted in
        # nanoseconds, and refused a year before 1677.)
        try:
            parsed = np.array(texts[at].tolist(), dtype="datetime64[D]")
        except ValueError:  # a month or a day that does not exist: each read on its own
            parsed = np.array([_day(text) for text in texts[at].tolist()], dtype="datetime64[D]")
        wrong = np.isnat(parsed)
        bad += [(int(i), objects[i]) for i in at[wrong]]
        days[at[~wrong]] = parsed[~wrong].astype(np.int64)
    bad.sort(key=lambda item: item[0])
    return days, bad


def _day(text: str) -> np.datetime64:
    """``text`` (YYYY, YYYY-MM or YYYY-MM-DD) as a day, NaT where it names none."""
    try:
        return np.datetime64(text, "D")
    except ValueError:
        return np.datetime64("NaT", "D")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or (isinstance(value, str) and not value.strip()):
        return True
    try:
        return bool(isinstance(value, float) and np.isnan(value)) or (value is pd.NA)
    except TypeError:
        return False
