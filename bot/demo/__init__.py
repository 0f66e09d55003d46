"""`dutybot demo`: the real bot against the local emulator, a sample city, a simulated day.

No token and no network: the emulator listens on loopback and plays the people, and a manual
clock stands in for the day. The story is a list of acts (``ACTS`` in ``bot.demo.play``), each a
function of the shared ``Demo`` (``bot.demo.stage``); a new part of the story is one more
function appended to that list. The acts are grouped by the part of the campaign they show:
``unit_setup``, ``duty_day``, ``handovers`` and ``oversight_loop``.
"""

from bot.demo.play import run_demo

__all__ = ["run_demo"]
