"""A local Telegram Bot API for end-to-end tests and `dutybot demo`.

`BotApiEmulator` serves the Bot API on loopback for a real PTB Application; `SimUser` and
`SimGroup` play the people; `FloodLimits` and `Fault` make it misbehave like Telegram does.
"""

from bot.emulator.groups import SimGroup
from bot.emulator.limits import Fault, FloodLimits
from bot.emulator.params import ApiError
from bot.emulator.server import BotApiEmulator
from bot.emulator.state import SentMessage
from bot.emulator.users import SimMember, SimUser

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "Fault",
    "FloodLimits",
    "SentMessage",
    "SimGroup",
    "SimMember",
    "SimUser",
]
