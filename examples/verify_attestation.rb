# Check an iamport-verify attestation in Ruby with ruby-jwt: the same checks as `iamport-verify/server`.
#
#   gem install jwt                    # ruby-jwt 2.5+ (Debian: apt-get install ruby ruby-jwt)
#   ISSUER=http://127.0.0.1:8787 SITE_ORIGIN=http://127.0.0.1:8787 MIN_AGE=19 ruby examples/verify_attestation.rb TOKEN...
#
# Prints `valid <claims as JSON>` or `refused <code>` (the kit's codes) per token; exits 1 if any was refused.
# MIN_YEAR_AGE, GUARDIAN_UNDER and NONCE add those requirements. With no TOKEN argument it reads one
# token per line from stdin and answers each as it comes, as a long-running worker keeps its key cache.
# JWKS_MAX_AGE_SECONDS (default 600) is how long the fetched keys are trusted before the JWKS is asked again.
require 'base64'
require 'json'
require 'jwt'
require 'net/http'

class AttestationError < StandardError
  attr_reader :code

  def initialize(code)
    super(code)
    @code = code
  end
end

class AttestationVerifier
  TOKEN_TYPE = 'iamport-verify+jwt'
  REQUIRED_CLAIMS = %w[iss aud sub iat nbf exp jti].freeze
  LEEWAY_SECONDS = 30 # small on purpose: attestations live 10 minutes
  # An unknown kid refetches the JWKS at most this often, so forged kids cannot make us hammer the verifier.
  REFETCH_COOLDOWN_SECONDS = 60
  # A key set older than this is fetched again, so a key the verifier withdrew stops verifying.
  JWKS_MAX_AGE_SECONDS = 600
  # The age (만 나이) at which the Civil Act makes someone an adult, as an under-14 person's guardian must be.
  GUARDIAN_MIN_AGE = 19

  def initialize(issuer:, audience:, jwks_max_age_seconds: JWKS_MAX_AGE_SECONDS)
    @issuer = issuer
    @audience = audience # your site's own origin
    @jwks_uri = URI("#{issuer.chomp('/')}/.well-known/jwks.json")
    @jwks_max_age = jwks_max_age_seconds
    # A set can be no fresher than its max age, so a shorter max age shortens the cooldown too.
    @refetch_cooldown = [REFETCH_COOLDOWN_SECONDS, jwks_max_age_seconds].min
    @keys = nil
    @fetched_at = nil
    @attempted_at = nil
  end

  # The claims of a valid attestation for this site, or raises AttestationError.
  def verify(token, min_age: nil, min_year_age: nil, guardian_under: nil, nonce: nil)
    # ruby-jwt reads s as "whatever follows r", so r || 00 00 || s would verify: insist on JWS's 32 + 32 bytes.
    signature = token.split('.', -1)[2].to_s
    unless signature.match?(/\A[A-Za-z0-9_-]+\z/) && Base64.urlsafe_decode64(signature).bytesize == 64
      raise AttestationError, 'invalid_token'
    end

    claims, = JWT.decode(token, nil, true,
                         algorithms: ['ES256'], # pinned: never taken from the token
                         iss: @issuer, verify_iss: true, aud: @audience, verify_aud: true,
                         leeway: LEEWAY_SECONDS, required_claims: REQUIRED_CLAIMS) do |header|
      # ruby-jwt checks neither typ nor which header members there are, so we do (RFC 8725 §3.11):
      # exactly alg, typ and kid; no jku, jwk, x5u or crit that could let a token pick its own key.
      raise AttestationError, 'invalid_token' unless header.keys.sort == %w[alg kid typ] && header['typ'] == TOKEN_TYPE
      key_for(header['kid'])
    end

    # We sign exactly one shape (one aud, a non-empty sub); ruby-jwt also accepts an aud list holding the site.
    raise AttestationError, 'invalid_token' unless claims['aud'].is_a?(String) && claims['sub'].is_a?(String) && !claims['sub'].empty?

    # The token names the rule it checked: age_over is 만 나이, year_age_over the Youth Protection Act's year rule.
    { 'age_over' => min_age, 'year_age_over' => min_year_age }.each do |claim, wanted|
      raise AttestationError, 'age_too_low' if wanted && !(claims[claim].is_a?(Integer) && claims[claim] >= wanted)
    end
    raise AttestationError, 'guardian_missing' if guardian_under && !age_or_guardian?(claims, guardian_under)
    raise AttestationError, 'nonce_mismatch' if nonce && claims['nonce'] != nonce

    claims
  rescue JWT::ExpiredSignature
    raise AttestationError, 'token_expired'
  rescue JWT::ImmatureSignature
    raise AttestationError, 'token_not_yet_valid'
  rescue JWT::InvalidIssuerError
    raise AttestationError, 'wrong_issuer'
  rescue JWT::InvalidAudError
    raise AttestationError, 'wrong_audience'
  rescue JWT::DecodeError, ArgumentError # ArgumentError: Base64 of a malformed signature
    raise AttestationError, 'invalid_token'
  end

  private

  # Under-14 consent: at least `age` (만 나이), or age_under at most `age` with a guardian who verified as an adult.
  def age_or_guardian?(claims, age)
    return true if claims['age_over'].is_a?(Integer) && claims['age_over'] >= age

    guardian = claims['guardian']
    claims['age_under'].is_a?(Integer) && claims['age_under'] <= age &&
      guardian.is_a?(Hash) && guardian['sub'].is_a?(String) && !guardian['sub'].empty? &&
      guardian['age_over'].is_a?(Integer) && guardian['age_over'] >= GUARDIAN_MIN_AGE
  end

  # The key from the cached set; the JWKS is fetched when the set is older than its max age or lacks
  # the kid, never more than once per cooldown, counted from the last attempt whatever its outcome.
  def key_for(kid)
    now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    fresh = @keys && now - @fetched_at < @jwks_max_age
    if !(fresh && @keys.key?(kid)) && (@attempted_at.nil? || now - @attempted_at >= @refetch_cooldown)
      @attempted_at = now
      fetched = fetch_keys
      # On failure, the keys we already had are still the best answer.
      if fetched
        @keys = fetched
        @fetched_at = now
      end
    end
    raise AttestationError, 'jwks_unavailable' if @keys.nil?
    raise AttestationError, 'unknown_key' unless @keys.key?(kid)

    @keys[kid]
  end

  def fetch_keys
    response = Net::HTTP.get_response(@jwks_uri)
    return nil unless response.is_a?(Net::HTTPOK)

    JSON.parse(response.body).fetch('keys').each_with_object({}) do |jwk, keys|
      next unless jwk['kty'] == 'EC' && jwk['crv'] == 'P-256' # only P-256 keys can verify our tokens

      keys[jwk['kid']] = JWT::JWK.import(jwk.slice('kty', 'crv', 'x', 'y', 'kid')).keypair
    end
  rescue StandardError
    nil
  end
end

if $PROGRAM_NAME == __FILE__
  verifier = AttestationVerifier.new(issuer: ENV.fetch('ISSUER'), audience: ENV.fetch('SITE_ORIGIN'),
                                     jwks_max_age_seconds: Integer(ENV.fetch('JWKS_MAX_AGE_SECONDS', AttestationVerifier::JWKS_MAX_AGE_SECONDS)))
  requirements = {
    min_age: ENV['MIN_AGE']&.to_i, min_year_age: ENV['MIN_YEAR_AGE']&.to_i,
    guardian_under: ENV['GUARDIAN_UNDER']&.to_i, nonce: ENV['NONCE']
  }
  all_valid = true
  $stdout.sync = true # each answer as soon as it is known
  (ARGV.empty? ? $stdin.each_line.lazy.map(&:strip) : ARGV).each do |token|
    claims = verifier.verify(token, **requirements)
    # Store claims['sub'] (unique per person and site) to allow one account per person.
    puts "valid #{JSON.generate(claims)}"
  rescue AttestationError => e
    puts "refused #{e.code}"
    all_valid = false
  end
  exit(all_valid ? 0 : 1)
end
