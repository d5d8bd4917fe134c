"""Reviews from participants only: host-recorded completions, signed review links, reviews,
host replies, moderation and the aggregates shown from MIN_FOR_SCORES reviews on."""
