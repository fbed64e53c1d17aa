#!/usr/bin/env node
// Prints a new production signing key (a private ES256 JWK) for SIGNING_KEYS.
//   npm run keygen                 one key, as the JSON array SIGNING_KEYS takes
// Rotation: put the new key first and keep the old one after it until its tokens expire.
import { makeSigningKey } from './lib/keys.mjs';

const key = await makeSigningKey();
console.log(JSON.stringify([key]));
console.error(`\nkid ${key.kid}. Store it as a secret, never in a file you commit:\n  npm run keygen | npx wrangler secret put SIGNING_KEYS\nTo rotate, put the new key first and keep the old one after it for at least TOKEN_TTL_SECONDS.`);
