"""What the board's browser tests share: the address Telegram opens, a phone's window, and
Telegram's bridge as the Android and iOS apps give it to a Mini App."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from bot.board.server import BoardServer
from tests.browser.conftest import Browser

PHONE = (360, 740)

TELEGRAM_EVENTS = """
window.telegramEvents = [];
window.TelegramWebviewProxy = {
  postEvent: (type, data) => window.telegramEvents.push([type, JSON.parse(data)]),
};
"""


def mini_app_url(board: BoardServer, init: str, language: str = "zh_Hans") -> str:
    """The address Telegram opens: BOARD_URL with the launch parameters in the fragment."""
    return (
        f"{board.local_url}/?lang={language}"
        f"#tgWebAppData={quote(init, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=tdesktop"
    )


async def phone(browser: Browser) -> None:
    await asyncio.to_thread(browser.driver.set_window_size, *PHONE)


async def in_telegram(browser: Browser) -> None:
    """Pages opened from now on find Telegram's bridge, as in the Android and iOS apps, and
    record what they post to it."""
    await asyncio.to_thread(
        browser.driver.execute_cdp_cmd,
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": TELEGRAM_EVENTS},
    )


MARKERS = """
return Array.from(document.querySelectorAll('path.post-marker')).map(
  (path) => [Number(path.getAttribute('data-post')), path.getAttribute('fill')]);
"""
DENIED = """
const box = document.getElementById('board-denied');
return !box.hidden && document.body.classList.contains('is-denied') ? box.textContent.trim() : '';
"""


async def markers(browser: Browser, count: int) -> dict[int, str]:
    found = await browser.wait_for(
        f"const m = (() => {{{MARKERS}}})(); return m.length === {count} ? m : null;"
    )
    return {int(post_id): fill for post_id, fill in found}
