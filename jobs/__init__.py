"""The scheduler and the scheduled jobs; sits on top of `board` and `search`."""
