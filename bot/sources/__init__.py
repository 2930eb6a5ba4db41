"""Where mission data comes from: McDowell's lists (the bundled history)."""
