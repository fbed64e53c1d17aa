import type { JWK } from 'jose';

/** A new private ES256 JWK with a kid (see keys.mjs). */
export function makeSigningKey(prefix?: string, kid?: string): Promise<JWK>;
