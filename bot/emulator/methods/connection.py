"""How the bot gets its updates: a webhook set, deleted and described, and logOut and close,
which the emulator accepts and ignores."""

from __future__ import annotations

from bot.emulator.params import Params
from bot.emulator.state import JSON, World


async def ok(world: World, params: Params) -> bool:
    return True


async def set_webhook(world: World, params: Params) -> bool:
    world.webhook_url = params.text_or_none("url") or ""
    world.webhook_secret = params.text_or_none("secret_token") or ""
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    return True


async def delete_webhook(world: World, params: Params) -> bool:
    world.webhook_url = ""
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    return True


async def get_webhook_info(world: World, params: Params) -> JSON:
    info: JSON = {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": world.updates.pending(),
    }
    if world.webhook_last_error is not None:
        info["last_error_date"], info["last_error_message"] = world.webhook_last_error
    return info
