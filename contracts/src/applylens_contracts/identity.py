"""Verified identity for every user-facing endpoint.

A request acts for the user in the ``sub`` claim of a JWT sent as
``Authorization: Bearer <token>``. Tokens are HS256 (shared ``JWT_SECRET``) or
signed by an identity provider whose keys are served at ``JWT_JWKS_URL``; ``exp`` is
required. Any failure is a 401 with a message saying what was wrong.
"""

from __future__ import annotations

import time
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status

from .settings import ServiceSettings

_ASYMMETRIC = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class IdentityError(Exception):
    pass


class TokenVerifier:
    """Checks a JWT's signature, ``exp`` (required), and audience/issuer when configured."""

    def __init__(
        self,
        *,
        secret: str | None = None,
        jwks_url: str | None = None,
        audience: str | None = None,
        issuer: str | None = None,
        leeway_seconds: int = 30,
    ) -> None:
        if not secret and not jwks_url:
            raise ValueError("identity is not configured: set JWT_SECRET or JWT_JWKS_URL")
        self._secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self._audience = audience
        self._issuer = issuer
        self._leeway = leeway_seconds

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "TokenVerifier":
        return cls(
            secret=settings.jwt_secret.get_secret_value() if settings.jwt_secret else None,
            jwks_url=settings.jwt_jwks_url,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            leeway_seconds=settings.jwt_leeway_seconds,
        )

    def verify(self, token: str) -> str:
        """Return the verified user id (``sub``). Raises ``IdentityError`` with a clear message."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise IdentityError(f"malformed token: {exc}") from None
        alg = header.get("alg")
        try:
            if self._jwks is not None and alg in _ASYMMETRIC:
                key = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = _ASYMMETRIC
            elif self._secret is not None and alg == "HS256":
                key, algorithms = self._secret, ["HS256"]
            else:
                raise IdentityError(f"token algorithm {alg!r} is not accepted")
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "sub"], "verify_aud": self._audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise IdentityError("token has expired") from None
        except jwt.MissingRequiredClaimError as exc:
            raise IdentityError(f"token is missing the {exc.claim!r} claim") from None
        except jwt.PyJWKClientError as exc:
            raise IdentityError(f"signing key not found: {exc}") from None
        except jwt.PyJWTError as exc:
            raise IdentityError(f"invalid token: {exc}") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise IdentityError("token 'sub' must be a non-empty string")
        return subject


def mint_token(
    user_id: str,
    secret: str,
    *,
    ttl_seconds: int = 3600,
    audience: str | None = None,
    issuer: str | None = None,
    now: float | None = None,
) -> str:
    """An HS256 token for ``user_id``, for local use and tests."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {"sub": user_id, "iat": issued, "exp": issued + ttl_seconds}
    if audience:
        claims["aud"] = audience
    if issuer:
        claims["iss"] = issuer
    return jwt.encode(claims, secret, algorithm="HS256")


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=message,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def verifier_of(request: Request) -> TokenVerifier:
    verifier = getattr(request.app.state, "token_verifier", None)
    if verifier is None:  # a wiring bug, not the caller's fault
        raise RuntimeError("app.state.token_verifier is not set; wire it in the service's bootstrap")
    return verifier


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Authorization header must be 'Bearer <token>'")
    return token.strip()


def authenticate(request: Request, token: str | None) -> str:
    """Verify ``token`` (which the caller took from wherever its endpoint allows) and return the user id."""
    if not token:
        raise _unauthorized("missing credentials: send 'Authorization: Bearer <token>'")
    try:
        return verifier_of(request).verify(token)
    except IdentityError as exc:
        raise _unauthorized(str(exc)) from None


def current_user(request: Request) -> str:
    """FastAPI dependency: the verified user id from the bearer token."""
    return authenticate(request, bearer_token(request))


CurrentUser = Annotated[str, Depends(current_user)]
