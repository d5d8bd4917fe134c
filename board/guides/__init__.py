"""Short, dated guides for IMGs (board/guides/*.md), rendered by the app."""
