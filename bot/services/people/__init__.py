"""People and who they are to the campaign: members and their roles (access checks), units,
invite links and registration, tags, bound group chats, and whether Telegram can reach someone."""
