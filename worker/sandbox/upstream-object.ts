/**
 * The sandbox upstream: a stand-in of the Iamport V1 REST API that answers exactly as
 * shared/reference/iamport-v1-certification.openapi.json says (envelope, statuses,
 * field names and types, the 30-minute token, the 404 body), plus a small admin API
 * the stand-in SDK uses to create certifications for a chosen test person.
 *
 * It also stands in for PortOne V2's `GET /identity-verifications/{id}` exactly as
 * shared/reference/portone-v2-identity-verification.openapi.json says (READY, VERIFIED and
 * FAILED records; `{ type, message }` errors).
 *
 * It lives in one Durable Object so every isolate sees the same certifications and tokens.
 * Paths here: /iamport/... (V1), /portone/... (V2) and /admin/... (sandbox only).
 */
import { DurableObject } from 'cloudflare:workers';
import { Hono, type Context } from 'hono';
import { settingsFrom, type EnvVars } from '../settings.ts';
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

export interface SandboxStats { getToken: number; getCertification: number; deleteCertification: number; getIdentityVerification: number }

const NO_CALLS: SandboxStats = { getToken: 0, getCertification: 0, deleteCertification: 0, getIdentityVerification: 0 };

interface StoredToken { access_token: string; expired_at: number }

const nowSeconds = () => Math.floor(Date.now() / 1000);

export class SandboxUpstream extends DurableObject<EnvVars> {
  readonly #app = new Hono();
  #stats: SandboxStats = { ...NO_CALLS };

  constructor(ctx: DurableObjectState, env: EnvVars) {
    super(ctx, env);
    const app = this.#app;
    app.post('/iamport/users/getToken', (c) => this.#getToken(c));
    app.get('/iamport/certifications/:imp_uid', (c) => this.#certification(c, 'GET'));
    app.delete('/iamport/certifications/:imp_uid', (c) => this.#certification(c, 'DELETE'));
    app.get('/portone/identity-verifications/:id', (c) => this.#identityVerification(c));
    app.get('/admin/persons', (c) => c.json(TEST_PERSONS.map(({ id, label, outcome }) => ({ id, label, outcome }))));
    app.post('/admin/certifications', (c) => this.#createCertification(c));
    app.get('/admin/stats', (c) => c.json(this.#stats));
    app.post('/admin/stats/reset', (c) => {
      this.#stats = { ...NO_CALLS };
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
    if (!(await this.#authorized(c.req.header('authorization') ?? c.req.header('x-imptokenheader')))) {
      return c.json(envelopeFailure('Unauthorized'), 401);
    }
    const impUid = c.req.param('imp_uid')!;
    const record = await this.ctx.storage.get<IamportCertificationRecord>(`cert:${impUid}`);
    if (!record) return c.json(envelopeFailure('인증결과가 존재하지 않습니다.'), 404);
    if (method === 'DELETE') await this.ctx.storage.delete(`cert:${impUid}`);
    return c.json({ code: 0, message: null, response: record });
  }

  /** `Bearer <token>` or, as older guides and clients send it, the bare token (also in `X-ImpTokenHeader`). */
  async #authorized(header: string | undefined): Promise<boolean> {
    const token = header?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return false;
    const expiredAt = await this.ctx.storage.get<number>(`token:${token}`);
    return expiredAt !== undefined && expiredAt > nowSeconds();
  }

  async #identityVerification(c: Context): Promise<Response> {
    this.#stats.getIdentityVerification++;
    const secret = c.req.header('authorization')?.match(/^PortOne\s+(.+)$/)?.[1];
    if (!secret || secret !== settingsFrom(this.env).portone.secret) {
      return c.json({ type: 'UNAUTHORIZED', message: '인증 정보가 올바르지 않습니다.' }, 401);
    }
    const record = await this.ctx.storage.get<PortOneIdentityVerification>(`v2:${c.req.param('id')}`);
    if (!record) return c.json({ type: 'IDENTITY_VERIFICATION_NOT_FOUND', message: '요청된 본인인증 건이 존재하지 않습니다.' }, 404);
    return c.json(record);
  }

  /**
   * Sandbox only: run a test person's verification, as the PG window would, and answer with
   * what the real SDK hands the page: V1's callback fields for `{ person, merchant_uid }`, or
   * V2's response for `{ provider: "portone", person, identity_verification_id }`.
   */
  async #createCertification(c: Context): Promise<Response> {
    const input = await c.req.json().catch(() => undefined) as
      | { person?: unknown; merchant_uid?: unknown; origin?: unknown; certified_at?: unknown; provider?: unknown; identity_verification_id?: unknown }
      | undefined;
    if (input?.provider === 'portone') return this.#createIdentityVerification(c, input);
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

  async #createIdentityVerification(c: Context, input: { person?: unknown; identity_verification_id?: unknown; certified_at?: unknown; cancel?: unknown }): Promise<Response> {
    const person = typeof input.person === 'string' ? findPerson(input.person) : undefined;
    const id = input.identity_verification_id;
    if ((!person && input.person !== 'cancel') || typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(id)) {
      return c.json({ error: 'Send { provider: "portone", person, identity_verification_id }: person is one of /sandbox/persons or "cancel".' }, 400);
    }
    const existing = await this.ctx.storage.get<PortOneIdentityVerification>(`v2:${id}`);
    // An id can succeed once only.
    if (existing?.status === 'VERIFIED') {
      return c.json(sdkResponse(id, existing, { code: 'IDENTITY_VERIFICATION_ALREADY_VERIFIED', message: '이미 인증이 완료된 건입니다.' }), 201);
    }
    const at = Number.isSafeInteger(input.certified_at) ? (input.certified_at as number) * 1000 : Date.now();
    const record = identityVerificationRecord(id, person, at);
    await this.ctx.storage.put(`v2:${id}`, record);
    const failure = !person
      ? { code: 'IDENTITY_VERIFICATION_CANCELLED', message: '사용자가 본인인증을 취소하였습니다.' }
      : record.status === 'FAILED'
        ? { code: 'IDENTITY_VERIFICATION_FAILED', message: '본인인증에 실패하였습니다. (sandbox PG error)', pgCode: '9015', pgMessage: '본인인증 실패' }
        : undefined;
    return c.json(sdkResponse(id, record, failure), 201);
  }
}

/** A V2 record, as GET /identity-verifications/{id} returns it. Cancel leaves it READY. */
export interface PortOneIdentityVerification {
  status: 'READY' | 'VERIFIED' | 'FAILED';
  id: string;
  channel: { type: 'TEST'; id: string; key: string; name: string; pgProvider: 'DANAL' | 'INICIS_UNIFIED'; pgMerchantId: string };
  requestedCustomer: Record<string, string>;
  verifiedCustomer?: Record<string, string | boolean>;
  failure?: { reason: string; pgCode: string; pgMessage: string };
  requestedAt: string;
  updatedAt: string;
  statusChangedAt: string;
  verifiedAt?: string;
  pgTxId?: string;
  pgRawResponse?: string;
  version: 'V2';
}

/** V1 carrier codes → V2 operator codes. */
const OPERATORS: Record<string, string> = { SKT: 'SKT', KT: 'KT', LGT: 'LGU', SKT_MVNO: 'SKT_MVNO', KT_MVNO: 'KT_MVNO', LGT_MVNO: 'LGU_MVNO' };

function identityVerificationRecord(id: string, person: TestPerson | undefined, atMs: number): PortOneIdentityVerification {
  const at = new Date(atMs).toISOString();
  const inicis = person?.pgProvider === 'inicis_unified';
  const base = {
    id,
    channel: {
      type: 'TEST' as const, id: 'channel-id-sandbox', key: 'channel-key-sandbox', name: inicis ? 'KG이니시스 (sandbox)' : '다날 (sandbox)',
      pgProvider: inicis ? 'INICIS_UNIFIED' as const : 'DANAL' as const, pgMerchantId: 'sandbox',
    },
    requestedCustomer: {},
    requestedAt: at,
    updatedAt: at,
    statusChangedAt: at,
    version: 'V2' as const,
  };
  if (!person) return { status: 'READY', ...base };
  if (person.outcome !== 'certified') {
    return { status: 'FAILED', ...base, failure: { reason: '본인인증 실패', pgCode: '9015', pgMessage: '본인인증 실패 (sandbox)' } };
  }
  const customer: Record<string, string | boolean> = {
    name: person.name,
    gender: person.gender === 'male' ? 'MALE' : 'FEMALE',
    birthDate: birthdayToday(person, atMs),
  };
  if (person.phone) customer.phoneNumber = person.phone;
  if (person.carrier) customer.operator = OPERATORS[person.carrier]!;
  if (person.foreigner !== undefined) customer.isForeigner = person.foreigner;
  if (person.ci) customer.ci = person.ci;
  if (person.di) customer.di = person.di;
  return {
    status: 'VERIFIED', ...base, verifiedCustomer: customer, verifiedAt: at,
    pgTxId: `sandbox-${randomHex(8)}`, pgRawResponse: '{}',
  };
}

/** What `PortOne.requestIdentityVerification` resolves to; `code` present means failure. */
function sdkResponse(id: string, record: PortOneIdentityVerification, failure?: { code: string; message: string; pgCode?: string; pgMessage?: string }) {
  return { transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: id, identityVerificationTxId: record.pgTxId ?? `sandbox-tx-${id}`, ...failure };
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
