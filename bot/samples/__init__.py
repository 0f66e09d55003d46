"""Sample files shipped with the package: the schedule the demo imports."""
