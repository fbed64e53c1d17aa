"""Check an iamport-verify attestation in Python with PyJWT: the same checks as `iamport-verify/server`.

    pip install "pyjwt[crypto]"        # PyJWT 2.6+ (Debian: apt-get install python3-jwt)
    ISSUER=http://127.0.0.1:8787 SITE_ORIGIN=http://127.0.0.1:8787 python3 examples/verify_attestation.py TOKEN

Prints the claims, or the refusal's code (the kit's codes) and exits 1.
"""
import os
import sys

import jwt

TOKEN_TYPE = "iamport-verify+jwt"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"]
CLOCK_TOLERANCE_SECONDS = 30

_key_clients = {}


class AttestationError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def verify_attestation(token, *, issuer, audience, min_age=None, nonce=None, jwks_uri=None):
    """Return the claims of a valid attestation for `audience` (your site's origin), or raise AttestationError."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AttestationError("invalid_token")
    # RFC 8725 §3.11: our tokens' header is exactly alg, typ and kid; jku, jwk, x5u, crit... are refused.
    if sorted(header) != ["alg", "kid", "typ"] or header["alg"] != "ES256" or header["typ"] != TOKEN_TYPE:
        raise AttestationError("invalid_token")

    uri = jwks_uri or issuer.rstrip("/") + "/.well-known/jwks.json"
    # One client per JWKS: it caches the key set for 5 minutes. Unlike the kit, it refetches on every
    # unknown kid: rate-limit this endpoint if that matters to you.
    keys = _key_clients.setdefault(uri, jwt.PyJWKClient(uri))
    try:
        keys.get_jwk_set()  # from the cache, or fetched
    except jwt.PyJWKClientError:
        raise AttestationError("jwks_unavailable")
    try:
        key = keys.get_signing_key(header["kid"]).key
    except jwt.PyJWKClientError:
        raise AttestationError("unknown_key")

    try:
        claims = jwt.decode(
            token, key, algorithms=["ES256"],  # pinned: never taken from the token
            audience=audience, issuer=issuer, leeway=CLOCK_TOLERANCE_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise AttestationError("token_expired")
    except jwt.ImmatureSignatureError:
        raise AttestationError("token_not_yet_valid")
    except jwt.InvalidIssuerError:
        raise AttestationError("wrong_issuer")
    except jwt.InvalidAudienceError:
        raise AttestationError("wrong_audience")
    except jwt.PyJWTError:
        raise AttestationError("invalid_token")

    if min_age is not None and not (isinstance(claims.get("age_over"), int) and claims["age_over"] >= min_age):
        raise AttestationError("age_too_low")
    if nonce is not None and claims.get("nonce") != nonce:
        raise AttestationError("nonce_mismatch")
    return claims


if __name__ == "__main__":
    try:
        print(verify_attestation(
            sys.argv[1], issuer=os.environ["ISSUER"], audience=os.environ["SITE_ORIGIN"],
            min_age=int(os.environ.get("MIN_AGE", "19")),
        ))
    except AttestationError as error:
        print(error.code)
        sys.exit(1)
