"""Converters from outside data sources into the bundled mission data (``schedules/*.yaml``)."""
