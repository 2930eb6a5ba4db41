"""spacebot: announces human-spaceflight milestones on social media."""

__version__ = "0.1.0"
