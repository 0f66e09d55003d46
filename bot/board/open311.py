"""Open data: a read-only Open311 GeoReport v2 endpoint (JSON) on the board's server.

- ``GET /open311/v2/services.json``: the services, one per kind of street report (随手拍) and
  one for rectification orders (整改令);
- ``GET /open311/v2/requests.json``: service requests with the standard filters
  (``service_request_id``, comma-separated, overriding the others; ``service_code``;
  ``start_date`` and ``end_date`` on the requested time, W3C format; ``status`` ``open`` or
  ``closed``), by default the last 90 days, at most 1,000, newest first;
- ``GET /open311/v2/requests/<id>.json``: one request.

Every call carries ``api_key``, one of OPEN311_API_KEYS: without a key configured the endpoint
does not exist (404), with a wrong or missing key the answer is 403 and no data. What it shows
is open data: never who reported a problem or issued an order, never a phone number or a licence
plate (digits in a description that look like a phone number are masked, and a plate but for
its first two characters), never a member's name typed into a description (masked), never a
covert check's order before the daily tally that publishes it, and no photo (``media_url`` is
left out: the photos live on Telegram, which gives them no public address).
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.board import data, open_data
from bot.board.open_data import PublicRequest, RequestFilter
from bot.db import failures
from bot.db.models import Category
from bot.i18n import LANGUAGES, Translator
from bot.runtime import Runtime

log = logging.getLogger(__name__)

PREFIX = "/open311/v2"
DEFAULT_SPAN = dt.timedelta(days=90)  # the spec's default window
LIMIT = 1000  # the spec's default limit
ORDER_SERVICE = "order"
REPORT_PREFIX = "report-"
HEADERS = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}
# A phone number typed into a description: 7 or more digits, maybe with +, spaces, dashes, dots,
# slashes or an area code in brackets. A date or a time (2026-12-02, 2026/12/2 07:30, 07:30) is
# not one: it is matched first and kept, and a number stops where one begins.
DATE = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"
TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?!\d)"
DATE_OR_TIME = rf"{DATE}(?:[ T]{TIME})?|{TIME}"
NOT_DATE_OR_TIME = rf"(?!{DATE_OR_TIME})"
NUMBERS = re.compile(
    rf"(?P<kept>{DATE_OR_TIME})"
    rf"|\+?\(?\d(?:{NOT_DATE_OR_TIME}[\d\s\-./()]){{5,}}{NOT_DATE_OR_TIME}\d"
)
PHONE_DIGITS_MIN = 7
# A licence plate typed into a description (a report of illegal parking names one): the
# province's character and the city's letter, maybe a separator, then 5 characters (6 on a new
# energy car's plate), mostly digits. The province and the letter are kept, the rest masked.
# Also as someone writing traditional characters (zh_Hant) types them: 粵B, 滬A, 京A1234學.
PROVINCES = (
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼滬雲遼魯蘇贛晉陝閩貴粵寧瓊"
)
PLATES = re.compile(
    rf"(?P<kept>[{PROVINCES}][A-Za-z])[·•・.\s-]?"
    r"(?P<rest>[A-Za-z0-9]{4,5}[A-Za-z0-9挂学警港澳掛學])(?![A-Za-z0-9])"
)
PLATE_DIGITS_MIN = 3  # so that a word written after a province's name (京Beijing) is kept
# Requests are rows of INTEGER ids: a larger number is an error on PostgreSQL, not "no such row".
ID_MAX = 2**31 - 1


def _folded(text: str) -> str:
    """`text` as the phone pattern reads it: each character in NFKC (a Chinese keyboard's
    full-width digits, hyphen, colon and space as ASCII) and every dash (139—1234—5678) as "-",
    one character for one, so that a match's place is its place in `text`."""
    chars = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) != 1:
            folded = char
        if unicodedata.category(folded) == "Pd" or folded == "\u2212":  # dashes, minus
            folded = "-"
        chars.append(folded)
    return "".join(chars)


def _error(status: int, description: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(
        [{"code": status, "description": description}],
        status=status,
        headers={**HEADERS, **(headers or {})},
    )


class _Unavailable(Exception):
    """The database could not be read: the client gets 503 and tries again later."""


def report_code(category: Category) -> str:
    return f"{REPORT_PREFIX}{category.value}"


def mask_phones(text: str | None) -> str | None:
    if not text:
        return text
    parts, done = [], 0
    for match in NUMBERS.finditer(_folded(text)):
        found = match.group()
        if match.group("kept") is None and sum(c.isdigit() for c in found) >= PHONE_DIGITS_MIN:
            parts += [text[done : match.start()], "***"]
            done = match.end()
    return "".join(parts) + text[done:]


def mask_plates(text: str | None) -> str | None:
    if not text:
        return text
    parts, done = [], 0
    for match in PLATES.finditer(_folded(text)):
        if sum(c.isdigit() for c in match.group("rest")) >= PLATE_DIGITS_MIN:
            parts += [text[done : match.end("kept")], "***"]
            done = match.end()
    return "".join(parts) + text[done:]


# A name this short (one character) is a word of any sentence too: it is left alone.
NAME_CHARS_MIN = 2


@dataclass(frozen=True)
class _NameIndex:
    """Members' names by their first letter (lower case), each letter's name lengths longest
    first: a description is scanned once, and at each position only the lengths of names that
    can start there are looked up. (One regular expression of all names, tried at each position
    alternative by alternative, took 10 ms a description for a city of 50,000 volunteers.)"""

    names: frozenset[str]
    lengths: dict[str, tuple[int, ...]]


@functools.lru_cache(maxsize=4)
def _name_index(names: tuple[str, ...]) -> _NameIndex:
    lowered = frozenset(name.lower() for name in names)
    lengths: dict[str, set[int]] = {}
    for name in lowered:
        lengths.setdefault(name[0], set()).add(len(name))
    return _NameIndex(
        lowered, {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}
    )


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def mask_names(text: str | None, names: tuple[str, ...]) -> str | None:
    """`text` with every one of `names` (members' names) in it masked, the longest first where
    names overlap (王芳芳 whole, not 王芳 and a 芳), any case; a name written in Latin letters
    only as a whole word (Li, not Lily)."""
    if not text or not names:
        return text
    index = _name_index(names)
    parts: list[str] = []
    kept_from = position = 0
    while position < len(text):
        matched = 0
        for length in index.lengths.get(text[position].lower(), ()):
            candidate = text[position : position + length]
            if len(candidate) < length or candidate.lower() not in index.names:
                continue
            before = text[position - 1] if position else ""
            after = text[position + length : position + length + 1]
            if _latin(candidate[0]) and before and _latin(before):
                continue
            if _latin(candidate[-1]) and after and _latin(after):
                continue
            matched = length
            break
        if matched:
            parts.append(text[kept_from:position] + "***")
            position += matched
            kept_from = position
        else:
            position += 1
    return "".join(parts) + text[kept_from:]


def public_names(names: list[str]) -> tuple[str, ...]:
    """The names open data masks, as `mask_names` takes them (one key for its cache)."""
    kept = {" ".join(name.split()) for name in names}
    return tuple(sorted(name for name in kept if len(name) >= NAME_CHARS_MIN))


def published(text: str | None, names: tuple[str, ...] = ()) -> str | None:
    """A description as open data shows it: members' names, phone numbers and licence plates
    masked."""
    return mask_plates(mask_phones(mask_names(text, names)))


class Open311:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def routes(self, app: web.Application) -> None:
        """Only with a key configured: otherwise the endpoint is off (404)."""
        if not self.runtime.settings.open311_api_keys:
            return
        app.router.add_get(f"{PREFIX}/services.json", self.services)
        app.router.add_get(f"{PREFIX}/requests.json", self.requests)
        app.router.add_get(f"{PREFIX}/requests/{{request_id}}.json", self.request)

    # -- helpers --------------------------------------------------------------------------------

    def _allowed(self, request: web.Request) -> bool:
        given = request.query.get("api_key", "").encode()
        return any(
            hmac.compare_digest(given, key.encode())
            for key in self.runtime.settings.open311_api_keys
        )

    def _t(self, request: web.Request) -> Translator:
        wanted = request.query.get("lang", "")
        language = wanted if wanted in LANGUAGES else self.runtime.settings.default_language
        return self.runtime.translator(language)

    def _time(self, instant: dt.datetime) -> str:
        local = instant.astimezone(self.runtime.settings.zone)
        return local.isoformat(timespec="seconds")

    def _service_name(self, t: Translator, item: PublicRequest) -> tuple[str, str]:
        if item.kind == "order":
            return ORDER_SERVICE, t("board.open311.order_service")
        return report_code(item.category), t(f"oversight.category.{item.category.value}")

    def _as_json(
        self, t: Translator, item: PublicRequest, names: tuple[str, ...]
    ) -> dict[str, Any]:
        code, name = self._service_name(t, item)
        state_key = "order.state" if item.kind == "order" else "report.state"
        result: dict[str, Any] = {
            "service_request_id": f"{item.kind}-{item.id}",
            "status": "open" if item.open else "closed",
            "status_notes": t(f"oversight.{state_key}.{item.state}"),
            "service_name": name,
            "service_code": code,
            "description": published(item.description, names),
            "agency_responsible": item.unit,
            "service_notice": None,
            "requested_datetime": self._time(item.requested),
            "updated_datetime": self._time(item.updated),
            "expected_datetime": self._time(item.expected) if item.expected else None,
            "address": None,
            "lat": item.latitude,
            "long": item.longitude,
        }
        return result

    async def _read(self, wanted: RequestFilter) -> tuple[list[PublicRequest], tuple[str, ...]]:
        """The requests, and the members' names to mask in their descriptions."""
        runtime = self.runtime
        try:
            async with runtime.db.read_session() as session:
                found = await open_data.public_requests(session, wanted, runtime.clock.now())
                if not any(item.description for item in found):
                    return found, ()
                return found, public_names(await open_data.member_names(session))
        except Exception as error:
            if not failures.unavailable(error):
                raise
            log.warning("open311: the database is unavailable: %s", failures.summary(error))
            raise _Unavailable from error

    def _unavailable(self) -> web.Response:
        retry = {"Retry-After": str(self.runtime.settings.board_refresh_seconds)}
        return _error(503, "the service is unavailable, try again later", retry)

    # -- the methods ----------------------------------------------------------------------------

    async def services(self, request: web.Request) -> web.Response:
        if not self._allowed(request):
            return _error(403, "a valid api_key is required")
        t = self._t(request)
        reports = [
            {
                "service_code": report_code(category),
                "service_name": t(f"oversight.category.{category.value}"),
                "description": t(
                    "board.open311.report_description",
                    category=t(f"oversight.category.{category.value}"),
                ),
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": t("board.open311.group_reports"),
            }
            for category in data.REPORT_CATEGORIES
        ]
        order = {
            "service_code": ORDER_SERVICE,
            "service_name": t("board.open311.order_service"),
            "description": t("board.open311.order_description"),
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": t("board.open311.group_orders"),
        }
        return web.json_response([*reports, order], headers=HEADERS)

    def _filter(self, request: web.Request) -> RequestFilter:
        """The query's filters; ValueError names a bad one."""
        query = request.query
        ids_text = query.get("service_request_id", "").strip()
        if ids_text:
            ids: dict[str, set[int]] = {"report": set(), "order": set()}
            for part in ids_text.split(","):
                kind, number = _request_id(part.strip())
                ids[kind].add(number)
            return RequestFilter(
                start=dt.datetime.min.replace(tzinfo=dt.UTC),
                end=dt.datetime.max.replace(tzinfo=dt.UTC),
                kinds=frozenset(kind for kind, found in ids.items() if found),
                categories=None,
                status=None,
                ids=ids,
                limit=LIMIT,
            )
        kinds = {"report", "order"}
        categories: set[Category] | None = None
        codes = [code.strip() for code in query.get("service_code", "").split(",") if code.strip()]
        if codes:
            kinds, categories = set(), set()
            known = {report_code(category): category for category in data.REPORT_CATEGORIES}
            for code in codes:
                if code == ORDER_SERVICE:
                    kinds.add("order")
                elif code in known:
                    kinds.add("report")
                    categories.add(known[code])
                else:
                    raise ValueError(f"unknown service_code {code!r}")
        statuses = {part.strip() for part in query.get("status", "").split(",") if part.strip()}
        if statuses - {"open", "closed"}:
            raise ValueError("status must be open or closed")
        status = None if len(statuses) != 1 else statuses == {"open"}
        end = self._date(query.get("end_date")) or self.runtime.clock.now()
        try:
            start = self._date(query.get("start_date")) or end - DEFAULT_SPAN
            until = end + dt.timedelta(microseconds=1) if query.get("end_date") else end
        except OverflowError:  # a date at the very edge of the calendar
            raise ValueError("start_date or end_date is out of range") from None
        if start > end:
            raise ValueError("start_date is after end_date")
        return RequestFilter(
            start=start,
            end=until,
            kinds=frozenset(kinds),
            categories=frozenset(categories) if categories is not None else None,
            status=status,
        )

    def _date(self, text: str | None) -> dt.datetime | None:
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text.strip().replace(" ", "+"))
        except ValueError:
            raise ValueError(f"{text!r} is not a W3C date and time") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.runtime.settings.zone)
        try:
            # In UTC, as the database compares it: at the very edge of the calendar (1 January
            # of year 1 east of Greenwich, 31 December 9999 west of it) there is no UTC time.
            return value.astimezone(dt.UTC)
        except OverflowError:
            raise ValueError(f"{text!r} is out of range") from None

    async def requests(self, request: web.Request) -> web.Response:
        if not self._allowed(request):
            return _error(403, "a valid api_key is required")
        try:
            wanted = self._filter(request)
        except ValueError as error:
            return _error(400, str(error))
        t = self._t(request)
        try:
            found, names = await self._read(wanted)
        except _Unavailable:
            return self._unavailable()
        return web.json_response([self._as_json(t, item, names) for item in found], headers=HEADERS)

    async def request(self, request: web.Request) -> web.Response:
        if not self._allowed(request):
            return _error(403, "a valid api_key is required")
        try:
            kind, number = _request_id(request.match_info["request_id"])
        except ValueError:
            return _error(404, "no such service request")
        wanted = RequestFilter(
            start=dt.datetime.min.replace(tzinfo=dt.UTC),
            end=dt.datetime.max.replace(tzinfo=dt.UTC),
            kinds=frozenset({kind}),
            categories=None,
            status=None,
            ids={kind: {number}},
            limit=1,
        )
        try:
            found, names = await self._read(wanted)
        except _Unavailable:
            return self._unavailable()
        if not found:
            return _error(404, "no such service request")
        t = self._t(request)
        return web.json_response([self._as_json(t, found[0], names)], headers=HEADERS)


def _request_id(text: str) -> tuple[str, int]:
    kind, _, number = text.partition("-")
    # ASCII digits only: isdecimal() alone also takes other scripts' digits (report-١٢).
    if (
        kind not in ("report", "order")
        or not (number.isascii() and number.isdecimal())
        or int(number) > ID_MAX
    ):
        raise ValueError(f"unknown service_request_id {text!r}")
    return kind, int(number)
