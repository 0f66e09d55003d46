"""What the bot may ask about a chat and its members."""

from __future__ import annotations

import copy

from bot.emulator.params import Params, bad_request
from bot.emulator.state import JSON, World


async def get_chat(world: World, params: Params) -> JSON:
    chat = world.chat(params.chat_id())
    info = copy.deepcopy(chat.chat)
    info.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    return info


async def get_chat_member(world: World, params: Params) -> JSON:
    chat = world.chat(params.chat_id())
    user_id = params.integer("user_id")
    user = world.bot_user if user_id == world.bot_user["id"] else world.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if chat.is_group and user_id in chat.admins:
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
        }
    return {"status": "member", "user": user}
