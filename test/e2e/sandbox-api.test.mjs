// The sandbox upstream, as a client of the real Iamport API sees it: the `iamport` npm package
// (PortOne's own Node client, written against api.iamport.kr) pointed at /sandbox/iamport of a
// running verifier must get a token and read and delete certifications as it would for real.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startVerifier } from './support.mjs';

const Iamport = createRequire(import.meta.url)('iamport');
/** The development credentials the sandbox accepts when IAMPORT_API_KEY/SECRET are not set. */
const SANDBOX_KEY = { impKey: 'sandbox_api_key', impSecret: 'sandbox_api_secret' };

let verifier;
before(async () => { verifier = await startVerifier(); });
after(async () => { await verifier?.stop(); });

function clientFor(base, credentials = SANDBOX_KEY) {
  Iamport.DEFAULT_HOST = base; // the client reads its host from here when it is made
  return new Iamport(credentials);
}

async function sandboxCertification(person, merchantUid) {
  const response = await fetch(`${verifier.origin}/sandbox/certifications`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ person, merchant_uid: merchantUid }),
  });
  assert.equal(response.status, 201);
  return response.json();
}

describe('the sandbox upstream, through an independent Iamport client', () => {
  test('gets a token, then reads a certification with every documented field and type', async () => {
    const { imp_uid } = await sandboxCertification('adult', 'client_compat_1');
    const certification = await clientFor(`${verifier.origin}/sandbox/iamport`).certification.get({ imp_uid });
    assert.equal(certification.imp_uid, imp_uid);
    assert.equal(certification.merchant_uid, 'client_compat_1');
    assert.equal(certification.certified, true);
    assert.equal(typeof certification.certified_at, 'number');
    assert.match(certification.birthday, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(certification.imp_uid, /^imp_\d{12}$/);
    assert.equal(certification.unique_key.length, 88);
    assert.equal(certification.unique_in_site.length, 64);
    assert.equal(typeof certification.foreigner, 'boolean');
    assert.ok(['danal', 'inicis_unified', 'inicis', 'kcp_v2'].includes(certification.pg_provider));
  });

  test('deletes a certification, after which it is not found', async () => {
    const { imp_uid } = await sandboxCertification('adult', 'client_compat_2');
    const client = clientFor(`${verifier.origin}/sandbox/iamport`);
    assert.equal((await client.certification.delete({ imp_uid })).imp_uid, imp_uid);
    await assert.rejects(client.certification.get({ imp_uid }), (error) => error.code === 'HTTP_404');
  });

  test('refuses a wrong secret with 401', async () => {
    const client = clientFor(`${verifier.origin}/sandbox/iamport`, { impKey: 'sandbox_api_key', impSecret: 'wrong' });
    await assert.rejects(client.certification.get({ imp_uid: 'imp_000000000000' }), (error) => error.code === 'HTTP_401');
  });
});
