"""Being on post: check-in with location and photo, live presence, check-out and credited hours,
the coordinator's attendance corrections, reminders before a shift, no-show escalation and the
scheduler's check-in jobs, and the photo archive."""
