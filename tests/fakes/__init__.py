"""Fakes for client tests: a local HTTP server speaking just enough X, Mastodon and Bluesky."""
