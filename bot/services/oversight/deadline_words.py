"""A rectification order's deadline as inspectors type it in Chinese, made readable for
order_drafts.parse_deadline: numbers in Chinese numerals as digits (三天内, 二十四小时内,
明天下午三点半), the night's words (夜里, 夜裡, 半夜, 深夜, 夜间) as 晚上, and 凌晨 (the small
hours of the day named) dropped before its hour; and spans of hours, days or weeks from the
order's start (24小时内, 24时内, 3日内, 一周内, within 36 hours)."""

from __future__ import annotations

import datetime as dt
import re

from bot.errors import DomainError, ErrorCode
from bot.services.schedule import timespec

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL_CHARS = "".join(_DIGITS) + "十百"
_NUMERAL_RUN = re.compile(f"[{_NUMERAL_CHARS}]+")
_DIGIT = f"[{''.join(_DIGITS)}]"
# 三, 十, 十二, 二十, 二十四, 一百, 一百二十, 一百零五: a number as written in words (三四, two
# numbers at once, is none).
_NUMBER = re.compile(rf"^(?:({_DIGIT})百零?)?(?:({_DIGIT})?(十))?({_DIGIT})?$")
_NIGHT = re.compile(r"夜里|夜裡|夜间|夜間|半夜|深夜")
# The small hours: 凌晨1点 is 1:00 of the day named. A later hour is no 凌晨 hour: the word stays,
# and the time is refused as a slip.
_SMALL_HOURS = re.compile(r"凌晨\s*(?=(\d{1,2})\s*(?:[点點时時]|:))")
SMALL_HOURS_LAST = timespec.SMALL_HOURS_LAST
# 凌晨 before a later hour ending the text (凌晨8点, 明天凌晨8点前): a slip, refused, as a
# shift's time refuses it (timespec).
_LATE_SMALL_HOUR = re.compile(
    r"凌晨\s*\d{1,2}\s*(?:[点點时時](?:半|\d{1,2}\s*分?)?|:\d{2})\s*"
    r"(?:之前|以前|前|为止|為止|整)?$"
)
# What is shaped as a deadline's time or span, with numbers in digits or words: with a number
# that cannot be read (三四点, two hours at once) it is refused, not taken for the problem.
_SHAPED = re.compile(
    r"^(?:今天|今日|明天|明日|后天|後天|今晚|明晚|明早)?\s*"
    r"(?:上午|下午|中午|早上|早晨|傍晚|晚上|凌晨)?\s*"
    rf"[\d{_NUMERAL_CHARS}]+\s*(?:[点點时時](?:半|[\d{_NUMERAL_CHARS}]+\s*分?)?"
    r"|(?:个|個)?(?:小时|小時|天|日|周|週|星期))\s*"
    r"(?:以内|以內|之内|之內|内|內|后|後|前|之前|以前)?$"
)

# "Within" or "on" around a count, as a deadline is written: 限24小时内, 3天以内, 2天后, within 36
# hours, in 2 days (not 2天前, "2 days ago", which is text). 时 (24时内) and 日 (3日内) count
# only with 内: alone, 24时 is a time and 3日 a day of the month.
_BEFORE = r"^(?:限\s*|(?:within|in)\s+)?(\d{1,3})\s*"
_AFTER = r"(?:\s*(?:以内|以內|之内|之內|内|內|后|後))"
_SPANS = (
    (re.compile(rf"{_BEFORE}(?:(?:h|小时|小時|个小时|個小時|hours?){_AFTER}?)?$", re.I), 1),
    (re.compile(rf"{_BEFORE}(?:时|時){_AFTER}$"), 1),
    (re.compile(rf"{_BEFORE}(?:d|天|days?){_AFTER}?$", re.I), 24),
    (re.compile(rf"{_BEFORE}日{_AFTER}$"), 24),
    (re.compile(rf"{_BEFORE}(?:周|週|个星期|個星期|星期|weeks?){_AFTER}?$", re.I), 24 * 7),
)
# The end of a time after a day (18点, 18点半, 18点30分, 18:30), nothing after it: 周五18点
# 有人占道 is a problem (people block the road on Fridays at 18:00), not a deadline to fix.
_CLOCK = r"(?:\s*[点點时時](?:钟|鐘|半|\s*\d{1,2}\s*分?)?|:\d{2})?"
# A day of the month and a time (3日18点, 3号 下午6点): read on the next such day.
# What follows must be a time (3号楼2单元, building 3, is the problem).
_DAY_OF_MONTH = re.compile(
    rf"^(\d{{1,2}})\s*[日号號]\s*((?:上午|下午|中午|早上|早晨|傍晚|晚上|晚)?\s*\d{{1,2}}{_CLOCK})$"
)
# A day of the week and a time (周五18点, 星期五下午6点, 下周一 9:00), its numeral read as a digit
# (周5): read on the next such day; 下周 names next week's, 本周 or 这周 this week's.
_WEEK = r"(下|本|这|這)?\s*(?:周|週|星期|礼拜|禮拜)"
_WEEKDAY_WORD = re.compile(r"((?:周|週|星期|礼拜|禮拜))\s*([一二三四五六日天])")
_WEEKDAY_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
# The days of the week in English (friday 18:00, Fri at 18:00), read as 周5 is; this friday as
# 本周5, next friday as 下周5 (next week's, as 下周五).
_ENGLISH_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ENGLISH_DAY = re.compile(
    r"\b(?:(this|next)\s+)?(mon|tue|wed|thu|fri|sat|sun)(?:day|s|sday|nesday|rs|rsday|urday)?\b"
    r"\.?(?:\s+at\b)?",
    re.IGNORECASE,
)
_ENGLISH_WEEK = {"this": "本", "next": "下"}
_WEEKDAY = re.compile(
    rf"^{_WEEK}([1-7])\s*((?:上午|下午|中午|早上|早晨|傍晚|晚上|晚)?\s*\d{{1,2}}{_CLOCK})$"
)
_WEEKDAY_REST = re.compile(rf"^{_WEEK}[1-7]\s*(.+)$")
# A day of the week alone or with the part of the day (周五, 下周一上午): half a deadline.
_WEEKDAY_ALONE = re.compile(
    rf"^{_WEEK}[1-7]\s*(?:上午|下午|中午|早上|早晨|傍晚|晚上|凌晨|morning|afternoon|evening|night)?$",
    re.IGNORECASE,
)
# A week without its day (本周内, 这周之内, 周末, 下周): a deadline without its day and time.
_WEEK_ALONE = re.compile(
    r"^(?:下|本|这|這)?\s*(?:周|週|星期|礼拜|禮拜)\s*末?\s*(?:以内|以內|之内|之內|内|內)?$"
)
# A date or a day of the month and the part of the day, without its time (3日下午, 12月3日晚上).
_DAY_AND_PART = re.compile(r"^(.+?)\s*(?:上午|下午|中午|早上|早晨|傍晚|晚上|凌晨)$")
_DAY_ALONE = re.compile(r"^\d{1,2}\s*[日号號]$")
# Half a day: 12 hours.
_HALF_DAY = re.compile(rf"^(?:限\s*)?半天{_AFTER}?$")
# Working days (3个工作日内) skip weekends and holidays the bot does not know: asked again, for
# days or a date and time.
_WORKING_DAYS = re.compile(rf"{_BEFORE}(?:个|個)?工作日{_AFTER}?$")
# 3日 or 3日前 alone: the 3rd of the month or 3 days, a day without its time either way.
_DAY_OR_DAYS = re.compile(r"^\d{1,2}\s*[日号號]\s*(?:前|之前|以前)?$")
_DAYS_MOST = 99  # more days than this is a slip of the keyboard, as 3 digits of hours are not


def number(word: str) -> int | None:
    """A number written in Chinese numerals (三, 两, 十二, 九十九, 一百零五); None otherwise."""
    match = _NUMBER.match(word)
    if match is None or not word:
        return None
    hundreds, tens_digit, ten, ones = match.groups()
    value = _DIGITS[hundreds] * 100 if hundreds else 0
    if ten:
        value += (_DIGITS[tens_digit] if tens_digit else 1) * 10
    if ones:
        value += _DIGITS[ones]
    return value


def _english_day(match: re.Match[str]) -> str:
    week = _ENGLISH_WEEK.get((match.group(1) or "").lower(), "")
    return f"{week}周{_ENGLISH_DAYS.index(match.group(2).lower()) + 1} "


def readable(text: str) -> str:
    """The text with its Chinese numerals as digits, the night's words as 晚上 and 凌晨 before a
    small hour dropped. A text shaped as a deadline whose number cannot be read is refused."""
    unread: list[str] = []

    def digits(match: re.Match[str]) -> str:
        value = number(match.group(0))
        if value is None:
            unread.append(match.group(0))
            return match.group(0)
        return str(value)

    # The day of a week first (周五 as 周5, apart from the hour after it: 周五18点 is no 518).
    text = _WEEKDAY_WORD.sub(lambda m: f"{m.group(1)}{_WEEKDAY_NUMBER[m.group(2)]} ", text)
    text = _ENGLISH_DAY.sub(_english_day, text)
    converted = _NUMERAL_RUN.sub(digits, text)
    if unread and _SHAPED.match(converted):
        raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)
    converted = _NIGHT.sub("晚上", converted)

    def small_hours(match: re.Match[str]) -> str:
        return "" if int(match.group(1)) <= SMALL_HOURS_LAST else match.group(0)

    converted = _SMALL_HOURS.sub(small_hours, converted)
    if _LATE_SMALL_HOUR.search(converted):
        raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)
    return converted


def span(text: str) -> dt.timedelta | None:
    """Hours, days or weeks from the order's start (36, 36h, 24小时内, 24时内, 3天, 3日内, 一周内,
    半天内); None for any other text. A span of none, or of working days, is refused."""
    if _DAY_OR_DAYS.match(text) or _WORKING_DAYS.match(text):
        raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)
    if _HALF_DAY.match(text):
        return dt.timedelta(hours=12)
    for pattern, hours in _SPANS:
        match = pattern.match(text)
        if match is None:
            continue
        count = int(match.group(1))
        if count <= 0 or (hours >= 24 and count > _DAYS_MOST):
            raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)
        return dt.timedelta(hours=count * hours)
    return None


def with_month(text: str, today: dt.date) -> str:
    """3日18点 (a day of the month and a time) as the date of the next such day from `today`
    and the time, 2026-12-03 18点; any other text as it is. A day no month has is refused."""
    match = _DAY_OF_MONTH.match(text)
    if match is None:
        return text
    day = int(match.group(1))
    for months_on in range(3):  # this month, the next, or the one after (for a 31st)
        year, month = divmod(today.month - 1 + months_on, 12)
        try:
            candidate = dt.date(today.year + year, month + 1, day)
        except ValueError:
            continue
        if candidate >= today:
            return f"{candidate.isoformat()} {match.group(2)}"
    raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)


def day_and_part(text: str, today: dt.date) -> bool:
    """Whether the text is a date or a day of the month and the part of a day, without its
    time (3日下午, 12月3日晚上, 12-03 上午): a deadline half typed, as 明天下午 is."""
    match = _DAY_AND_PART.match(text)
    if match is None:
        return False
    day = match.group(1)
    return bool(_DAY_ALONE.match(day)) or timespec.parse_date(day, today, nearest=True) is not None


def with_weekday(text: str, today: dt.date) -> str:
    """周5 18点 (a day of the week and a time, as `readable` leaves it) as the date of the next
    such day from `today` (today's included) and the time; 下周5 18点 as next week's, 本周5 18点
    as this week's; any other text as it is."""
    match = _WEEKDAY.match(text)
    if match is None:
        return text
    which, number, time = match.groups()
    weekday = int(number) - 1
    if which is None:
        ahead = (weekday - today.weekday()) % 7
    else:
        ahead = weekday - today.weekday() + (7 if which == "下" else 0)
    return f"{(today + dt.timedelta(days=ahead)).isoformat()} {time}"


def rolls_on(text: str) -> bool:
    """Whether a day typed as `text` (a day of the month, a day of the week named alone) means
    the next such day when that time of today is past, as a time alone does: not 下周5 or 本周5,
    which name their week."""
    match = _WEEKDAY.match(text)
    return match is None or match.group(1) is None


def weekday_alone(text: str) -> bool:
    """Whether the text is a day of the week without its time (周5, 下周1上午), or a week
    without its day (本周内, 周末, 下周)."""
    return _WEEKDAY_ALONE.match(text) is not None or _WEEK_ALONE.match(text) is not None


def weekday_slip(text: str) -> str | None:
    """What follows a day of the week that `with_weekday` could not read as its time (6pm in
    周5 6pm), for the caller to refuse when it is shaped as a time; None for other text."""
    match = _WEEKDAY_REST.match(text)
    if match is None or _WEEKDAY.match(text):
        return None
    return match.group(2)
