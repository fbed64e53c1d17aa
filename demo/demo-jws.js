// The demo's check of the attestation: the token's parts decoded, and its signature checked
// with WebCrypto the way any backend can (the key from the JWKS by `kid`, then ECDSA P-256).
// Plain browser JavaScript, no library: the demo has no build step.
const decoder = new TextDecoder();

function base64urlBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

export const decodePart = (part) => JSON.parse(decoder.decode(base64urlBytes(part)));

/** Verify a JWS the way any backend can: the key from the JWKS by `kid`, then ECDSA P-256. */
export async function checkSignature(token) {
  try {
    const [headerPart, payloadPart, signaturePart] = token.split('.');
    const header = decodePart(headerPart);
    if (header.alg !== 'ES256') return { result: 'invalid' };
    const jwks = await (await fetch('/.well-known/jwks.json')).json();
    const jwk = jwks.keys.find((key) => key.kid === header.kid);
    if (!jwk) return { result: 'no-key', kid: header.kid };
    const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
      { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    // A JWS ES256 signature is r||s (64 bytes), which is what WebCrypto's ECDSA takes.
    const valid = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key,
      base64urlBytes(signaturePart), new TextEncoder().encode(`${headerPart}.${payloadPart}`));
    return { result: valid ? 'valid' : 'invalid', kid: header.kid };
  } catch (error) {
    return { result: 'failed', message: error.message };
  }
}

/** The same token with one claim's value changed by a letter: its signature must fail. */
export function tampered(token) {
  const [headerPart, payloadPart, signaturePart] = token.split('.');
  const claims = decodePart(payloadPart);
  const claim = 'sub' in claims ? 'sub' : 'jti';
  const value = String(claims[claim]);
  claims[claim] = (value[0] === 'A' ? 'B' : 'A') + value.slice(1);
  const bytes = new TextEncoder().encode(JSON.stringify(claims));
  const payload = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return { token: `${headerPart}.${payload}.${signaturePart}`, claim };
}
