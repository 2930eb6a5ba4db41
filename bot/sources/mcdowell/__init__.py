"""Jonathan McDowell's human-spaceflight lists, converted into the bundled history."""
