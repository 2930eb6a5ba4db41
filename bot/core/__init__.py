"""The functional core: mission data, milestones and posts as values; no I/O.

Nothing in this package reads a clock, a file, the environment or the network
(``tests/test_architecture.py`` enforces it): data in, milestones and text out.
"""
