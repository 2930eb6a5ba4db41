"""One module per sub-command; each exposes ``register(subparsers)``.

The list of commands lives in :mod:`bot.cli` (one place), so adding a command
touches one new file and one line there.
"""
