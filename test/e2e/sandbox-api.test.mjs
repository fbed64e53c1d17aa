// The sandbox upstream, as clients of the real APIs see it: the `iamport` npm package (PortOne's
// own Node client, written against api.iamport.kr) pointed at /sandbox/iamport of a running
// verifier must get a token and read and delete certifications as it would for real; PortOne's
// server SDK (`@portone/server-sdk`, written against api.portone.io), given the sandbox's PortOne
// origin, must run the API flow and read the records, and be refused as PortOne refuses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { IdentityVerification, IdentityVerificationClient } from '@portone/server-sdk';
import { startVerifier } from './support.mjs';

const Iamport = createRequire(import.meta.url)('iamport');
/** The development credentials the sandbox accepts when IAMPORT_API_KEY/SECRET are not set. */
const SANDBOX_KEY = { impKey: 'sandbox_api_key', impSecret: 'sandbox_api_secret' };
/** The V2 API secret the sandbox accepts when PORTONE_API_SECRET is not set (README, "The sandbox"). */
const SANDBOX_PORTONE_SECRET = 'sandbox_portone_secret';

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

describe('the sandbox upstream, through PortOne\'s own server SDK', () => {
  const client = (secret = SANDBOX_PORTONE_SECRET) => IdentityVerificationClient({ secret, baseUrl: verifier.portoneOrigin });
  /** An API-flow send as PortOne's guide makes it, for the sandbox's adult (its phone picks the person). */
  const send = (sdk, identityVerificationId) => sdk.sendIdentityVerification({
    identityVerificationId, channelKey: 'channel-key-sandbox', operator: 'SKT', method: 'SMS',
    customer: { name: '홍길동', phoneNumber: '01000000001', identityNumber: '9001011', ipAddress: '203.0.113.7' },
  });

  test('sends, confirms with the sandbox\'s code and reads the VERIFIED record, each answer of the type the SDK declares', async () => {
    const id = `sdk-verified-${Date.now()}`;
    assert.deepEqual(await send(client(), id), {});
    const confirmed = await client().confirmIdentityVerification({ identityVerificationId: id, otp: '000000' });
    const record = await client().getIdentityVerification({ identityVerificationId: id });
    assert.deepEqual(record, confirmed.identityVerification);
    assert.equal(record.status, 'VERIFIED');
    // Exactly the fields of the SDK's VerifiedIdentityVerification (and its OpenAPI schema): nothing more.
    const VERIFIED_FIELDS = ['status', 'id', 'channel', 'verifiedCustomer', 'customData', 'requestedAt', 'updatedAt', 'statusChangedAt', 'verifiedAt', 'pgTxId', 'pgRawResponse', 'version'];
    assert.deepEqual(Object.keys(record).filter((key) => !VERIFIED_FIELDS.includes(key)), []);
    assert.equal(typeof record.verifiedCustomer.name, 'string');
    assert.match(record.verifiedCustomer.birthDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(record.channel.type, 'TEST');
  });

  test('is refused with the SDK\'s typed errors: a wrong secret (401), an unknown id (404)', async () => {
    await assert.rejects(client('wrong').getIdentityVerification({ identityVerificationId: 'sdk-none' }),
      (error) => error instanceof IdentityVerification.GetIdentityVerificationError && error.data.type === 'UNAUTHORIZED');
    await assert.rejects(client().getIdentityVerification({ identityVerificationId: `sdk-none-${Date.now()}` }),
      (error) => error instanceof IdentityVerification.GetIdentityVerificationError && error.data.type === 'IDENTITY_VERIFICATION_NOT_FOUND');
  });

  test('answers the next request after refusing a send with a body unread (a wrong secret)', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      await assert.rejects(send(client('wrong'), `sdk-refused-${attempt}`),
        (error) => error instanceof IdentityVerification.SendIdentityVerificationError && error.data.type === 'UNAUTHORIZED');
      const id = `sdk-after-refusal-${attempt}-${Date.now()}`;
      assert.deepEqual(await send(client(), id), {}, 'the send after the refused one');
    }
  });
});
