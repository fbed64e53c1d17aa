// A sign-up backend that trusts iamport-verify attestations: Node 20+, node:http, no framework.
//
//   npm run build:server
//   ISSUER=http://127.0.0.1:8787 SITE_ORIGIN=http://127.0.0.1:8787 node examples/node-backend.mjs
//
// The page's <form method="post" action="/signup"> holds <iamport-verify name="age_token" min-age="19">
// and a `username` field. POST /signup answers 201 (account made), 403 (token refused, with its code)
// or 409 (this person already has an account here).
import { createServer } from 'node:http';
import { AttestationError, verifyAttestation } from 'iamport-verify/server';

const ISSUER = process.env.ISSUER ?? 'http://127.0.0.1:8787'; // the verifier's URL, as in the token's `iss`
const SITE_ORIGIN = process.env.SITE_ORIGIN ?? 'http://127.0.0.1:8787'; // this site's origin, as in `aud`
const PORT = Number(process.env.PORT ?? 3000);
const MIN_AGE = 19;
const MAX_FORM_BYTES = 16 * 1024;

// One account per person: `sub` is stable for one person on this site (and unlinkable elsewhere).
// A Map keeps the example short; in a real app it is a UNIQUE column in your users table.
const accountsBySub = new Map();

const server = createServer((request, response) => {
  signup(request, response).catch((error) => {
    console.error('sign-up failed:', error);
    if (!response.headersSent) response.writeHead(500).end();
  });
});

async function signup(request, response) {
  const answer = (status, text) => response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text + '\n');
  if (request.method !== 'POST' || request.url !== '/signup') return answer(404, 'POST a form to /signup.');

  const form = new URLSearchParams(await readBody(request));
  let claims;
  try {
    claims = await verifyAttestation(form.get('age_token') ?? '', { issuer: ISSUER, audience: SITE_ORIGIN, minAge: MIN_AGE });
  } catch (error) {
    if (!(error instanceof AttestationError)) throw error;
    // The verifier's keys could not be fetched: our problem, not the person's; let them retry.
    if (error.code === 'jwks_unavailable') return answer(503, 'Cannot check age verifications right now; try again.');
    return answer(403, `Age verification refused: ${error.code}`);
  }
  if (accountsBySub.has(claims.sub)) return answer(409, 'This person already has an account.');
  accountsBySub.set(claims.sub, { username: form.get('username') ?? '', createdAt: new Date() });
  return answer(201, `Welcome, ${form.get('username') ?? 'new member'}: verified ${claims.age_over}+.`);
}

async function readBody(request) {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > MAX_FORM_BYTES) break; // a sign-up form is tiny; stop reading abuse
  }
  return body;
}

server.listen(PORT, '127.0.0.1', () => console.log(`sign-up backend on http://127.0.0.1:${PORT}/signup (issuer ${ISSUER})`));
