"""The duty schedule: posts, shifts on them, their seats, the sign-up rules and the waitlist, the
roster, the schedule spreadsheet (``importer/``), calendar files, broadcasts of open shifts and
the understaffed alert. ``seats`` is beneath the rest: the states that hold a seat, counting them
and locking a shift."""
