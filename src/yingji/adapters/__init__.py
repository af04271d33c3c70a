"""The outside world behind small protocols, each with a fake for tests and drills."""
