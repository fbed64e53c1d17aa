// The built kit on Node (node --test): imported by its package name, so the "exports" map,
// the emitted JavaScript and Node's own fetch and WebCrypto are what is tested. The JWKS is
// served by a local node:http server with a key made here; the workerd suite covers the rest.
import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { AttestationError, verifyAttestation } from 'iamport-verify/server';

const SITE = 'https://shop.example';
const TOKEN_TYPE = 'iamport-verify+jwt';
let issuer;
let server;
let jwksRequests = 0;
let signingKey;
let publicKey;

before(async () => {
  ({ privateKey: signingKey, publicKey } = await generateKeyPair('ES256'));
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'node-key', alg: 'ES256', use: 'sig' }] };
  server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') return response.writeHead(404).end();
    jwksRequests++;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

function token({ header = {}, claims = {} } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: issuer, aud: SITE, sub: 'pairwise-sub', iat: now, nbf: now, exp: now + 600, jti: 'j1',
    merchant_uid: 'm1', age_over: 19, verified_at: now, provider: 'iamport', ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: TOKEN_TYPE, kid: 'node-key', ...header })
    .sign(signingKey);
}

async function codeOf(promise) {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof AttestationError, `expected an AttestationError, got ${error}`);
  return error.code;
}

describe('iamport-verify/server on Node', () => {
  it('returns the claims of a valid token, fetching the JWKS once for many', async () => {
    for (let i = 0; i < 5; i++) {
      const claims = await verifyAttestation(await token(), { issuer, audience: SITE, minAge: 19 });
      assert.equal(claims.sub, 'pairwise-sub');
      assert.equal(claims.age_over, 19);
    }
    assert.equal(jwksRequests, 1);
  });

  it('refuses forged and misused tokens with their codes', async () => {
    const options = { issuer, audience: SITE };
    const valid = await token();
    const [header, payload, signature] = valid.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: TOKEN_TYPE, kid: 'node-key' })).toString('base64url')}.${payload}.`;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: 'someone-else', aud: SITE, iss: issuer })).toString('base64url')}.${signature}`;
    assert.equal(await codeOf(verifyAttestation(unsigned, options)), 'invalid_token');
    assert.equal(await codeOf(verifyAttestation(tampered, options)), 'invalid_token');
    assert.equal(await codeOf(verifyAttestation(await token({ header: { jku: 'https://evil.example/jwks' } }), options)), 'invalid_token');
    assert.equal(await codeOf(verifyAttestation(await token({ header: { typ: 'JWT' } }), options)), 'invalid_token');
    assert.equal(await codeOf(verifyAttestation(await token({ header: { kid: 'other' } }), options)), 'unknown_key');
    assert.equal(await codeOf(verifyAttestation(await token({ claims: { exp: 1 } }), options)), 'token_expired');
    assert.equal(await codeOf(verifyAttestation(valid, { ...options, audience: 'https://other.example' })), 'wrong_audience');
    assert.equal(await codeOf(verifyAttestation(valid, { ...options, minAge: 20 })), 'age_too_low');
    assert.equal(await codeOf(verifyAttestation(valid, { ...options, nonce: 'n' })), 'nonce_mismatch');
  });

  it('reports jwks_unavailable when nothing answers at the JWKS address', async () => {
    const closed = createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const jwksUri = `http://127.0.0.1:${closed.address().port}/.well-known/jwks.json`;
    await new Promise((resolve) => closed.close(resolve));
    assert.equal(await codeOf(verifyAttestation(await token(), { issuer, audience: SITE, jwksUri })), 'jwks_unavailable');
  });

  it('waits a minute between JWKS fetches while the JWKS is down and no key is cached, then recovers', async () => {
    // A counted JWKS that fails until it is told to answer.
    let down = true;
    let requests = 0;
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'node-key', alg: 'ES256', use: 'sig' }] };
    const flaky = createServer((request, response) => {
      requests++;
      if (down) return response.writeHead(503).end('down for maintenance');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const options = { issuer, audience: SITE, jwksUri: `http://127.0.0.1:${flaky.address().port}/.well-known/jwks.json` };
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      const valid = await token();
      for (let i = 0; i < 10; i++) assert.equal(await codeOf(verifyAttestation(valid, options)), 'jwks_unavailable');
      assert.equal(requests, 1, 'one attempt, then the cooldown');

      // Still down a minute later: one more attempt.
      mock.timers.tick(61_000);
      for (let i = 0; i < 10; i++) assert.equal(await codeOf(verifyAttestation(valid, options)), 'jwks_unavailable');
      assert.equal(requests, 2);

      // Back up: within the minute the kit still waits; after it, it fetches and verifies.
      down = false;
      assert.equal(await codeOf(verifyAttestation(valid, options)), 'jwks_unavailable');
      assert.equal(requests, 2);
      mock.timers.tick(61_000);
      assert.equal((await verifyAttestation(valid, options)).sub, 'pairwise-sub');
      assert.equal(requests, 3);
    } finally {
      mock.timers.reset();
      await new Promise((resolve) => flaky.close(resolve));
    }
  });
});
