// Check an iamport-verify attestation in Go with golang-jwt: the same checks as `iamport-verify/server`.
//
//	go get github.com/golang-jwt/jwt/v4    # Debian: apt-get install golang-github-golang-jwt-jwt-dev, then
//	                                       # GOPATH=/usr/share/gocode GO111MODULE=off go build examples/verify_attestation.go
//	ISSUER=http://127.0.0.1:8787 SITE_ORIGIN=http://127.0.0.1:8787 MIN_AGE=19 ./verify_attestation TOKEN...
//
// Prints `valid <claims as JSON>` or `refused <code>` (the kit's codes) per token; exits 1 if any was refused.
// MIN_YEAR_AGE, GUARDIAN_UNDER and NONCE add those requirements. With no TOKEN argument it reads one
// token per line from stdin and answers each as it comes, as a long-running worker keeps its key cache.
// JWKS_MAX_AGE_SECONDS (default 600) is how long the fetched keys are trusted before the JWKS is asked again.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

const (
	tokenType = "iamport-verify+jwt"
	leeway    = 30 * time.Second // small on purpose: attestations live 10 minutes
	// An unknown kid refetches the JWKS at most this often, so forged kids cannot make us hammer the verifier.
	refetchCooldown = time.Minute
	// A key set older than this is fetched again, so a key the verifier withdrew stops verifying.
	defaultJWKSMaxAge = 10 * time.Minute
)

// AttestationError carries the kit's stable code (invalid_token, token_expired, ...).
type AttestationError struct{ Code string }

func (e *AttestationError) Error() string { return e.Code }

type Requirements struct {
	MinAge, MinYearAge *int
	// GuardianUnder: under-14 consent; a person under this age (만 나이) needs a guardian in the token.
	GuardianUnder *int
	Nonce         string
}

// guardianMinAge is the age (만 나이) at which the Civil Act makes someone an adult, as a guardian must be.
const guardianMinAge = 19

type Verifier struct {
	Issuer, Audience string // Audience: your site's own origin
	keys             *jwks
}

// NewVerifier checks tokens of issuer for audience; jwksMaxAge is how long fetched keys are trusted.
func NewVerifier(issuer, audience string, jwksMaxAge time.Duration) *Verifier {
	return &Verifier{issuer, audience, &jwks{uri: strings.TrimRight(issuer, "/") + "/.well-known/jwks.json", maxAge: jwksMaxAge}}
}

// Verify returns the claims of a valid attestation for v.Audience, or an *AttestationError.
func (v *Verifier) Verify(token string, want Requirements) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, v.keyFor,
		jwt.WithValidMethods([]string{"ES256"}), // pinned: never taken from the token
		// golang-jwt v4 has no leeway and accepts a missing exp: we check the claims below.
		jwt.WithoutClaimsValidation())
	var refused *AttestationError
	if errors.As(err, &refused) {
		return nil, refused
	}
	if err != nil {
		return nil, &AttestationError{"invalid_token"}
	}

	for _, name := range []string{"iss", "aud", "sub", "iat", "nbf", "exp", "jti"} {
		if _, ok := claims[name]; !ok {
			return nil, &AttestationError{"invalid_token"}
		}
	}
	// We sign exactly one shape (one aud, a non-empty sub); golang-jwt also accepts an aud list holding the site.
	if aud, _ := claims["aud"].(string); aud == "" {
		return nil, &AttestationError{"invalid_token"}
	}
	if sub, _ := claims["sub"].(string); sub == "" {
		return nil, &AttestationError{"invalid_token"}
	}
	now := time.Now()
	switch {
	case !claims.VerifyIssuer(v.Issuer, true):
		return nil, &AttestationError{"wrong_issuer"}
	case !claims.VerifyAudience(v.Audience, true):
		return nil, &AttestationError{"wrong_audience"}
	case !claims.VerifyExpiresAt(now.Add(-leeway).Unix(), true):
		return nil, &AttestationError{"token_expired"}
	case !claims.VerifyNotBefore(now.Add(leeway).Unix(), true):
		return nil, &AttestationError{"token_not_yet_valid"}
	}
	// The token names the rule it checked: age_over is 만 나이, year_age_over the Youth Protection Act's year rule.
	if !atLeast(claims["age_over"], want.MinAge) || !atLeast(claims["year_age_over"], want.MinYearAge) {
		return nil, &AttestationError{"age_too_low"}
	}
	if want.GuardianUnder != nil && !ageOrGuardian(claims, *want.GuardianUnder) {
		return nil, &AttestationError{"guardian_missing"}
	}
	if want.Nonce != "" && claims["nonce"] != want.Nonce {
		return nil, &AttestationError{"nonce_mismatch"}
	}
	return claims, nil
}

// keyFor checks the header, which golang-jwt leaves to us (RFC 8725 §3.11: explicit typing;
// and no jku, jwk, x5u or crit that could let a token pick its own key), then finds the key.
func (v *Verifier) keyFor(token *jwt.Token) (interface{}, error) {
	members := make([]string, 0, len(token.Header))
	for name := range token.Header {
		members = append(members, name)
	}
	sort.Strings(members)
	kid, _ := token.Header["kid"].(string)
	if strings.Join(members, ",") != "alg,kid,typ" || token.Header["typ"] != tokenType || kid == "" {
		return nil, &AttestationError{"invalid_token"}
	}
	return v.keys.find(kid)
}

func atLeast(claim interface{}, wanted *int) bool {
	if wanted == nil {
		return true
	}
	value, ok := claim.(float64) // encoding/json's number
	return ok && value == float64(int64(value)) && value >= float64(*wanted)
}

// atMost is atLeast's mirror, for age_under.
func atMost(claim interface{}, most int) bool {
	value, ok := claim.(float64)
	return ok && value == float64(int64(value)) && value <= float64(most)
}

// ageOrGuardian: at least `age` (만 나이), or age_under at most `age` with a guardian who verified as an adult.
func ageOrGuardian(claims jwt.MapClaims, age int) bool {
	if atLeast(claims["age_over"], &age) {
		return true
	}
	guardian, _ := claims["guardian"].(map[string]interface{})
	sub, _ := guardian["sub"].(string)
	adult := guardianMinAge
	return atMost(claims["age_under"], age) && sub != "" && atLeast(guardian["age_over"], &adult)
}

// jwks is the verifier's public keys, fetched when first needed, again once they are older than
// maxAge, and on an unknown kid; never more than once per cooldown, counted from the last attempt.
type jwks struct {
	uri                    string
	maxAge                 time.Duration
	mu                     sync.Mutex
	keys                   map[string]*ecdsa.PublicKey
	fetchedAt, attemptedAt time.Time
}

func (s *jwks) find(kid string) (*ecdsa.PublicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fresh := s.keys != nil && time.Since(s.fetchedAt) < s.maxAge
	// A set can be no fresher than its max age, so a shorter max age shortens the cooldown too.
	cooldown := refetchCooldown
	if s.maxAge < cooldown {
		cooldown = s.maxAge
	}
	if !(fresh && s.keys[kid] != nil) && time.Since(s.attemptedAt) >= cooldown {
		s.attemptedAt = time.Now()
		// On failure, the keys we already had are still the best answer.
		if keys, err := fetchKeys(s.uri); err == nil {
			s.keys, s.fetchedAt = keys, s.attemptedAt
		}
	}
	if s.keys == nil {
		return nil, &AttestationError{"jwks_unavailable"}
	}
	if key := s.keys[kid]; key != nil {
		return key, nil
	}
	return nil, &AttestationError{"unknown_key"}
}

func fetchKeys(uri string) (map[string]*ecdsa.PublicKey, error) {
	client := http.Client{Timeout: 5 * time.Second}
	response, err := client.Get(uri)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	var set struct {
		Keys []struct{ Kty, Crv, Kid, X, Y string }
	}
	if response.StatusCode != http.StatusOK || json.NewDecoder(response.Body).Decode(&set) != nil {
		return nil, fmt.Errorf("the JWKS answered %d or garbage", response.StatusCode)
	}
	keys := map[string]*ecdsa.PublicKey{}
	for _, jwk := range set.Keys {
		x, errX := base64.RawURLEncoding.DecodeString(jwk.X)
		y, errY := base64.RawURLEncoding.DecodeString(jwk.Y)
		if jwk.Kty != "EC" || jwk.Crv != "P-256" || errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
			continue // not a P-256 key: it cannot verify our tokens
		}
		key := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		if key.Curve.IsOnCurve(key.X, key.Y) {
			keys[jwk.Kid] = key
		}
	}
	return keys, nil
}

func intFromEnv(name string) *int {
	if value, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return &value
	}
	return nil
}

func main() {
	maxAge := defaultJWKSMaxAge
	if seconds := intFromEnv("JWKS_MAX_AGE_SECONDS"); seconds != nil {
		maxAge = time.Duration(*seconds) * time.Second
	}
	verifier := NewVerifier(os.Getenv("ISSUER"), os.Getenv("SITE_ORIGIN"), maxAge)
	want := Requirements{MinAge: intFromEnv("MIN_AGE"), MinYearAge: intFromEnv("MIN_YEAR_AGE"), GuardianUnder: intFromEnv("GUARDIAN_UNDER"), Nonce: os.Getenv("NONCE")}
	allValid := true
	check := func(token string) {
		claims, err := verifier.Verify(token, want)
		if err != nil {
			fmt.Println("refused", err.(*AttestationError).Code)
			allValid = false
			return
		}
		// Store claims["sub"] (unique per person and site) to allow one account per person.
		encoded, _ := json.Marshal(claims)
		fmt.Println("valid", string(encoded))
	}
	if len(os.Args) > 1 {
		for _, token := range os.Args[1:] {
			check(token)
		}
	} else {
		for lines := bufio.NewScanner(os.Stdin); lines.Scan(); {
			check(strings.TrimSpace(lines.Text()))
		}
	}
	if !allValid {
		os.Exit(1)
	}
}
