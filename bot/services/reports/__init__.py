"""The figures leaders read: tallies of a day or a period, scores and grades, the ledger, a
volunteer's place by hours, the photo wall, their scheduled delivery to bound groups, and their
rendering as text, chart and spreadsheet."""
