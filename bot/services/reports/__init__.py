"""The figures leaders read: tallies of a day or a period, scores and grades, the ledger, their
scheduled delivery to bound groups, and their rendering as text, chart and spreadsheet."""
