/**
 * The Iamport (PortOne V1) REST API as shared/reference/iamport-v1-certification.openapi.json
 * says: the `{ code, message, response }` envelope, `POST /users/getToken` with its token rules,
 * `GET|DELETE /certifications/{imp_uid}` and their 401 and 404 answers; and the certification a
 * test person's verification leaves behind, with what `IMP.certification` hands its callback.
 */
import { birthdayToday, type TestPerson } from '../persons.ts';
import { nowSeconds, randomDigits, randomHex, type Route, type StandInContext } from './route.ts';

/**
 * The token rules (getToken's description in the OpenAPI extract): a token lives 30 minutes;
 * asking again before it expires returns the same token, extended by 5 minutes when asked in
 * its last minute. `expired_at` and `now` are on the upstream's clock.
 */
const TOKEN_LIFETIME_SECONDS = 30 * 60;
const TOKEN_EXTEND_WINDOW_SECONDS = 60;
const TOKEN_EXTENSION_SECONDS = 5 * 60;

export const NOT_FOUND_MESSAGE = '인증결과가 존재하지 않습니다.';

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

interface StoredToken { access_token: string; expired_at: number }

export const certificationKey = (impUid: string) => `cert:${impUid}`;
const tokenKey = (token: string) => `token:${token}`;
const currentTokenKey = (impKey: string) => `token-of:${impKey}`;

export const IAMPORT_V1_ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/users\/getToken$/, endpoint: 'getToken', handle: getToken },
  { method: 'GET', pattern: /^\/certifications\/([^/]+)$/, endpoint: 'getCertification', handle: (request, [impUid], context) => certification(request, impUid!, context, 'GET') },
  { method: 'DELETE', pattern: /^\/certifications\/([^/]+)$/, endpoint: 'deleteCertification', handle: (request, [impUid], context) => certification(request, impUid!, context, 'DELETE') },
];

/** Every V1 answer: `code` 0 with the response, or -1 with a (Korean) message and no response. */
export function envelope(status: number, response: unknown, message: string | null = null): Response {
  return Response.json({ code: status === 200 ? 0 : -1, message, response }, { status });
}

async function getToken(request: Request, _: string[], context: StandInContext): Promise<Response> {
  const body = await readKeyAndSecret(request);
  const { key, secret } = context.credentials().iamport;
  if (!body || body.imp_key !== key || body.imp_secret !== secret) {
    return envelope(401, null, 'imp_key, imp_secret 인증에 실패하였습니다.');
  }
  const now = nowSeconds(context);
  let token = await context.state.get<StoredToken>(currentTokenKey(key));
  if (token && token.expired_at > now) {
    if (token.expired_at - now <= TOKEN_EXTEND_WINDOW_SECONDS) token = { ...token, expired_at: token.expired_at + TOKEN_EXTENSION_SECONDS };
  } else {
    token = { access_token: randomHex(20), expired_at: now + TOKEN_LIFETIME_SECONDS };
  }
  await context.state.put<unknown>({ [currentTokenKey(key)]: token, [tokenKey(token.access_token)]: token.expired_at });
  return envelope(200, { access_token: token.access_token, expired_at: token.expired_at, now });
}

/** Make `token` valid until `expiredAt` (unix seconds), as if the upstream had issued it. */
export async function acceptToken(context: StandInContext, token: string, expiredAt: number): Promise<void> {
  await context.state.put({ [tokenKey(token)]: expiredAt });
}

async function certification(request: Request, impUid: string, context: StandInContext, method: 'GET' | 'DELETE'): Promise<Response> {
  if (!(await authorized(request, context))) {
    context.countUnauthorized();
    return envelope(401, null, 'Unauthorized');
  }
  const record = await context.state.get<IamportCertificationRecord>(certificationKey(impUid));
  if (!record) return envelope(404, null, NOT_FOUND_MESSAGE);
  if (method === 'DELETE') await context.state.delete(certificationKey(impUid));
  return envelope(200, record);
}

/** `Bearer <token>` or, as older guides and clients send it, the bare token (also in `X-ImpTokenHeader`). */
async function authorized(request: Request, context: StandInContext): Promise<boolean> {
  const header = request.headers.get('authorization') ?? request.headers.get('x-imptokenheader');
  const token = header?.replace(/^Bearer\s+/i, '').trim();
  if (!token) return false;
  const expiredAt = await context.state.get<number>(tokenKey(token));
  return expiredAt !== undefined && expiredAt > nowSeconds(context);
}

/** The API consumes JSON and form bodies alike. */
async function readKeyAndSecret(request: Request): Promise<{ imp_key: unknown; imp_secret: unknown } | undefined> {
  try {
    if ((request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(await request.text());
      return { imp_key: form.get('imp_key'), imp_secret: form.get('imp_secret') };
    }
    const body = await request.json() as Record<string, unknown>;
    return { imp_key: body.imp_key, imp_secret: body.imp_secret };
  } catch {
    return undefined;
  }
}

/**
 * The certification a test person's verification leaves at the upstream. `origin` is the URL
 * of the page it ran on, as the SDK reports it.
 */
export function certificationRecord(person: TestPerson, merchantUid: string, certifiedAt: number, origin: string): IamportCertificationRecord {
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
export function callbackFor(person: TestPerson, record: IamportCertificationRecord) {
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
