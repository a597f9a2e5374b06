"""Who is logged in, and the CSRF token every form carries.

The session cookie is signed (Starlette's SessionMiddleware, itsdangerous) with a key
derived from the operator token: every replica accepts the same sessions, and rotating the
token logs everybody out. The CSRF token is random per session and compared in constant
time; SameSite=Strict already keeps other sites' forms from sending the cookie, the token
covers browsers and proxies that do not honour it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pydantic import SecretStr
from starlette.requests import Request

SESSION_KEY_CONTEXT = b"ml-connector console session v1"


def session_key(operator_token: SecretStr | None) -> str:
    """Signing key of the session cookie; random (no login possible) without a token."""
    if operator_token is None:
        return secrets.token_hex(32)
    secret = operator_token.get_secret_value().encode()
    return hmac.new(secret, SESSION_KEY_CONTEXT, hashlib.sha256).hexdigest()


def token_matches(given: str, operator_token: SecretStr | None) -> bool:
    if operator_token is None:
        return False
    return hmac.compare_digest(given.encode(), operator_token.get_secret_value().encode())


def log_in(request: Request) -> None:
    request.session.clear()
    request.session["operator"] = True
    request.session["csrf"] = secrets.token_urlsafe(32)


def logged_in(request: Request) -> bool:
    return request.session.get("operator") is True


def csrf_token(request: Request) -> str:
    return str(request.session.get("csrf", ""))


def csrf_ok(request: Request, given: str | None) -> bool:
    expected = csrf_token(request)
    return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())


def flash(request: Request, message: str) -> None:
    request.session["flash"] = [*request.session.get("flash", []), message]


def take_flashes(request: Request) -> list[str]:
    found: list[str] = request.session.pop("flash", [])
    return found
