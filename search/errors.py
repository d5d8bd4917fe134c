"""Errors the search adapter raises; callers map them to 503 / 400 / logged bugs."""


class SearchUnavailable(Exception):
    """Meilisearch cannot be reached, timed out, or answered 5xx."""


class MeiliError(Exception):
    """Meilisearch answered with an API error (code as documented by Meilisearch)."""

    def __init__(self, code: str, message: str, status: int = 0):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class TaskFailed(MeiliError):
    """An asynchronous Meilisearch task ended in `failed` or `canceled`."""
