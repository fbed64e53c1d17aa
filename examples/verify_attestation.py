"""Check an iamport-verify attestation in Python with PyJWT: the same checks as `iamport-verify/server`.

    pip install "pyjwt[crypto]"        # PyJWT 2.6+ (Debian: apt-get install python3-jwt, then /usr/bin/python3)
    ISSUER=http://127.0.0.1:8787 SITE_ORIGIN=http://127.0.0.1:8787 MIN_AGE=19 python3 examples/verify_attestation.py TOKEN...

Prints `valid <claims as JSON>` or `refused <code>` (the kit's codes) per token; exits 1 if any was refused.
MIN_YEAR_AGE, GUARDIAN_UNDER and NONCE add those requirements. With no TOKEN argument it reads one
token per line from stdin and answers each as it comes, as a long-running worker keeps its key cache.
JWKS_MAX_AGE_SECONDS (default 600) is how long the fetched keys are trusted before the JWKS is asked again.
"""
import json
import os
import sys
import threading
import time

import jwt

TOKEN_TYPE = "iamport-verify+jwt"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"]
CLOCK_TOLERANCE_SECONDS = 30
# An unknown kid refetches the JWKS at most this often, so forged kids cannot make us hammer the verifier.
REFETCH_COOLDOWN_SECONDS = 60
# A key set older than this is fetched again, so a key the verifier withdrew stops verifying.
JWKS_MAX_AGE_SECONDS = 600
# The age (만 나이) at which the Civil Act makes someone an adult, as an under-14 person's guardian must be.
GUARDIAN_MIN_AGE = 19

_key_sets = {}


class AttestationError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


class _KeySet:
    """The verifier's public keys by kid. PyJWKClient fetches and parses them; the caching is ours, because
    PyJWKClient refetches on every unknown kid (anyone could make us hammer the verifier with made-up kids)."""

    def __init__(self, uri, max_age_seconds):
        self._client = jwt.PyJWKClient(uri, cache_jwk_set=False)
        self._max_age = max_age_seconds
        # A set can be no fresher than its cache time, so a shorter cache time shortens the cooldown too.
        self._cooldown = min(REFETCH_COOLDOWN_SECONDS, max_age_seconds)
        self._keys = None  # {kid: PyJWK} once a fetch worked
        self._fetched_at = self._attempted_at = None
        self._lock = threading.Lock()

    def key(self, kid):
        with self._lock:
            now = time.monotonic()
            fresh = self._keys is not None and now - self._fetched_at < self._max_age
            asked_lately = self._attempted_at is not None and now - self._attempted_at < self._cooldown
            if not (fresh and kid in self._keys) and not asked_lately:
                # The cooldown counts from the last attempt, whatever its outcome: a JWKS that is down is not asked on every token.
                self._attempted_at = now
                try:
                    self._keys = {key.key_id: key for key in self._client.get_jwk_set().keys if key.key_id}
                    self._fetched_at = now
                except (jwt.PyJWTError, ValueError):  # ValueError: a body that is not JSON
                    pass  # the keys we already had are still the best answer
            if self._keys is None:
                raise AttestationError("jwks_unavailable")
            if kid not in self._keys:
                raise AttestationError("unknown_key")
            return self._keys[kid].key


def verify_attestation(token, *, issuer, audience, min_age=None, min_year_age=None, guardian_under=None, nonce=None, jwks_uri=None,
                       jwks_max_age_seconds=JWKS_MAX_AGE_SECONDS):
    """Return the claims of a valid attestation for `audience` (your site's origin), or raise AttestationError."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AttestationError("invalid_token")
    # PyJWT checks neither typ nor which header members there are, so we do (RFC 8725 §3.11):
    # the header is exactly alg, typ and kid; jku, jwk, x5u, crit... are refused.
    if sorted(header) != ["alg", "kid", "typ"] or header["alg"] != "ES256" or header["typ"] != TOKEN_TYPE or not isinstance(header["kid"], str):
        raise AttestationError("invalid_token")

    uri = jwks_uri or issuer.rstrip("/") + "/.well-known/jwks.json"
    # One key set per JWKS, shared by every verification in this process.
    key = _key_sets.setdefault(uri, _KeySet(uri, jwks_max_age_seconds)).key(header["kid"])

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

    # We sign exactly one shape (one aud, a non-empty sub); PyJWT also accepts an aud list holding the site.
    if not isinstance(claims["aud"], str) or not isinstance(claims["sub"], str) or not claims["sub"]:
        raise AttestationError("invalid_token")
    # The token names the rule it checked: age_over is 만 나이, year_age_over the Youth Protection Act's year rule.
    for wanted, claim in ((min_age, "age_over"), (min_year_age, "year_age_over")):
        if wanted is not None and not (isinstance(claims.get(claim), int) and claims[claim] >= wanted):
            raise AttestationError("age_too_low")
    if guardian_under is not None and not _has_age_or_guardian(claims, guardian_under):
        raise AttestationError("guardian_missing")
    if nonce is not None and claims.get("nonce") != nonce:
        raise AttestationError("nonce_mismatch")
    return claims


def _has_age_or_guardian(claims, age):
    """Under-14 consent: at least `age` (만 나이), or `age_under` at most `age` with a guardian who verified as an adult."""
    if isinstance(claims.get("age_over"), int) and claims["age_over"] >= age:
        return True
    guardian = claims.get("guardian")
    return (
        isinstance(claims.get("age_under"), int) and claims["age_under"] <= age
        and isinstance(guardian, dict) and isinstance(guardian.get("sub"), str) and guardian["sub"] != ""
        and isinstance(guardian.get("age_over"), int) and guardian["age_over"] >= GUARDIAN_MIN_AGE
    )


def _int_or_none(name):
    value = os.environ.get(name)
    return None if value is None else int(value)


if __name__ == "__main__":
    all_valid = True
    for token in sys.argv[1:] or (line.strip() for line in sys.stdin):
        try:
            claims = verify_attestation(
                token, issuer=os.environ["ISSUER"], audience=os.environ["SITE_ORIGIN"],
                min_age=_int_or_none("MIN_AGE"), min_year_age=_int_or_none("MIN_YEAR_AGE"),
                guardian_under=_int_or_none("GUARDIAN_UNDER"), nonce=os.environ.get("NONCE"),
                jwks_max_age_seconds=_int_or_none("JWKS_MAX_AGE_SECONDS") or JWKS_MAX_AGE_SECONDS,
            )
            # Store claims["sub"] (unique per person and site) to allow one account per person.
            print("valid", json.dumps(claims), flush=True)
        except AttestationError as error:
            print("refused", error.code, flush=True)
            all_valid = False
    sys.exit(0 if all_valid else 1)
