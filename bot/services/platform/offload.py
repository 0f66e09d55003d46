"""CPU-heavy work away from the event loop: a report's chart and the export workbook (reports),
a spreadsheet sent to /import (schedule: openpyxl takes seconds to open a hostile 2 MB sheet).

A report's chart takes most of a second of matplotlib, pure Python that holds the GIL: in a
thread of the bot's process it would still starve the event loop, which then gets the GIL back
only every few milliseconds at each of the many steps of answering an update, and every other
chat would wait for the chart. So the drawing runs in a worker process of its own, fed plain
picklable data: ``python -m bot.services.platform.offload``, started on first use, which reads
calls from its stdin and writes the results to its stdout, and ends when the bot's end of the
pipe closes (the bot exits or dies). A thread of the bot waits for the answer without the GIL.
Where no process can be started, the thread does the work itself, as before.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, TypeVar

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

_HEADER = struct.Struct("!Q")
# A call that takes longer than this is stuck: the worker is killed and the work done in a thread.
CALL_TIMEOUT_S = 300.0
_PROJECT = Path(__file__).resolve().parents[3]


class WorkerGone(RuntimeError):
    """The worker process ended or could not be started."""


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) != size:
        raise EOFError("the other end closed the pipe")
    return data


def _receive(stream: IO[bytes]) -> Any:
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    return pickle.loads(_read_exactly(stream, size))


class Worker:
    """One worker process; one call at a time."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.failed = False  # a process could not be started: use threads from now on

    def _started(self) -> subprocess.Popen[bytes]:
        process = self._process
        if process is not None and process.poll() is None:
            return process
        self._stop()  # a worker that died: close its pipes and reap it before the next one
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(_PROJECT), *filter(None, [environment.get("PYTHONPATH")])]
        )
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=environment,
            )
        except OSError as error:
            self.failed = True
            raise WorkerGone(f"cannot start a worker process: {error}") from error
        self._process = process
        return process

    def call(self, function: Callable[..., Result], *args: object) -> Result:
        """`function(*args)` in the worker process; blocks the calling thread (not the GIL)."""
        with self._lock:
            process = self._started()
            assert process.stdin is not None and process.stdout is not None
            try:
                _send(process.stdin, (function, args))
                ok, value = _receive(process.stdout)
            except (OSError, EOFError, pickle.UnpicklingError) as error:
                self._stop()
                raise WorkerGone(f"the worker process ended: {error!r}") from error
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def kill(self) -> None:
        """End a stuck worker without waiting for the call in hand (its thread then meets the
        closed pipe and gives up)."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()


_worker = Worker()
atexit.register(_worker.stop)
# The calls wait for the worker in a thread of their own, one after another, so that reports
# (or imports) asked at once never take the threads of asyncio's default pool that others need.
_waiting = ThreadPoolExecutor(max_workers=1, thread_name_prefix="offload-worker")


async def run_off_loop(function: Callable[..., Result], *args: object) -> Result:
    """`function(*args)` in the worker process (`function` a module-level function, the
    arguments and the result picklable), or in a thread where no process can be started."""
    if not _worker.failed:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(CALL_TIMEOUT_S):
                return await loop.run_in_executor(_waiting, _worker.call, function, *args)
        except WorkerGone as error:
            logger.warning("%s; working in a thread instead", error)
        except TimeoutError:
            _worker.kill()
            logger.warning(
                "the worker process took over %s s; working in a thread instead", CALL_TIMEOUT_S
            )
    return await asyncio.to_thread(function, *args)


def shutdown() -> None:
    """Stop the worker process (it also ends when the bot's process does)."""
    _worker.stop()


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The worker's loop: a call from `requests`, its result (or exception) to `answers`,
    until `requests` closes."""
    while True:
        try:
            function, args = _receive(requests)
        except EOFError:
            return
        try:
            answer: tuple[bool, object] = (True, function(*args))
        except Exception as error:
            answer = (False, error)
        try:
            _send(answers, answer)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            _send(answers, (False, RuntimeError(f"unpicklable answer: {error!r}")))


def main() -> None:
    # Ctrl-C in a terminal reaches the whole process group: the bot decides when this ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The answers go to the real stdout; anything printed by a library goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
