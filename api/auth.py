"""Bearer-token authentication: signed JWTs carrying a subject and roles.

Tokens are HS256 JWTs signed with the deployment secret (see ``infra.settings``), so
``medcredit token`` can mint one offline that the running server accepts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import jwt
from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.requests import HTTPConnection

from common.errors import MedcreditError
from common.roles import Role
from infra.principal import Principal

_ALGORITHM = "HS256"
_ISSUER = "medcredit"


class TokenLifetimeError(MedcreditError, ValueError):
    """A token was asked for longer than the deployment allows."""


def mint_token(
    secret: str, subject: str, roles: Iterable[Role], ttl_hours: float, *, max_hours: float | None = None
) -> str:
    """Return a signed token for ``subject`` with ``roles`` valid for ``ttl_hours``.

    Raises:
        TokenLifetimeError: ``ttl_hours`` is not positive or exceeds ``max_hours``.
    """
    if ttl_hours <= 0 or (max_hours is not None and ttl_hours > max_hours):
        raise TokenLifetimeError(f"a token may live between 0 and {max_hours} hours, not {ttl_hours}")
    now = datetime.now(UTC)
    claims = {
        "iss": _ISSUER,
        "sub": subject,
        "roles": sorted(role.value for role in roles),
        "iat": now,
        "exp": now + timedelta(hours=ttl_hours),
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def principal_from_token(secret: str, token: str, *, max_hours: float | None = None) -> Principal | None:
    """Return the caller a token names, or None when it is invalid, expired or forged.

    A token must carry ``exp`` and ``iat``; with ``max_hours`` its lifetime (exp - iat)
    may not exceed it either, so a token minted elsewhere "for a century" is refused.
    """
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], issuer=_ISSUER, options={"require": ["exp", "iat", "sub"]}
        )
        roles = frozenset(Role(value) for value in claims.get("roles", []))
        issued, expires = float(claims["iat"]), float(claims["exp"])
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None
    if max_hours is not None and expires - issued > max_hours * 3600 + 60:
        return None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        return None
    return Principal(subject=subject, roles=roles, expires_at=datetime.fromtimestamp(expires, UTC))


def principal_from_header(secret: str, header: str | None, *, max_hours: float | None = None) -> Principal | None:
    """Parse an ``Authorization: Bearer <token>`` header value."""
    if not header or not isinstance(header, str):
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return principal_from_token(secret, token.strip(), max_hours=max_hours)


class BearerTokenBackend(AuthenticationBackend):
    """Starlette backend: a valid bearer token makes the request authenticated."""

    def __init__(self, secret: str, max_hours: float | None = None) -> None:
        self._secret = secret
        self._max_hours = max_hours

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        principal = principal_from_header(self._secret, conn.headers.get("authorization"), max_hours=self._max_hours)
        if principal is None:
            return None
        return AuthCredentials(["authenticated", *(r.value for r in principal.roles)]), principal
