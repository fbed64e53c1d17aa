/**
 * The Iamport (PortOne V1) REST client: `POST /users/getToken`, then
 * `GET|DELETE /certifications/{imp_uid}` with the cached access token.
 * Every answer is an envelope `{ code, message, response }`: both the HTTP status
 * and `code === 0` must say OK.
 */
import { VerifyError } from '../errors.ts';
import { parseIsoDate, birthDateFromUnixSeconds, type CalendarDate } from '../checks/age.ts';
import type { UpstreamVerification } from '../checks/verification.ts';
import { callUpstream, isObject, type UpstreamAnswer, type UpstreamFetch } from './http.ts';

/**
 * A token lives 30 minutes, and asking for one in its last minute only extends it by 5.
 * We stop using a token this long before it expires, so one never lapses in flight.
 */
export const TOKEN_REFRESH_MARGIN_SECONDS = 60;

interface CachedToken { accessToken: string; expiresAtMs: number }

// Module scope on purpose: a warm isolate reuses the token across requests, so a
// verification costs one upstream call (the look-up) instead of two.
const tokenCache = new Map<string, CachedToken>();
const tokenRequests = new Map<string, Promise<CachedToken>>();

/** For tests: forget cached tokens, as a cold isolate would. */
export function forgetIamportTokens(): void {
  tokenCache.clear();
  tokenRequests.clear();
}

export interface IamportConfig { base: string; key: string; secret: string }

export class IamportClient {
  readonly #config: IamportConfig;
  readonly #fetch: UpstreamFetch;
  readonly #timeoutMs: number;
  readonly #cacheKey: string;

  constructor(config: IamportConfig, upstreamFetch: UpstreamFetch, timeoutMs: number) {
    this.#config = config;
    this.#fetch = upstreamFetch;
    this.#timeoutMs = timeoutMs;
    // A token belongs to one account: a changed key or secret must not reuse another's token.
    this.#cacheKey = `${config.base}\n${config.key}\n${config.secret}`;
  }

  /** `GET /certifications/{imp_uid}`, mapped to the shared record. */
  async getCertification(impUid: string): Promise<UpstreamVerification> {
    const answer = await this.#authorized('GET', impUid);
    return toVerification(impUid, certificationFrom(answer));
  }

  /** `DELETE /certifications/{imp_uid}`: removes the person's data from the upstream for good. */
  async deleteCertification(impUid: string): Promise<void> {
    certificationFrom(await this.#authorized('DELETE', impUid));
  }

  /** A certification call with the cached token; on a 401 the token is dropped, renewed and the call retried once. */
  async #authorized(method: 'GET' | 'DELETE', impUid: string): Promise<UpstreamAnswer> {
    const url = `${this.#config.base}/certifications/${encodeURIComponent(impUid)}`;
    for (let attempt = 0; ; attempt++) {
      const token = await this.#token();
      const answer = await callUpstream(
        this.#fetch,
        new Request(url, { method, headers: { authorization: `Bearer ${token.accessToken}`, accept: 'application/json' } }),
        this.#timeoutMs,
      );
      if (answer.status !== 401) return answer;
      if (tokenCache.get(this.#cacheKey) === token) tokenCache.delete(this.#cacheKey);
      if (attempt > 0) throw new VerifyError('upstream_auth_failed', 'The upstream refused a freshly issued access token.');
    }
  }

  /** The cached access token, or one new `getToken` shared by every request waiting for it. */
  #token(): Promise<CachedToken> {
    const cached = tokenCache.get(this.#cacheKey);
    if (cached && Date.now() < cached.expiresAtMs) return Promise.resolve(cached);
    let request = tokenRequests.get(this.#cacheKey);
    if (!request) {
      request = this.#fetchToken().finally(() => tokenRequests.delete(this.#cacheKey));
      tokenRequests.set(this.#cacheKey, request);
    }
    return request;
  }

  async #fetchToken(): Promise<CachedToken> {
    const answer = await callUpstream(
      this.#fetch,
      new Request(`${this.#config.base}/users/getToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ imp_key: this.#config.key, imp_secret: this.#config.secret }),
      }),
      this.#timeoutMs,
    );
    if (answer.status === 401 || answer.status === 403) {
      throw new VerifyError('upstream_auth_failed', 'The upstream refused the REST API key or secret.');
    }
    const response = envelopeResponse(answer);
    const { access_token: accessToken, expired_at: expiredAt, now } = response;
    if (typeof accessToken !== 'string' || !accessToken || !Number.isInteger(expiredAt) || !Number.isInteger(now)) {
      throw new VerifyError('upstream_unavailable', 'The upstream answered getToken with a malformed token.');
    }
    // `expired_at - now` is on the upstream's clock, so it is right whatever ours says.
    const ttlSeconds = (expiredAt as number) - (now as number) - TOKEN_REFRESH_MARGIN_SECONDS;
    const token = { accessToken, expiresAtMs: Date.now() + ttlSeconds * 1000 };
    if (ttlSeconds > 0) tokenCache.set(this.#cacheKey, token);
    return token;
  }
}

/** The `response` of a 200 envelope with `code === 0`; anything else is `upstream_unavailable`. */
function envelopeResponse(answer: UpstreamAnswer): Record<string, unknown> {
  if (answer.status !== 200) {
    throw new VerifyError('upstream_unavailable', `The upstream answered HTTP ${answer.status}.`);
  }
  if (!isObject(answer.json)) {
    throw new VerifyError('upstream_unavailable', 'The upstream answered with a body that is not a JSON envelope.');
  }
  if (answer.json.code !== 0) {
    throw new VerifyError('upstream_unavailable', 'The upstream answered with a failure code.');
  }
  if (!isObject(answer.json.response)) {
    throw new VerifyError('upstream_unavailable', 'The upstream\'s envelope has no response.');
  }
  return answer.json.response;
}

function certificationFrom(answer: UpstreamAnswer): Record<string, unknown> {
  if (answer.status === 404) throw new VerifyError('certification_not_found', 'The upstream has no such certification.');
  if (answer.status === 403) throw new VerifyError('upstream_auth_failed', 'The upstream refused our access token.');
  return envelopeResponse(answer);
}

/** Map a V1 certification to the shared record; wrong types are garbage, not a person. */
function toVerification(impUid: string, cert: Record<string, unknown>): UpstreamVerification {
  const garbage = (field: string) => new VerifyError('upstream_unavailable', `The upstream's certification has a malformed ${field}.`);
  if (cert.imp_uid !== impUid) throw garbage('imp_uid');
  // `certified` is optional in the API's schema: only an explicit true counts.
  if (cert.certified !== undefined && cert.certified !== null && typeof cert.certified !== 'boolean') throw garbage('certified');
  const optional = <T>(field: string, test: (value: unknown) => value is T): T | undefined => {
    const value = cert[field];
    if (value === undefined || value === null) return undefined;
    if (!test(value)) throw garbage(field);
    return value;
  };
  const isString = (value: unknown): value is string => typeof value === 'string';
  const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);
  const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

  // `birthday` wins whenever it is there: an empty or malformed one is garbage, never a
  // reason to fall back to the legacy `birth` (whose 0, a placeholder, would read as 1970).
  const birthday = optional('birthday', isString);
  const birth = optional('birth', isInteger);
  let birthDate: CalendarDate | undefined;
  if (birthday !== undefined) {
    birthDate = parseIsoDate(birthday);
    if (!birthDate) throw garbage('birthday');
  } else if (birth !== undefined && birth !== 0) {
    // A real date at midnight in Seoul is never 0 (1 January 1970 there is -32400).
    birthDate = birthDateFromUnixSeconds(birth);
  }
  const ci = optional('unique_key', isString);
  return {
    provider: 'iamport',
    id: impUid,
    merchantUid: optional('merchant_uid', isString),
    certified: cert.certified === true,
    verifiedAt: optional('certified_at', isInteger),
    birthDate,
    ci: ci || undefined,
    // `foreigner` is always false unless the merchant contracted the option; `foreigner_v2` is null then.
    foreigner: optional('foreigner_v2', isBoolean),
    version: 'V1',
    // V1 records carry no channel type (pg_provider and pg_tid look the same for a test): see the README.
    liveChannel: undefined,
    pageUrl: optional('origin', isString) || undefined,
  };
}
