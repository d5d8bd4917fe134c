"""Security headers on every answer: a CSP that allows only this site (no inline script),
nosniff, a referrer policy, no framing, and HSTS in production."""

from __future__ import annotations

from litestar import Response

from board.settings import Settings

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; "
       "object-src 'none'; frame-ancestors 'none'")


def security_headers(settings: Settings):
    async def after_request(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if settings.production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    return after_request
