"""Shift swaps between members: give-aways, hand-overs and exchanges, their acceptance and
optional approval, expiry, and the unit setting that asks for approval."""
