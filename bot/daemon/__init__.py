"""The long-running ``spacebot run``: scheduler, daily trigger, heartbeat."""
