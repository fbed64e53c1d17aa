// Forged and misused attestations, as cases every verifier of them must judge alike: the Node
// kit, the PHP class, the recipes in examples/ and the WordPress plugin. Each case starts from
// a real token the verifier issued and changes one thing, and says what a verifier must answer
// under the policy { issuer: the token's iss, audience: its aud, min_age: 19 }: `valid`, or the
// kit's error code (`invalid_token`, `unknown_key`, ...).
//
// Signed by hand with node:crypto rather than jose: jose refuses to sign most of these headers.
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';

export const TOKEN_TYPE = 'iamport-verify+jwt';
/** The age every case is judged against; `over14` and `noAge` tokens must fall short of it. */
export const POLICY_MIN_AGE = 19;
/** The order of P-256's group: s and n - s are both valid ECDSA signatures of one message. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');
const json = (value) => base64url(JSON.stringify(value));

/** The header and claims of a compact JWS, decoded (to copy into a forgery). */
export function partsOf(token) {
  return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
}

/** A compact JWS with exactly this header and payload, ES256 with a JWS's raw r || s signature. */
export function signES256(header, payload, privateKey) {
  return signEncoded(json(header), json(payload), privateKey);
}

/** The same for parts already encoded, whatever they hold (a list, not JSON at all...). */
export function signEncoded(encodedHeader, encodedPayload, privateKey) {
  const input = `${encodedHeader}.${encodedPayload}`;
  return `${input}.${base64url(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`;
}

/** A compact JWS signed HS256 with `secret` as the HMAC key. */
export function signHS256(header, payload, secret) {
  const input = `${json(header)}.${json(payload)}`;
  return `${input}.${base64url(createHmac('sha256', secret).update(input).digest())}`;
}

/** The same token with S replaced by n - S: another valid signature of the same bytes (ECDSA malleability). */
export function highSTwin(token) {
  const [header, payload, signature] = token.split('.');
  const raw = Buffer.from(signature, 'base64url');
  const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  const twin = Buffer.concat([raw.subarray(0, 32), Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex')]);
  return `${header}.${payload}.${base64url(twin)}`;
}

/**
 * @param real.token     a fresh token for `audience`, age_over 19 (the baseline)
 * @param real.over14    a real token with age_over 14
 * @param real.noAge     a real token with no age claim
 * @param real.yearAge   optional: a real token with year_age_over 19 (the year rule), which must not pass for 만 나이
 * @param signingKey     the verifier's private JWK (the local run's): forgeries under our own signature
 * @returns {{ name: string, token: string, expected: string }[]}
 */
export function attestationCases({ token, over14, noAge, yearAge }, signingKey) {
  const { header: realHeader, claims } = partsOf(token);
  // Private keys as PEM text, not KeyObjects: workerd's node:crypto (where the kit's and
  // introspection's suite runs these cases) signs only with key material, as Node does too.
  const ours = createPrivateKey({ key: signingKey, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' });
  const publishedJwk = { kty: signingKey.kty, crv: signingKey.crv, x: signingKey.x, y: signingKey.y, kid: signingKey.kid, alg: 'ES256', use: 'sig' };
  const publicKey = createPublicKey({ key: publishedJwk, format: 'jwk' });
  const attackerPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attacker = { publicKey: attackerPair.publicKey, privateKey: attackerPair.privateKey.export({ type: 'pkcs8', format: 'pem' }) };
  const attackerJwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'attacker' };
  const header = (extra = {}) => ({ alg: 'ES256', typ: TOKEN_TYPE, kid: realHeader.kid, ...extra });
  const resigned = (changes) => signES256(header(), { ...claims, ...changes }, ours);
  const now = Math.floor(Date.now() / 1000);
  const [encodedHeader, encodedPayload, signature] = token.split('.');
  const withSignature = (bytes) => `${encodedHeader}.${encodedPayload}.${base64url(bytes)}`;
  const rawSignature = Buffer.from(signature, 'base64url');

  const cases = [
    ['a real token', token, 'valid'],
    // Every ECDSA library accepts it, and the verifier (WebCrypto) does not normalise S, so
    // refusing high S would refuse genuine tokens. Same claims: "one use" is keyed on sub/jti.
    ['the high-S twin of a real token (same claims)', highSTwin(token), 'valid'],

    ...['none', 'None', 'NONE'].map((alg) => [`alg ${alg} with no signature`, `${json(header({ alg }))}.${encodedPayload}.`, 'invalid_token']),
    ...Object.entries({
      PEM: publicKey.export({ type: 'spki', format: 'pem' }),
      DER: publicKey.export({ type: 'spki', format: 'der' }),
      'JWK JSON': JSON.stringify(publishedJwk),
      'JWKS JSON': JSON.stringify({ keys: [publishedJwk] }),
    }).map(([form, secret]) => [`HS256 with the public key's ${form} as the secret`, signHS256(header({ alg: 'HS256' }), claims, secret), 'invalid_token']),

    ...['JWT', 'at+jwt', 'application/iamport-verify+jwt', 'IAMPORT-VERIFY+JWT'].map((typ) =>
      [`typ ${typ}`, signES256(header({ typ }), claims, ours), 'invalid_token']),
    ['no typ', signES256({ alg: 'ES256', kid: realHeader.kid }, claims, ours), 'invalid_token'],
    ['no kid', signES256({ alg: 'ES256', typ: TOKEN_TYPE }, claims, ours), 'invalid_token'],
    ['a kid that is not published, signed by its own key', signES256(header({ kid: 'attacker' }), claims, attacker.privateKey), 'unknown_key'],

    // Header members that would let the token choose its own key, and other extensions: refused
    // even under our own signature, and so of course under the attacker's.
    ...Object.entries({
      jku: { jku: 'https://evil.example/jwks.json' },
      jwk: { jwk: attackerJwk },
      x5u: { x5u: 'https://evil.example/cert.pem' },
      x5c: { x5c: ['MIIB'] },
      crit: { crit: ['exp'] },
      'crit with an unknown extension': { crit: ['policy'], policy: 'x' },
      'b64 false': { b64: false, crit: ['b64'] },
      cty: { cty: 'JWT' },
    }).flatMap(([name, extra]) => [
      [`an extra ${name} header member, under our signature`, signES256(header(extra), claims, ours), 'invalid_token'],
      [`an extra ${name} header member, under the attacker's key`, signES256(header({ ...extra, kid: 'attacker' }), claims, attacker.privateKey), 'invalid_token'],
    ]),

    ['expired', resigned({ iat: now - 3600, nbf: now - 3600, exp: now - 3000 }), 'token_expired'],
    ['nbf in the future', resigned({ iat: now + 3600, nbf: now + 3600, exp: now + 4200 }), 'token_not_yet_valid'],
    ['another issuer', resigned({ iss: 'https://evil.example' }), 'wrong_issuer'],
    ['another site (aud)', resigned({ aud: 'https://evil.example' }), 'wrong_audience'],
    // Shapes the verifier never signs: an aud list that holds the site (stock libraries accept it), no subject.
    ['aud a list that holds the site, under our signature', resigned({ aud: [claims.aud, 'https://evil.example'] }), 'invalid_token'],
    ['an empty sub, under our signature', resigned({ sub: '' }), 'invalid_token'],

    ...Object.entries({ age_over: { age_over: 99 }, sub: { sub: 'someone-else' }, aud: { aud: 'https://evil.example' }, exp: { exp: now + 86_400 } })
      .map(([name, changes]) => [`the payload's ${name} changed after signing`, `${encodedHeader}.${json({ ...claims, ...changes })}.${signature}`, 'invalid_token']),

    ['a signature with one byte changed', withSignature(Buffer.from(rawSignature.map((byte, i) => (i === 7 ? byte ^ 1 : byte)))), 'invalid_token'],
    ['a signature of 60 bytes', withSignature(rawSignature.subarray(0, 60)), 'invalid_token'],
    ['a signature of 66 bytes', withSignature(Buffer.concat([rawSignature, Buffer.alloc(2)])), 'invalid_token'],
    // Same r and s values, but not JWS's fixed-width encoding: a reader that takes "the rest" as s would accept it.
    ['r || 00 00 || s: 66 bytes with the same values', withSignature(Buffer.concat([rawSignature.subarray(0, 32), Buffer.alloc(2), rawSignature.subarray(32)])), 'invalid_token'],
    ['the signature DER-encoded', withSignature(sign('sha256', Buffer.from(`${encodedHeader}.${encodedPayload}`), { key: ours, dsaEncoding: 'der' })), 'invalid_token'],
    ['an empty signature', `${encodedHeader}.${encodedPayload}.`, 'invalid_token'],
    ['a signature of zeros', withSignature(Buffer.alloc(64)), 'invalid_token'],
    ['r and s both the group order', withSignature(Buffer.from(P256_ORDER.toString(16).repeat(2), 'hex')), 'invalid_token'],

    ['not a JWS at all', 'not-a-token', 'invalid_token'],
    ['two parts', `${encodedHeader}.${encodedPayload}`, 'invalid_token'],

    ['a real token with age_over 14', over14, 'age_too_low'],
    ['a real token with no age claim', noAge, 'age_too_low'],
  ];
  if (yearAge) cases.push(['a real token with year_age_over 19 (the year rule is not 만 나이)', yearAge, 'age_too_low']);
  return cases.map(([name, forged, expected]) => ({ name, token: forged, expected }));
}
