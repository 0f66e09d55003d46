"""The schedule spreadsheet, used by /import and /template in chat and by ``dutybot import FILE``:
``reading`` an .xlsx or .csv into numbered rows, ``planning`` what they would create or change
(every bad row reported with its number), ``applying`` the plan all or nothing, and the
``template`` to fill in."""
