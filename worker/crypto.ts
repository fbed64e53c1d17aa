/** The few crypto primitives the verifier shares: HMAC-SHA256, SHA-256, base64url and random ids. */
import { base64url as joseBase64url } from 'jose';

const encoder = new TextEncoder();

// Importing a key costs more than using it: keep one CryptoKey per secret for the isolate's life.
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string | Uint8Array): Promise<CryptoKey> {
  const cacheKey = typeof secret === 'string' ? `s:${secret}` : `b:${base64url(secret)}`;
  let key = hmacKeys.get(cacheKey);
  if (!key) {
    const raw = typeof secret === 'string' ? encoder.encode(secret) : secret;
    key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    hmacKeys.set(cacheKey, key);
  }
  return key;
}

export async function hmacSha256(secret: string | Uint8Array, message: string): Promise<Uint8Array> {
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(message));
  return new Uint8Array(signature);
}

/** Constant-time check of an HMAC (WebCrypto's verify does not leak timing). */
export async function hmacSha256Verify(secret: string | Uint8Array, message: string, mac: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify('HMAC', await hmacKey(secret), mac, encoder.encode(message));
}

export function base64url(bytes: Uint8Array): string {
  return joseBase64url.encode(bytes);
}

/**
 * Undefined when `text` is not canonical base64url. jose's decoder alone would take several spellings of one
 * value (unused low bits in the last character); a challenge's MAC must have one, so what does not encode back is refused.
 */
export function fromBase64url(text: string): Uint8Array | undefined {
  let bytes: Uint8Array;
  try {
    bytes = joseBase64url.decode(text);
  } catch {
    return undefined;
  }
  return base64url(bytes) === text ? bytes : undefined;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An unguessable alphanumeric id (62^length possibilities, no modulo bias). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/** SHA-256 of a text: a fixed-size fingerprint that keeps nothing of the text readable. */
export async function sha256(message: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(message)));
}
