"""Password login for ``launch(auth=...)``: credentials, session tokens, rate limit, and the gate.

``auth`` is ``(user, password)``, a list of such pairs, or ``callable(user, password) -> bool``. A
successful ``POST /login`` sets an HttpOnly, SameSite=Strict cookie holding a random token that expires
(and dies at ``GET /logout``). Every route except the login itself, static assets, ``/health`` and the
page at ``/`` (which then shows a login form) answers 401 without a valid token. Failed logins are
limited per client address and per account (``_login_limits``).
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from carpool.server._guards import send_json_error
from carpool.server._login_limits import AccountThrottle, AddressLimit
from carpool.server._requests import USERNAME_SCOPE_KEY
from carpool.server._settings import AuthSpec

__all__ = ["COOKIE_NAME", "AuthGate", "Authenticator"]

COOKIE_NAME = "carpool_session"
RATE_WINDOW = 60.0
ACCOUNT_HALF_LIFE = 300.0  # seconds for an account's failure score to halve
MAX_TOKENS = 100_000
PUBLIC_PATHS = frozenset({"/login", "/health", "/favicon.ico"})


def _credential_checker(spec: AuthSpec) -> Callable[[str, str], bool]:
    if callable(spec):
        return spec
    pairs: Sequence[tuple[str, str]]
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(part, str) for part in spec):
        pairs = [spec]  # type: ignore[list-item]
    else:
        pairs = list(spec)  # type: ignore[arg-type]
    encoded = [(user.encode(), password.encode()) for user, password in pairs]

    def check(username: str, password: str) -> bool:
        # Compare against every pair, always both fields: the time taken says nothing about which
        # user exists or how much of a password matched.
        given_user, given_password = username.encode(), password.encode()
        found = False
        for user, expected in encoded:
            user_ok = hmac.compare_digest(given_user, user)
            password_ok = hmac.compare_digest(given_password, expected)
            found |= user_ok and password_ok
        return found

    return check


@dataclass(frozen=True)
class _Login:
    username: str
    expires_at: float


class Authenticator:
    def __init__(
        self,
        spec: AuthSpec,
        *,
        ttl: float,
        attempts_per_minute: int,
        attempts_per_account: int = 20,
        account_half_life: float = ACCOUNT_HALF_LIFE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check = _credential_checker(spec)
        self.ttl = ttl
        self._clock = clock
        self._tokens: OrderedDict[str, _Login] = OrderedDict()
        self.addresses = AddressLimit(attempts_per_minute, RATE_WINDOW, clock)
        self.accounts = AccountThrottle(attempts_per_account, account_half_life, clock)

    def verify(self, username: str, password: str) -> bool:
        return bool(self._check(username, password))

    def login(self, username: str) -> str:
        token = secrets.token_urlsafe(32)
        self._tokens[token] = _Login(username, self._clock() + self.ttl)
        while len(self._tokens) > MAX_TOKENS:  # oldest logins go first
            self._tokens.popitem(last=False)
        return token

    def user_for(self, token: str | None) -> str | None:
        login = self._tokens.get(token) if token else None
        if login is None:
            return None
        if login.expires_at <= self._clock():
            del self._tokens[token]  # type: ignore[arg-type]
            return None
        return login.username

    def logout(self, token: str | None) -> None:
        if token:
            self._tokens.pop(token, None)

    def retry_after(self, client: str, username: str | None = None) -> float | None:
        """Seconds until ``client`` (trying ``username``) may try again, or None when it may now."""
        waits = [self.addresses.retry_after(client)]
        if username is not None:
            waits.append(self.accounts.retry_after(username, client))
        known = [wait for wait in waits if wait is not None]
        return max(known) if known else None

    def record_failure(self, client: str, username: str | None = None) -> None:
        self.addresses.record_failure(client)
        if username is not None:
            self.accounts.record_failure(username)

    def record_success(self, client: str, username: str) -> None:
        self.accounts.record_success(username, client)


def session_token(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"cookie":
            return cookie_parser(value.decode("latin-1")).get(COOKIE_NAME)
    return None


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root = scope.get("root_path", "")
    return path[len(root) :] or "/" if root and path.startswith(root) else path


class AuthGate:
    """ASGI middleware: a valid session cookie puts its user in the scope; no session, no access."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self.sign_in(scope) and not self._public(_route_path(scope)):
            await send_json_error(send, 401, "unauthorized", "Log in first.")
            return
        await self.app(scope, receive, send)

    def sign_in(self, scope: Scope) -> bool:
        """Put the user of the request's session in the scope; False when it has none."""
        username = self.authenticator.user_for(session_token(scope))
        if username is None:
            return False
        scope[USERNAME_SCOPE_KEY] = username
        return True

    @staticmethod
    def _public(path: str) -> bool:
        return path in PUBLIC_PATHS or path == "/" or path.startswith("/static/")
