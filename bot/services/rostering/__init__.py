"""Assigned duty (排班): coordinators put named people on shifts by hand, by spreadsheet or by a
fair rotation (自动排班); each rota tells its people, who acknowledge it (收到) or ask for leave
(请假), which coordinators approve or reject. Members declare when they cannot serve. This
package owns the rule of the rotation (pure, ``rotation``) and the loading of its inputs, the
rotas, acknowledgment and its reminders, availability, leave, their notices and the plan's
spreadsheet, and a member's way out of a unit (``departure``: removed, leaving, a role taken
away), which ends the seats, swap offers and leave they hold ahead. Seats themselves and the
sign-up rules stay in ``schedule``."""
