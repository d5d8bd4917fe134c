"""The access log names the route template, never the token a mailed link carries in its
path (before: uvicorn's access log wrote `GET /unsubscribe/<token>` into every log)."""

from __future__ import annotations

import logging

from board.serve import UVICORN_OPTIONS

TOKEN = "eyJwIjpbMSwiYWJjIl0sImUiOjF9.SECRETMACSECRETMAC"


async def test_one_line_per_request_with_the_route_template(client, caplog):
    caplog.set_level(logging.INFO, logger="board.access")
    await client.get(f"/unsubscribe/{TOKEN}?email=someone@example.com")
    await client.get(f"/manage/{TOKEN}")
    await client.get(f"/no/such/page/{TOKEN}")
    lines = [r.getMessage() for r in caplog.records if r.name == "board.access"]
    assert len(lines) == 3, lines
    assert '"GET /unsubscribe/{token}" 400' in lines[0]
    assert '"GET /manage/{token}" 400' in lines[1]
    assert '"GET -" 404' in lines[2]
    # (httpx is the test's own client logging its requests, not the server.)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "httpx")
    assert "SECRETMAC" not in logged and "someone@example.com" not in logged


def test_board_serve_turns_uvicorns_raw_path_access_log_off():
    assert UVICORN_OPTIONS["access_log"] is False
