"""The wait on a live location (issue 4): a volunteer shares a live location on the way to
the post, or at it before the check-in opens, and the check-in waits for it to be within the
post's range with the check-in open, rather than ask for another location.

The wait begins where the location is judged (`checkin_location.receive_location`), which keeps its
`record`. Then: each move of the share (`moves`), which of the waits stand where (`waits`), the
opening, which takes the share's last known position (`opening`, run by the scheduler's tick),
and the wait's end (`end`, the tick too). Nothing is imported here, so that `checkin_location`
may read and write the `record` below the rest, which judges through `checkin_location` again.
"""
