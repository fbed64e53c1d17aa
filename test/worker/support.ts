/** Shared moves of the verifier's tests: ask for a challenge, verify a sandbox person, exchange. */
import { env, SELF, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import sandboxWorker from '../../worker/sandbox/entry.ts';
import { birthdayToday, TEST_PERSONS } from '../../worker/sandbox/persons.ts';
import type { Env } from '../../worker/env.ts';
import { parseSettings, type EnvVars } from '../../worker/settings.ts';

export const VERIFIER = 'https://verify.example';
export const SITE = 'https://shop.example';
export const OTHER_SITE = 'https://other.example';

export type Json = Record<string, any>;

/** The bindings the tests run with (made in vitest.config.ts), typed as the verifier's. */
export const bindings = env as unknown as Env & { SECOND_KEY_ONLY: string; PRODUCTION_KEYS: string; RATE_LIMITS: string };

export async function post(path: string, body: unknown, { origin = SITE as string | null, headers = {} as Record<string, string> } = {}) {
  const response = await SELF.fetch(VERIFIER + path, {
    method: 'POST',
    // A client address per request, so the rate limit only meets the test that is about it.
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': randomClientIp(), ...(origin ? { origin } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { response, status: response.status, body: (await response.json().catch(() => undefined)) as Json };
}

export async function challenge(merchantUid?: string, origin = SITE, provider: 'iamport' | 'portone' = 'iamport') {
  const { status, body } = await post('/v1/challenges', { ...(merchantUid ? { merchant_uid: merchantUid } : {}), provider }, { origin });
  if (status !== 201) throw new Error(`challenge failed: ${status} ${JSON.stringify(body)}`);
  return body as { merchant_uid: string; challenge: string; expires_at: number };
}

/** Run a test person's verification at the sandbox upstream, as the PG window would. */
export async function certify(person: string, merchantUid: string, extra: Json = {}) {
  const response = await SELF.fetch(`${VERIFIER}/sandbox/certifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ person, merchant_uid: merchantUid, origin: SITE, ...extra }),
  });
  if (response.status !== 201) throw new Error(`certify failed: ${response.status}`);
  return (await response.json()) as { success: boolean; imp_uid: string; merchant_uid: string };
}

/** A merchant_uid of the site's own choosing, as sites make them (with a random part). */
export const siteChosenId = () => `order_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;

/**
 * A challenge, a verification of `person`, and the exchange body for it; under a minted
 * merchant_uid unless given one (a site-chosen id, which unlike a minted one may have other challenges).
 */
export async function verifiedBody(person = 'adult', extra: Json = {}, origin = SITE, merchantUid?: string) {
  const issued = await challenge(merchantUid, origin);
  const callback = await certify(person, issued.merchant_uid, { origin: `${origin}/signup` });
  return { imp_uid: callback.imp_uid, merchant_uid: issued.merchant_uid, challenge: issued.challenge, ...extra };
}

/** Run a test person's V2 verification at the sandbox, as PortOne's window would. */
export async function verifyV2(person: string, id: string, extra: Json = {}) {
  const response = await SELF.fetch(`${VERIFIER}/sandbox/certifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'portone', person, identity_verification_id: id, ...extra }),
  });
  if (response.status !== 201) throw new Error(`verifyV2 failed: ${response.status}`);
  return (await response.json()) as Json;
}

export async function v2Body(person = 'adult', extra: Json = {}, id?: string) {
  const issued = await challenge(id, SITE, 'portone');
  await verifyV2(person, issued.merchant_uid);
  return { provider: 'portone', identity_verification_id: issued.merchant_uid, challenge: issued.challenge, ...extra };
}

export async function attest(body: unknown, origin: string | null = SITE) {
  return post('/v1/attestations', body, { origin });
}

export async function sandboxStats() {
  return (await (await SELF.fetch(`${VERIFIER}/sandbox/stats`)).json()) as { getToken: number; getCertification: number; deleteCertification: number };
}

/**
 * The Worker with other settings: the same sandbox Worker as SELF, called with a changed copy of
 * its bindings (a new env object is parsed afresh). Waits for work scheduled after the response.
 */
export async function fetchWith(overrides: EnvVars, request: Request) {
  const ctx = createExecutionContext();
  const response = await sandboxWorker.fetch(request, { ...bindings, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export function randomClientIp(): string {
  return `198.51.100.${Math.floor(Math.random() * 254) + 1}:${crypto.randomUUID()}`;
}

/** Everything about the test persons that must never leave the verifier. */
export function personalData(): string[] {
  const values = new Set<string>();
  for (const person of TEST_PERSONS) {
    for (const value of [person.name, person.phone, person.ci, person.di, birthdayToday(person, Date.now())]) {
      if (value) values.add(value);
    }
  }
  return [...values];
}

/** The deployment's secrets as the verifier sees them: API key and secrets, HMAC secrets, private key parts. */
export function secretValues(): string[] {
  const settings = parseSettings(bindings);
  return [
    settings.iamport.key, settings.iamport.secret, settings.portone.secret, settings.subjectSecret, settings.challengeSecret,
    ...settings.signingKeys.map((key) => key.d!),
  ];
}
