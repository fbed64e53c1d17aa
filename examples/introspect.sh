#!/bin/sh
# Check an iamport-verify attestation from any language with no JWT library: ask the verifier.
#
#   ISSUER=https://verify.example.com SITE_ORIGIN=https://shop.example MIN_AGE=19 sh examples/introspect.sh TOKEN
#
# Prints the verifier's answer: {"active":true,...claims} or {"active":false} (RFC 7662; the
# verifier never says why). Trust the claims only when "active" is true.
set -eu
token=$1
# The token goes into JSON by hand below: let nothing through that could break out of the string.
case $token in
  *[!A-Za-z0-9_.-]*|'') echo '{"active":false}'; exit 0 ;;
esac
# audience: your site's own origin (a token for another site is inactive); min_age only when you want one.
curl --silent --show-error --fail --max-time 5 \
  --header 'content-type: application/json' \
  --data "{\"token\":\"$token\",\"audience\":\"$SITE_ORIGIN\"${MIN_AGE:+,\"min_age\":$MIN_AGE}}" \
  "$ISSUER/v1/introspect"
echo
