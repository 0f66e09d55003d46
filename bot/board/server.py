"""The board's web server, in the bot's own process (aiohttp, on the bot's event loop).

Routes, under the path of BOARD_URL (``/board`` for https://bot.example.org/board/):

- ``/`` the page opened as a Telegram Mini App; it holds no data and reads the signed
  ``initData`` Telegram hands it, which it sends with every data request;
- ``/screen/<token>`` the page of a wall-screen link (403 when the link is not valid);
- ``/api/state`` the panels' data for the credentials in the Authorization header
  (``tma <initData>`` or ``screen <token>``): 403 and no data without valid ones;
- ``/static/...`` the page's script and style and the vendored Leaflet and uPlot, linked from
  the page under ``?v=<build>`` (asset_build) so that a page reloaded after an upgrade fetches
  them anew; every data answer names the build too, and a page served another one reloads;

and at the root, for operators: ``/healthz`` and ``/metrics`` (Prometheus), and for open data
the read-only Open311 GeoReport v2 endpoint ``/open311/v2/...`` (open311.py) when
OPEN311_API_KEYS is set.

The page polls ``/api/state`` every BOARD_REFRESH_SECONDS rather than holding a server-sent
event stream: every request is authenticated again (a revoked link stops at the next refresh),
it passes any reverse proxy unchanged, it survives a phone putting the Mini App to sleep, and a
check-in made by another process (several bots on one PostgreSQL) shows up without a channel
between processes. The data of one scope is read and encoded at most once per refresh
interval, however many boards show it (SnapshotCache).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlparse

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from bot import metrics
from bot.board import data, health, standard, viewers
from bot.board.auth import Expired, OwnUnitArchived, Refused, UnitArchived, Viewer
from bot.board.data import Scene
from bot.board.open311 import Open311
from bot.board.panels import PanelRegistry
from bot.db import failures
from bot.i18n import LANGUAGES
from bot.listening import cannot_listen, host_at_fault
from bot.runtime import Runtime
from bot.settings import SettingsError

if TYPE_CHECKING:
    from handlers.turn import BotApplication

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"
NO_STORE = {"Cache-Control": "no-store"}
# The page loads only its own files; tiles come from MAP_TILE_URL's host. The referrer sent
# for tiles is the origin only: a wall screen's link must not leak to a tile server.
SECURITY_HEADERS = {
    "Referrer-Policy": "strict-origin",
    "X-Content-Type-Options": "nosniff",
}


def _unavailable(what: str, error: BaseException) -> None:
    """One line for the log when the database cannot answer a request: the client gets 503,
    neither a traceback nor aiohttp's bare 500, and tries again."""
    metrics.BOARD_REQUESTS.labels("unavailable").inc()
    log.warning("board: no %s, the database is unavailable: %s", what, failures.summary(error))


def board_path(board_url: str) -> str:
    """The path the board is served under: that of BOARD_URL, without its trailing slash."""
    return urlparse(board_url).path.rstrip("/")


# Subdomains other than Leaflet's a, b, c, as JOSM and iD write them: {switch:1,2,3,4}.
TILE_SWITCH = re.compile(r"\{switch:([^{}]*)\}")


def tile_layer(tile_url: str) -> tuple[str, list[str]]:
    """MAP_TILE_URL as Leaflet takes it: the template with `{s}`, and its subdomains. A bare
    `{s}` is Leaflet's a, b and c; `{switch:1,2,3,4}` names others (AMap's hosts are webrd01
    to webrd04: `webrd0{switch:1,2,3,4}`), which Leaflet would otherwise never ask."""
    match = TILE_SWITCH.search(tile_url)
    names = [name.strip() for name in match.group(1).split(",")] if match else []
    if match is None or not all(names):
        return tile_url, ["a", "b", "c"]
    return f"{tile_url[: match.start()]}{{s}}{tile_url[match.end() :]}", names


def _tile_origin(tile_url: str, subdomains: Sequence[str] = ("a", "b", "c")) -> str:
    """The origins the page's CSP lets tiles come from: `{s}` in the first name of the host
    (a.tile..., b.tile...: the same provider) is a wildcard on the rest; elsewhere in the host,
    or in a host without a dot (tiles{s}:8080 on an intranet), each host is named."""
    parsed = urlparse(tile_url)
    if not parsed.scheme:
        return ""
    host = parsed.netloc
    if "{s}" not in host:
        return f"{parsed.scheme}://{host}"
    first, dot, rest = host.partition(".")
    if "{s}" in first and dot and "{s}" not in rest:
        return f"{parsed.scheme}://*.{rest}"
    return " ".join(f"{parsed.scheme}://{host.replace('{s}', name)}" for name in subdomains)


def asset_build(*roots: Path) -> str:
    """The build of the page: a hash of every file it is made of (its script, style, vendored
    libraries and templates), each under its path. An upgrade that changes any of them changes
    the build; the page announces the build it was served with and the data the one of the
    server now, so a page left open across an upgrade reloads itself (board.js)."""
    digest = hashlib.sha256()
    for index, root in enumerate(roots):
        for path in sorted(item for item in root.rglob("*") if item.is_file()):
            name = f"{index}/{path.relative_to(root).as_posix()}"
            content = path.read_bytes()
            digest.update(f"{name}\0{len(content)}\0".encode())
            digest.update(content)
    return digest.hexdigest()[:12]


T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    expires: float
    task: asyncio.Task[T]


class SnapshotCache(Generic[T]):
    """One value per key at a time: concurrent requests share the read in progress, later ones
    reuse it until `ttl` seconds have passed. With `stale_for`, a value up to that much older
    is still served while one fresh read runs in the background: no request waits for the read
    of a scope that boards keep showing."""

    def __init__(
        self, ttl: float, stale_for: float = 0.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self.stale_for = stale_for if ttl > 0 else 0.0
        self._entries: dict[Hashable, _Entry[T]] = {}
        self._refreshing: dict[Hashable, asyncio.Task[T]] = {}

    async def get(self, key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and entry.expires <= now < entry.expires + self.stale_for:
            task = entry.task
            if task.done() and not task.cancelled() and task.exception() is None:
                self._refresh(key, build)
                return task.result()
        if entry is None or entry.expires <= now or (entry.task.done() and entry.task.exception()):
            self._forget_expired(now)
            entry = _Entry(now + self.ttl, asyncio.ensure_future(build()))
            self._entries[key] = entry
        return await asyncio.shield(entry.task)

    def _refresh(self, key: Hashable, build: Callable[[], Awaitable[T]]) -> None:
        if key in self._refreshing:
            return
        task = asyncio.ensure_future(build())
        self._refreshing[key] = task

        def done(finished: asyncio.Task[T]) -> None:
            self._refreshing.pop(key, None)
            if finished.cancelled() or finished.exception() is not None:
                log.warning(
                    "board read failed: %r", None if finished.cancelled() else finished.exception()
                )
                return  # the stale value stays until a request reads anew
            self._entries[key] = _Entry(self.clock() + self.ttl, finished)

        task.add_done_callback(done)

    def _forget_expired(self, now: float) -> None:
        """Drop finished snapshots past their time: a scope nobody looks at holds no memory."""
        for key in [
            k
            for k, e in self._entries.items()
            if e.expires + self.stale_for <= now and e.task.done()
        ]:
            del self._entries[key]


@dataclass(frozen=True)
class Encoded:
    """A snapshot as sent: JSON, and gzip for the clients that take it (most of the size of a
    city's snapshot is repeated keys; it shrinks about tenfold)."""

    body: bytes
    gzipped: bytes

    @classmethod
    def of(cls, payload: dict[str, Any]) -> Encoded:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return cls(body=body, gzipped=gzip.compress(body, compresslevel=5, mtime=0))


class BoardServer:
    def __init__(
        self,
        runtime: Runtime,
        *,
        sender: health.SenderProbe,
        panels: PanelRegistry | None = None,
    ) -> None:
        self.runtime = runtime
        self.sender = sender
        self.panels = panels if panels is not None else standard.standard_panels()
        settings = runtime.settings
        self.prefix = board_path(settings.board_url)
        # One read of the whole city per refresh interval, whatever the number of boards and
        # scopes showing it; each scope's board (per language) is made from that read once.
        refresh = settings.board_refresh_seconds
        # A request after the interval gets the last read while the next one runs.
        self.scenes: SnapshotCache[tuple[int, Scene]] = SnapshotCache(refresh, stale_for=refresh)
        self.cache: SnapshotCache[Encoded] = SnapshotCache(ttl=refresh)
        self._generation = 0
        # Read once at start-up: an upgrade means a new process, and so a new build.
        self.build = asset_build(STATIC_DIR, TEMPLATES_DIR)
        self.templates = Environment(
            loader=PackageLoader("bot.board", "templates"),
            autoescape=select_autoescape(["html"]),
        )
        self.started_at = time.monotonic()
        self._runner: web.AppRunner | None = None
        self.addresses: list[Any] = []

    # -- the application ------------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._headers])
        prefix = self.prefix
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get(f"{prefix}/", self.mini_app_page)
        if prefix:
            app.router.add_get(prefix, self.mini_app_page)
        app.router.add_get(f"{prefix}/screen/{{token}}", self.screen_page)
        app.router.add_get(f"{prefix}/api/state", self.state)
        app.router.add_static(f"{prefix}/static", STATIC_DIR)
        Open311(self.runtime).routes(app)
        return app

    @web.middleware
    async def _headers(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        response = await handler(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    # -- pages ----------------------------------------------------------------------------------

    def _language(self, request: web.Request) -> str:
        wanted = request.query.get("lang", "")
        return wanted if wanted in LANGUAGES else self.runtime.settings.default_language

    def _page(
        self, language: str, *, mode: str, token: str = "", status: int = 200
    ) -> web.Response:
        settings = self.runtime.settings
        t = self.runtime.translator(language)
        tile_url, subdomains = tile_layer(settings.map_tile_url)
        config = {
            "mode": mode,
            "token": token,
            "build": self.build,
            "api": f"{self.prefix}/api/state",
            "refresh_seconds": settings.board_refresh_seconds,
            # A data request that has not answered by then is given up and the page shows
            # itself offline: a connection the network dropped silently never ends on its own.
            "timeout_seconds": max(5, 2 * settings.board_refresh_seconds),
            "tile_url": tile_url,
            "tile_subdomains": subdomains,
            "tile_attribution": settings.map_tile_attribution,
            "zone": settings.timezone,
            "language": language,
            "labels": standard.page_texts(t)["labels"],
        }
        html = self.templates.get_template("board.html").render(
            t=t,
            language=language,
            **self._asset_paths(),
            panels=[{"key": p.key, "view": p.view, "title": t(p.title_key)} for p in self.panels],
            config=config,
        )
        csp = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: {_tile_origin(tile_url, subdomains)}; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'"
        )
        headers = {**NO_STORE, "Content-Security-Policy": csp}
        return web.Response(text=html, content_type="text/html", status=status, headers=headers)

    def _asset_paths(self) -> dict[str, str]:
        """Where a page finds its files, under the build's name: after an upgrade the reloaded
        page fetches them anew instead of running the script the browser cached."""
        return {"static": f"{self.prefix}/static", "version": f"?v={self.build}"}

    def _retry_after(self) -> dict[str, str]:
        return {**NO_STORE, "Retry-After": str(self.runtime.settings.board_refresh_seconds)}

    def _offline_page(self, language: str) -> web.Response:
        """What a wall screen loading its link while the database is down gets: a page that
        loads the link again after a refresh interval, until the board answers."""
        t = self.runtime.translator(language)
        html = self.templates.get_template("offline.html").render(
            t=t,
            language=language,
            seconds=self.runtime.settings.board_refresh_seconds,
            **self._asset_paths(),
        )
        return web.Response(
            text=html, content_type="text/html", status=503, headers=self._retry_after()
        )

    def _denied_page(
        self, language: str, reason: str = "board.page.denied", *, refresh: int = 0
    ) -> web.Response:
        """`refresh`: seconds after which the page loads the link again (0: never)."""
        t = self.runtime.translator(language)
        html = self.templates.get_template("denied.html").render(
            t=t, language=language, reason=reason, refresh=refresh, **self._asset_paths()
        )
        return web.Response(text=html, content_type="text/html", status=403, headers=NO_STORE)

    async def mini_app_page(self, request: web.Request) -> web.Response:
        return self._page(self._language(request), mode="tma")

    async def screen_page(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        language = self._language(request)  # the link's, until the screen's own is read
        try:
            viewer = await self._viewer(f"{viewers.SCREEN_SCHEME} {token}")
        except UnitArchived as archived:
            # The unit may be restored: the screen loads its link again until then.
            return self._denied_page(
                archived.language,
                "board.page.unit_archived",
                refresh=self.runtime.settings.board_refresh_seconds,
            )
        except Refused:
            return self._denied_page(language)
        except Exception as error:
            if not failures.unavailable(error):
                raise
            _unavailable("wall-screen page", error)  # not its path: the token is a key
            return self._offline_page(language)
        return self._page(viewer.language, mode="screen", token=token)

    # -- data -----------------------------------------------------------------------------------

    async def _viewer(self, authorization: str | None) -> Viewer:
        runtime = self.runtime
        try:
            async with runtime.db.read_session() as session:
                viewer = await viewers.from_authorization(
                    session, authorization, runtime.settings, runtime.clock.now()
                )
        except Refused as refusal:
            metrics.BOARD_REQUESTS.labels("forbidden").inc()
            log.info("board request refused: %s", refusal)
            raise
        return viewer

    async def _scene(self) -> tuple[int, Scene]:
        """The city as the board sees it now, read once per interval for every scope."""

        async def read() -> tuple[int, Scene]:
            runtime = self.runtime
            started = time.perf_counter()
            async with runtime.db.read_session() as session:
                scene = await data.read_scene(session, None, runtime.clock.now(), runtime.settings)
            metrics.BOARD_READ_SECONDS.observe(time.perf_counter() - started)
            self._generation += 1
            return self._generation, scene

        return await self.scenes.get("city", read)

    async def _snapshot(self, viewer: Viewer, scene: Scene) -> Encoded:
        runtime = self.runtime
        started = time.perf_counter()
        async with runtime.db.read_session() as session:
            payload = await standard.snapshot(
                self.panels,
                session,
                unit_id=viewer.unit_id,
                now=scene.now,
                settings=runtime.settings,
                t=runtime.translator(viewer.language),
                scene=scene,
            )
        # The build this server serves: a page served another one reloads itself.
        payload["build"] = self.build
        encoded = await asyncio.to_thread(Encoded.of, payload)
        metrics.BOARD_SNAPSHOT_SECONDS.observe(time.perf_counter() - started)
        return encoded

    def _refused(self, error: str, refusal: Refused) -> web.Response:
        """403 and no data; to someone the credentials name, the page's words in their
        language (the page was served in its address's, which a direct link leaves out)."""
        body: dict[str, Any] = {"error": error}
        if refusal.language is not None:
            body["page"] = standard.page_texts(self.runtime.translator(refusal.language))
        return web.json_response(body, status=403, headers=NO_STORE)

    async def state(self, request: web.Request) -> web.Response:
        try:
            viewer = await self._viewer(request.headers.get("Authorization"))
            generation, scene = await self._scene()
            encoded = await self.cache.get(
                (viewer.unit_id, viewer.language, generation),
                lambda: self._snapshot(viewer, scene),
            )
        except Expired as refusal:
            # Left open past its login: the page says to reopen it with /board.
            return self._refused("expired", refusal)
        except UnitArchived as refusal:
            # The screen says its unit is archived, and keeps the link for a restored unit.
            return self._refused("archived", refusal)
        except OwnUnitArchived as refusal:
            # The viewer's own unit: the page says so, as /board does.
            return self._refused("unit_archived", refusal)
        except Refused as refusal:
            return self._refused("forbidden", refusal)
        except Exception as error:
            if not failures.unavailable(error):
                raise
            _unavailable("board data", error)
            # The page shows itself offline and asks again at its next refresh.
            return web.json_response(
                {"error": "unavailable"}, status=503, headers=self._retry_after()
            )
        metrics.BOARD_REQUESTS.labels("ok").inc()
        headers = {**NO_STORE, "Vary": "Accept-Encoding"}
        body = encoded.body
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = encoded.gzipped, "gzip"
        return web.Response(body=body, content_type="application/json", headers=headers)

    # -- operations -----------------------------------------------------------------------------

    async def healthz(self, request: web.Request) -> web.Response:
        healthy, body = await health.check(self.runtime, self.sender, self.started_at)
        return web.json_response(body, status=200 if healthy else 503, headers=NO_STORE)

    async def metrics(self, request: web.Request) -> web.Response:
        try:
            async with self.runtime.db.read_session() as session:
                states, due = await data.outbox_counts(session, self.runtime.clock.now())
        except Exception:
            log.exception("could not read the outbox for /metrics")
        else:
            for state in data.OUTBOX_STATES:
                metrics.OUTBOX.labels(state).set(states.get(state, 0))
            metrics.OUTBOX_DUE.set(due)
        try:
            async with self.runtime.db.read_session() as session:
                orders = await data.open_order_counts(session, self.runtime.clock.now())
        except Exception:
            log.exception("could not read the open orders for /metrics")
        else:
            for state in data.OPEN_ORDER_STATES:
                for overdue in (False, True):
                    count = orders.get((state, overdue), 0)
                    metrics.ORDERS_OPEN.labels(state.value, str(overdue).lower()).set(count)
        metrics.SENDER_LEADING.set(1 if self.sender().leading else 0)
        return web.Response(
            body=generate_latest(REGISTRY),
            headers={**NO_STORE, "Content-Type": CONTENT_TYPE_LATEST},
        )

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, *, listen: str | None = None, port: int | None = None) -> None:
        settings = self.runtime.settings
        host = listen if listen is not None else settings.board_listen
        number = port if port is not None else settings.board_port
        runner = web.AppRunner(self.application(), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, number).start()
        except OSError as error:
            await runner.cleanup()
            # As the webhook's line: the host's problem (BOARD_LISTEN set to the board's public
            # name, say) is not the port's to free.
            name = "BOARD_LISTEN" if host_at_fault(error) else "BOARD_PORT"
            line = cannot_listen(error, host, number, "BOARD_LISTEN", "BOARD_PORT")
            raise SettingsError(f"{name} is invalid: {line}") from None
        self._runner = runner
        self.addresses = list(runner.addresses)
        self.started_at = time.monotonic()
        log.info("board listening on %s:%s%s/", host, number, self.prefix)

    @property
    def local_url(self) -> str:
        """http://host:port<prefix> of the first address listened on (tests, benches)."""
        host, port = self.addresses[0][:2]
        return f"http://{host}:{port}{self.prefix}"

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


def attach(application: BotApplication, runtime: Runtime) -> BoardServer:
    """Serve the board while `dutybot run`'s application runs: started after the bot's own
    start-up (post_init), stopped with it (post_stop)."""
    server = BoardServer(
        runtime,
        sender=lambda: health.sender_status(
            application.bot_data.get("sender"), application.bot_data.get("sender_task")
        ),
    )
    previous_init, previous_stop = application.post_init, application.post_stop

    async def post_init(app: BotApplication) -> None:
        if previous_init is not None:
            await previous_init(app)
        await server.start()

    async def post_stop(app: BotApplication) -> None:
        await server.stop()
        if previous_stop is not None:
            await previous_stop(app)

    application.post_init = post_init
    application.post_stop = post_stop
    return server
