"""Shift swaps between members: give-aways, hand-overs and exchanges, their acceptance and
optional approval, expiry, and the unit setting that asks for approval.

A swap moves seats only when it is complete: accepted and, where the unit asks for it, approved
by a coordinator. Until then the offering member holds the shift. Every step is written to the
audit trail, and every notice to someone other than the person acting goes through the outbox.
``lifecycle`` (statuses, expiry, the audit trail) is beneath everything here; ``queries`` read,
``notices`` tell, ``offers`` make offers, ``answers`` take, decline, withdraw, approve and
reject them, ``completion`` moves the seats of a swap that went through, ``acceptance`` and
``endings`` word the other steps, ``jobs`` call off and expire them (``closings`` words
that), and ``unit_settings`` holds the approval setting."""
