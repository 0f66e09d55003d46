"""A real headless Chromium for the board's tests: Debian's chromium driven through its own
chromedriver with selenium (never a browser download). When they are missing and the tests run
as root, they are installed with apt-get; otherwise the tests fail with one line saying so."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PACKAGES = ("chromium", "chromium-driver")
# The machine's network is closed: nothing in the background, no updates, no sync.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)
POLL_SECONDS = 0.1


def _missing() -> list[Path]:
    return [path for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]


def _install() -> None:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail(
            "the board's browser tests need Debian's chromium and chromium-driver: "
            f"run apt-get install {' '.join(PACKAGES)} as root",
            pytrace=False,
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *PACKAGES]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.fail(f"{' '.join(command)} failed: {last}", pytrace=False)


@pytest.fixture(scope="session")
def chromium() -> tuple[Path, Path]:
    if _missing():
        _install()
    if missing := _missing():
        pytest.fail(
            f"{', '.join(map(str, missing))} still missing after apt-get install", pytrace=False
        )
    return CHROMIUM, CHROMEDRIVER


class Browser:
    """The blocking WebDriver, called from a thread so the board's server (on the test's event
    loop) keeps answering the page."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver

    async def open(self, url: str) -> None:
        await asyncio.to_thread(self.driver.get, url)

    async def run(self, script: str, *args: Any) -> Any:
        return await asyncio.to_thread(self.driver.execute_script, script, *args)

    async def wait_for(self, script: str, *args: Any, timeout: float = 20.0) -> Any:
        """Poll a script until it returns something truthy (the page refreshes on its own)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        value = None
        while loop.time() < deadline:
            value = await self.run(script, *args)
            if value:
                return value
            await asyncio.sleep(POLL_SECONDS)
        logs = await asyncio.to_thread(self.driver.get_log, "browser")
        raise AssertionError(f"page never satisfied {script!r}; last value {value!r}; log {logs}")

    async def errors(self, *expected: str) -> list[str]:
        """The page's console errors, leaving out those that mention one of `expected`."""
        logs = await asyncio.to_thread(self.driver.get_log, "browser")
        return [
            entry["message"]
            for entry in logs
            if entry["level"] == "SEVERE" and not any(text in entry["message"] for text in expected)
        ]

    async def screenshot(self, path: Path) -> None:
        await asyncio.to_thread(self.driver.save_screenshot, str(path))


@pytest.fixture
def browser(chromium: tuple[Path, Path]) -> Iterator[Browser]:
    binary, driver_path = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(driver_path)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield Browser(driver)
    finally:
        driver.quit()
