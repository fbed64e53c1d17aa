#!/usr/bin/env node
// Prints a new production signing key (a private ES256 JWK) for SIGNING_KEYS.
//   npm run keygen                 one key, as the JSON array SIGNING_KEYS takes
//   node scripts/keygen.mjs | npx wrangler secret put SIGNING_KEYS   (npm would add its banner to the pipe)
// Rotation: put the new key first and keep the old one after it until its tokens expire.
import { makeSigningKey } from './lib/keys.mjs';

const key = await makeSigningKey();
console.log(JSON.stringify([key]));
console.error(`\nkid ${key.kid}. Store it as a secret, never in a file you commit:\n  node scripts/keygen.mjs | npx wrangler secret put SIGNING_KEYS\nTo rotate, put the new key first and keep the old one after it for at least TOKEN_TTL_SECONDS.`);
