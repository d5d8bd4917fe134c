"""The Meilisearch adapter: documents in, results out. Imports neither `board` nor `jobs`."""
