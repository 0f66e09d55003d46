"""The duty schedule: posts, shifts on them, seats and the sign-up rules with the waitlist, the
schedule spreadsheet, calendar files, broadcasts of open shifts and the understaffed alert."""
