"""Reading the dates, times and weekday patterns people type or put in a spreadsheet.

Each parser returns None for text it cannot read, so callers choose their own refusal (a chat
reply, or a row error of an import)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from bot.services.people import names

WEEKDAY_TOKENS: dict[str, int] = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
}
ALL_DAYS = frozenset(range(7))
# A written year further than this from today is a slip of the keyboard (0001, 9999), and date
# arithmetic near either end of the calendar overflows.
YEARS_AROUND_TODAY = 10
NAMED_DAYS = {
    "daily": ALL_DAYS,
    "every day": ALL_DAYS,
    "每天": ALL_DAYS,
    "每日": ALL_DAYS,
    "weekdays": frozenset(range(5)),
    "工作日": frozenset(range(5)),
    "weekend": frozenset({5, 6}),
    "周末": frozenset({5, 6}),
    "週末": frozenset({5, 6}),
}
_DATE = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号號]?$")
_TIME = re.compile(r"^(\d{1,2})[:：.]?(\d{2})$")
# 7点30, 7点30分, 7点, 7点半, 下午5点, 凌晨5点, 7時30分 (as people write times in Chinese).
_CHINESE_TIME = re.compile(
    r"^(凌晨|上午|早上|早晨|中午|下午|傍晚|晚上)?\s*(\d{1,2})\s*[点點时時]\s*(?:(\d{1,2})\s*分?|(半))?$"
)
_AFTERNOON = ("中午", "下午", "傍晚", "晚上")
# 凌晨 names the small hours, up to this one (凌晨6点半), and midnight (凌晨12点), as a
# rectification order's deadline reads it (oversight/deadline_words): 凌晨8点 is a slip, refused.
SMALL_HOURS_LAST = 6
# The hour alone before the dash of a range written the Chinese way, 7-9点 or 下午5-7点: it takes
# the 点 of the time after it.
_BARE_HOUR = re.compile(r"^(?:凌晨|上午|早上|早晨|中午|下午|傍晚|晚上)?\s*\d{1,2}$")
# The midnight that ends a day, as a shift's end is written: 24:00, 2400, 24点, 晚上12点. It is
# read as 00:00, which no shift can otherwise end at on the day it starts, and placed at the
# start of the next day (`end_instant`).
END_OF_DAY = dt.time(0, 0)
_END_OF_DAY = re.compile(
    r"^(?:(?:晚上|夜里|夜裡)\s*)?24\s*(?:[:：.]?\s*00(?::00)?|[点點时時](?:\s*0{1,2}\s*分?)?)$"
    r"|^(?:晚上|夜里|夜裡)\s*12\s*[点點时時]$"
)
# Between the two times of a range: a hyphen or any dash people type, doubled or not ("——" is
# Shift and minus in a Chinese input method; full-width "－" and "～" are ASCII once `_plain`
# has read them), the wave dash, 至 or 到.
_RANGE_SEPARATORS = re.compile(r"\s*(?:[-‐‑‒–—―−~〜～]+|至|到)\s*")


# Between the two days of a typed range: 12-01 12-07, 12-01至12-07, 12月1日到12月7日, 12-01 ~ 12-07,
# 12-01 - 12-07, 12-01 to 12-07, and the other dashes a time range takes (12-01〜12-07, the
# horizontal bar, the minus sign; a day itself holds hyphens, so only a hyphen with spaces on
# both sides parts two days; or one that no day holds: right after 日/号 as in 12月1日-12月7日,
# or between days written with slashes or dots, 12/01-12/07, 2026.12.01-2026.12.07).
_DAY_RANGE_SEPARATORS = re.compile(
    r"\s+(?:to|until|till)\s+|\s*(?:至|到|~|〜|—|–|―|−)\s*|\s+-\s+"
    r"|(?<=[日号號])\s*-\s*|(?:(?<=[/.]\d)|(?<=[/.]\d\d))-(?=\d{1,4}[/.])|\s+",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    """Full-width digits and punctuation as typed with a Chinese input method (１２－０５, ７：３０)
    in their ASCII forms, so one pattern reads both."""
    return unicodedata.normalize("NFKC", text).strip()


# A day without its year up to this long before the day it is read from is that past day, not
# next year's: 11-30 typed on 12-01 is a slip or yesterday (refused as past by the caller).
RECENT_PAST = dt.timedelta(days=31)


def parse_date(
    text: str,
    today: dt.date,
    *,
    nearest: bool = False,
    recent_past: bool = False,
    lean_past: bool = False,
) -> dt.date | None:
    """2026-12-01, 2026/12/1, 2026年12月1日, or a day without its year: 12-01, 12月1日 (the next
    such day from `today`; with `nearest`, the such day closest to `today`, which may be past:
    the end of a range is read so from its start, and one before it is a range typed
    backwards; with `recent_past`, the next such day unless one was within RECENT_PAST before
    `today`; with `lean_past`, the such day closest to `today` unless that is more than
    RECENT_PAST ahead, then the latest one up to `today`, as /export, which takes no day to come,
    reads one: 06-01 in December is this June, not next June, which is nearer; 12-09 on 8
    December stays the day to come, refused as such)."""
    match = _DATE.match(_plain(text))
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        if year is not None:
            if abs(int(year) - today.year) > YEARS_AROUND_TODAY:
                return None
            return dt.date(int(year), int(month), int(day))
        if lean_past:
            closest = _nearest(int(month), int(day), today)
            if closest is not None and closest - today <= RECENT_PAST:
                return closest
            # Back to the last 29 February for that day typed in a year without one.
            gone = (
                _such_day(y, int(month), int(day)) for y in range(today.year, today.year - 5, -1)
            )
            return next((such for such in gone if such is not None and such <= today), None)
        if nearest:
            return _nearest(int(month), int(day), today)
        if recent_past:
            past = [
                such
                for such in (
                    _such_day(y, int(month), int(day)) for y in (today.year - 1, today.year)
                )
                if such is not None and today - RECENT_PAST <= such < today
            ]
            if past:
                return past[-1]
    except ValueError:
        return None
    # The next such day: 02-29 typed in a year that has none is the next leap year's.
    coming = (_such_day(y, int(month), int(day)) for y in range(today.year, today.year + 5))
    return next((such for such in coming if such is not None and such >= today), None)


def parse_day_range(
    text: str, today: dt.date, *, recent_past: bool = False, lean_past: bool = False
) -> tuple[dt.date, dt.date] | None:
    """A typed range of days, as /rotate, /broadcast, /unavailable and /export read one: one day
    or two, parted as `_DAY_RANGE_SEPARATORS` says. The first is read from `today` (`recent_past`
    and `lean_past` as `parse_date` has them: /export, which wants past days, leans to the past
    one), the end is the such day nearest the first, so 12-28 01-03 crosses the new
    year and 12-10 11-05 is backwards (the caller refuses it). None: not a range, nor one with
    its end (or start) missing (12-05 至: the end was forgotten, not one day meant)."""
    # Invisible marks pasted with it (a zero-width space, a direction mark) are dropped first,
    # as /unavailable and names drop them.
    split = _DAY_RANGE_SEPARATORS.split(_plain(names.plain(text)))
    if not split[0] or not split[-1]:
        return None
    parts = [part for part in split if part]  # 12-07——12-13: a doubled dash parts once
    if not 1 <= len(parts) <= 2:
        return None
    first = parse_date(parts[0], today, recent_past=recent_past, lean_past=lean_past)
    if first is None:
        return None
    last = parse_date(parts[-1], first, nearest=True)
    return (first, last) if last is not None else None


def _such_day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None  # 29 February of a year that has none


def _nearest(month: int, day: int, today: dt.date) -> dt.date | None:
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue  # 29 February of a year that has none
    return min(candidates, key=lambda candidate: abs(candidate - today), default=None)


def parse_time(text: str) -> dt.time | None:
    """07:00, 7:00, 0700, 07：00 (full-width colon), 07:00:00, or 7点30, 7点半, 下午5点."""
    cleaned = _plain(text)
    if len(cleaned) > 5 and cleaned.count(":") == 2 and cleaned.endswith(":00"):
        cleaned = cleaned[:-3]  # 07:00:00 as spreadsheets write it
    match = _TIME.match(cleaned)
    if match is not None:
        hours, minutes = int(match.group(1)), int(match.group(2))
    else:
        chinese = _CHINESE_TIME.match(cleaned)
        if chinese is None:
            return None
        part, hour_text, minute_text, half = chinese.groups()
        hours = int(hour_text)
        minutes = 30 if half else int(minute_text or 0)
        if part == "晚上" and hours == 12:
            return None  # the midnight that ends the day: an end (parse_end_time), not noon
        if part in _AFTERNOON and hours < 12 and not (part == "中午" and hours >= 11):
            hours += 12
        elif part == "凌晨" and hours == 12:
            hours = 0  # the small hours: 凌晨12点 is midnight, not noon
        elif part == "凌晨" and hours > SMALL_HOURS_LAST:
            return None
    if hours > 23 or minutes > 59:
        return None
    return dt.time(hours, minutes)


def parse_end_time(text: str) -> dt.time | None:
    """A shift's end: as `parse_time` reads a time, and 24:00 (2400, 24点, 晚上12点) as the
    midnight that ends the day, END_OF_DAY."""
    if _END_OF_DAY.match(_plain(text)):
        return END_OF_DAY
    return parse_time(text)


def ends_after(start: dt.time, end: dt.time) -> bool:
    """Whether a shift of these times ends after it starts, on its day or at the midnight that
    ends it (00:00 to 24:00 is the whole day; `same_midnight` tells the typed 00:00 to 00:00,
    which is no shift)."""
    return end > start or end == END_OF_DAY


def same_midnight(start: dt.time, end_text: str) -> bool:
    """Whether a start of 00:00 and an end typed as 00:00 (not 24:00) name one midnight twice:
    no shift, where 00:00 to 24:00 is the whole day."""
    return start == END_OF_DAY and not _END_OF_DAY.match(_plain(end_text))


def end_text(end: dt.time) -> str:
    """An end of the day's own times as people write it: END_OF_DAY is 24:00 (22:00–24:00, not
    22:00–00:00, which reads as ending before it starts)."""
    return "24:00" if end == END_OF_DAY else f"{end:%H:%M}"


def end_instant(day: dt.date, end: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant a shift of `day` ends: END_OF_DAY is the midnight after the day."""
    if end == END_OF_DAY:
        day += dt.timedelta(days=1)
    return local_instant(day, end, zone)


def parse_time_range(text: str) -> tuple[dt.time, dt.time] | None:
    """07:00-09:00, 7点到9点, 7-9点; 下午5点到7点 (下午5-7点) reads the second time in the afternoon
    too; an end of 24:00 is END_OF_DAY."""
    parts = _RANGE_SEPARATORS.split(_plain(text))
    if len(parts) != 2:
        return None
    if _BARE_HOUR.match(parts[0]) and _CHINESE_TIME.match(parts[1]):
        parts[0] += "点"
    first = _CHINESE_TIME.match(parts[0])
    second = _CHINESE_TIME.match(parts[1])
    # 凌晨 stays on the first time: 凌晨5-7点 ends at 7, and 凌晨0-24点 at the day's end.
    part = first.group(1) if first is not None else None
    if part not in (None, "凌晨") and second is not None and not second.group(1):
        parts[1] = f"{part}{parts[1]}"
    start, end = parse_time(parts[0]), parse_end_time(parts[1])
    if start is None or end is None or (end == END_OF_DAY and same_midnight(start, parts[1])):
        return None
    return start, end


def _weekday(token: str) -> int | None:
    cleaned = token.strip().lower().removeprefix("周").removeprefix("星期").removeprefix("週")
    if cleaned in WEEKDAY_TOKENS:
        return WEEKDAY_TOKENS[cleaned]
    return WEEKDAY_TOKENS.get(cleaned[:3])


def parse_weekdays(text: str) -> frozenset[int] | None:
    """mon-fri, sat,sun, mon-wed,fri, 周一至周五, 週一至週五, daily / 每天, 工作日, 周末."""
    cleaned = _plain(text).lower()
    if cleaned in NAMED_DAYS:
        return NAMED_DAYS[cleaned]
    days: set[int] = set()
    for part in re.split(r"[,，、\s]+", cleaned):
        if not part:
            continue
        ends = _RANGE_SEPARATORS.split(part)
        if len(ends) == 1:
            day = _weekday(ends[0])
            if day is None:
                return None
            days.add(day)
        elif len(ends) == 2:
            first, last = _weekday(ends[0]), _weekday(ends[1])
            if first is None or last is None:
                return None
            day = first
            days.add(day)
            while day != last:
                day = (day + 1) % 7
                days.add(day)
        else:
            return None
    return frozenset(days) if days else None


def days_between(weekdays: frozenset[int], first: dt.date, last: dt.date) -> list[dt.date]:
    count = (last - first).days + 1
    every = (first + dt.timedelta(days=n) for n in range(max(count, 0)))
    return [day for day in every if day.weekday() in weekdays]


def local_instant(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant of a local wall-clock time on a day."""
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def local_day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = local_instant(day, dt.time(0, 0), zone)
    return start, local_instant(day + dt.timedelta(days=1), dt.time(0, 0), zone)
