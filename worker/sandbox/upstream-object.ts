/**
 * The sandbox upstream: a stand-in of the Iamport V1 REST API that answers exactly as
 * shared/reference/iamport-v1-certification.openapi.json says (envelope, statuses,
 * field names and types, the 30-minute token, the 404 body), plus a small admin API
 * the stand-in SDK uses to create certifications for a chosen test person.
 *
 * It lives in one Durable Object so every isolate sees the same certifications and tokens.
 * Paths here: /iamport/... (the V1 API) and /admin/... (sandbox only).
 */
import { DurableObject } from 'cloudflare:workers';
import { Hono, type Context } from 'hono';
import { settingsFrom, type Env } from '../settings.ts';
import { birthdayToday, findPerson, TEST_PERSONS, type TestPerson } from './persons.ts';

/** The V1 token rules: 30 minutes; asked for in its last minute, it is extended by 5. */
const TOKEN_LIFETIME_SECONDS = 30 * 60;
const TOKEN_EXTEND_WINDOW_SECONDS = 60;
const TOKEN_EXTENSION_SECONDS = 5 * 60;

export interface IamportCertificationRecord {
  imp_uid: string;
  merchant_uid: string;
  pg_tid: string;
  pg_provider: string;
  pg_type: 'certification';
  name: string;
  gender: string;
  birthday: string;
  foreigner: boolean;
  foreigner_v2: boolean | null;
  phone?: string;
  carrier?: string;
  certified: boolean;
  certified_at: number;
  unique_key?: string;
  unique_in_site?: string;
  origin: string;
}

export interface SandboxStats { getToken: number; getCertification: number; deleteCertification: number }

interface StoredToken { access_token: string; expired_at: number }

const nowSeconds = () => Math.floor(Date.now() / 1000);

export class SandboxUpstream extends DurableObject<Env> {
  readonly #app = new Hono();
  #stats: SandboxStats = { getToken: 0, getCertification: 0, deleteCertification: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const app = this.#app;
    app.post('/iamport/users/getToken', (c) => this.#getToken(c));
    app.get('/iamport/certifications/:imp_uid', (c) => this.#certification(c, 'GET'));
    app.delete('/iamport/certifications/:imp_uid', (c) => this.#certification(c, 'DELETE'));
    app.get('/admin/persons', (c) => c.json(TEST_PERSONS.map(({ id, label, outcome }) => ({ id, label, outcome }))));
    app.post('/admin/certifications', (c) => this.#createCertification(c));
    app.get('/admin/stats', (c) => c.json(this.#stats));
    app.post('/admin/stats/reset', (c) => {
      this.#stats = { getToken: 0, getCertification: 0, deleteCertification: 0 };
      return c.json(this.#stats);
    });
    app.notFound((c) => c.json(envelopeFailure('요청하신 API를 찾을 수 없습니다.'), 404));
  }

  override fetch(request: Request): Response | Promise<Response> {
    return this.#app.fetch(request);
  }

  async #getToken(c: Context): Promise<Response> {
    this.#stats.getToken++;
    const body = await readKeyAndSecret(c.req.raw);
    const settings = settingsFrom(this.env);
    if (!body || body.imp_key !== settings.iamport.key || body.imp_secret !== settings.iamport.secret) {
      return c.json(envelopeFailure('imp_key, imp_secret 인증에 실패하였습니다.'), 401);
    }
    const now = nowSeconds();
    let token = await this.ctx.storage.get<StoredToken>(`token-of:${body.imp_key}`);
    if (token && token.expired_at > now) {
      if (token.expired_at - now <= TOKEN_EXTEND_WINDOW_SECONDS) token.expired_at += TOKEN_EXTENSION_SECONDS;
    } else {
      token = { access_token: randomHex(20), expired_at: now + TOKEN_LIFETIME_SECONDS };
    }
    await this.ctx.storage.put({ [`token-of:${body.imp_key}`]: token, [`token:${token.access_token}`]: token.expired_at });
    return c.json({ code: 0, message: null, response: { access_token: token.access_token, expired_at: token.expired_at, now } });
  }

  async #certification(c: Context, method: 'GET' | 'DELETE'): Promise<Response> {
    this.#stats[method === 'GET' ? 'getCertification' : 'deleteCertification']++;
    if (!(await this.#authorized(c.req.header('authorization')))) {
      return c.json(envelopeFailure('Unauthorized'), 401);
    }
    const impUid = c.req.param('imp_uid')!;
    const record = await this.ctx.storage.get<IamportCertificationRecord>(`cert:${impUid}`);
    if (!record) return c.json(envelopeFailure('인증결과가 존재하지 않습니다.'), 404);
    if (method === 'DELETE') await this.ctx.storage.delete(`cert:${impUid}`);
    return c.json({ code: 0, message: null, response: record });
  }

  /** `Bearer <token>` or, as older guides send it, the bare token. */
  async #authorized(header: string | undefined): Promise<boolean> {
    const token = header?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return false;
    const expiredAt = await this.ctx.storage.get<number>(`token:${token}`);
    return expiredAt !== undefined && expiredAt > nowSeconds();
  }

  /**
   * Sandbox only: run a test person's verification for `merchant_uid`, as the PG window
   * would, and answer with the fields of the real SDK's callback.
   */
  async #createCertification(c: Context): Promise<Response> {
    const input = await c.req.json().catch(() => undefined) as
      | { person?: unknown; merchant_uid?: unknown; origin?: unknown; certified_at?: unknown }
      | undefined;
    const person = typeof input?.person === 'string' ? findPerson(input.person) : undefined;
    if (!input || !person || typeof input.merchant_uid !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(input.merchant_uid)) {
      return c.json({ error: 'Send { person, merchant_uid }: person is one of /sandbox/persons, merchant_uid is 1 to 40 of A-Z a-z 0-9 _ -.' }, 400);
    }
    const certifiedAt = Number.isSafeInteger(input.certified_at) ? input.certified_at as number : nowSeconds();
    const origin = typeof input.origin === 'string' ? input.origin : (c.req.header('origin') ?? '');
    const record = certificationRecord(person, input.merchant_uid, certifiedAt, origin);
    await this.ctx.storage.put(`cert:${record.imp_uid}`, record);
    return c.json(callbackFor(person, record), 201);
  }
}

function certificationRecord(person: TestPerson, merchantUid: string, certifiedAt: number, origin: string): IamportCertificationRecord {
  const record: IamportCertificationRecord = {
    imp_uid: `imp_${randomDigits(12)}`,
    merchant_uid: merchantUid,
    pg_tid: `${certifiedAt}${randomDigits(8)}`,
    pg_provider: person.pgProvider,
    pg_type: 'certification',
    name: person.name,
    gender: person.gender,
    birthday: birthdayToday(person, certifiedAt * 1000),
    // Danal answers `foreigner: false` unless the option is contracted; `foreigner_v2` is null then.
    foreigner: person.foreigner ?? false,
    foreigner_v2: person.foreigner ?? null,
    certified: person.outcome === 'certified',
    certified_at: certifiedAt,
    origin,
  };
  if (person.phone) record.phone = person.phone;
  if (person.carrier) record.carrier = person.carrier;
  if (person.ci) record.unique_key = person.ci;
  if (person.di) record.unique_in_site = person.di;
  return record;
}

/** What `IMP.certification` hands its callback. `not_certified` models a tampered browser: it claims success. */
function callbackFor(person: TestPerson, record: IamportCertificationRecord) {
  const success = person.outcome !== 'pg_error';
  return {
    success,
    imp_uid: record.imp_uid,
    merchant_uid: record.merchant_uid,
    pg_provider: record.pg_provider,
    pg_type: 'certification',
    error_code: success ? null : 'F0000',
    error_msg: success ? null : '[9015] 본인인증에 실패하였습니다. (sandbox PG error)',
  };
}

function envelopeFailure(message: string) {
  return { code: -1, message, response: null };
}

async function readKeyAndSecret(request: Request): Promise<{ imp_key: unknown; imp_secret: unknown } | undefined> {
  const type = request.headers.get('content-type') ?? '';
  try {
    if (type.includes('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(await request.text());
      return { imp_key: form.get('imp_key'), imp_secret: form.get('imp_secret') };
    }
    const body = await request.json() as Record<string, unknown>;
    return { imp_key: body.imp_key, imp_secret: body.imp_secret };
  } catch {
    return undefined;
  }
}

function randomDigits(count: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(count)), (byte) => String(byte % 10)).join('');
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
