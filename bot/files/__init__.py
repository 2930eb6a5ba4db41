"""The operator's files (mission data, configuration, templates, credentials), read and
validated into the core's values, and written back."""
