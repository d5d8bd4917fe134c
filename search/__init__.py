"""The Meilisearch adapter: documents in, results out. Imports neither `board` nor `jobs`.

`index.SearchIndex` is what callers use; `meili_index.MeiliIndex` is the real one and
`memory.MemoryIndex` a server-less one for store-only tests."""
