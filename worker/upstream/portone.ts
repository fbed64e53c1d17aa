/**
 * The PortOne V2 REST client: `GET /identity-verifications/{id}` with
 * `Authorization: PortOne <API secret>`. There is no token to cache: every verification is
 * one upstream call. Errors come as `{ type, message }` with the HTTP status.
 */
import { VerifyError } from '../errors.ts';
import { parseIsoDate, type CalendarDate } from '../checks/age.ts';
import type { UpstreamVerification } from '../checks/verification.ts';
import { callUpstream, isObject, type UpstreamFetch } from './http.ts';

export interface PortOneConfig { base: string; secret: string }

export class PortOneClient {
  readonly #config: PortOneConfig;
  readonly #fetch: UpstreamFetch;
  readonly #timeoutMs: number;

  constructor(config: PortOneConfig, upstreamFetch: UpstreamFetch, timeoutMs: number) {
    this.#config = config;
    this.#fetch = upstreamFetch;
    this.#timeoutMs = timeoutMs;
  }

  async getIdentityVerification(id: string): Promise<UpstreamVerification> {
    if (!this.#config.secret) {
      throw new VerifyError('upstream_auth_failed', 'PORTONE_API_SECRET is not set, so PortOne V2 cannot be asked.');
    }
    const answer = await callUpstream(
      this.#fetch,
      new Request(`${this.#config.base}/identity-verifications/${encodeURIComponent(id)}`, {
        headers: { authorization: `PortOne ${this.#config.secret}`, accept: 'application/json' },
      }),
      this.#timeoutMs,
    );
    switch (answer.status) {
      case 200: break;
      case 401:
      case 403: throw new VerifyError('upstream_auth_failed', 'PortOne refused the API secret.');
      case 404: throw new VerifyError('certification_not_found', 'PortOne has no such identity verification.');
      case 400: throw new VerifyError('invalid_request', 'PortOne refused the identity verification id.');
      default: throw new VerifyError('upstream_unavailable', `PortOne answered HTTP ${answer.status}.`);
    }
    if (!isObject(answer.json)) throw new VerifyError('upstream_unavailable', 'PortOne answered with a body that is not JSON.');
    return toVerification(id, answer.json);
  }
}

/** Map a V2 identity verification to the shared record; wrong types are garbage, not a person. */
function toVerification(id: string, record: Record<string, unknown>): UpstreamVerification {
  const garbage = (field: string) => new VerifyError('upstream_unavailable', `PortOne's identity verification has a malformed ${field}.`);
  if (record.id !== id) throw garbage('id');
  if (typeof record.status !== 'string') throw garbage('status');
  const version = record.version === 'V1' || record.version === 'V2' ? record.version : undefined;
  const channel = record.channel;
  if (channel !== undefined && (!isObject(channel) || typeof channel.type !== 'string')) throw garbage('channel');
  // Where the record came from: the checks refuse V1 records and, in production, test channels.
  const provenance: Pick<UpstreamVerification, 'version' | 'testChannel' | 'pageUrl'> = { version, testChannel: isObject(channel) && channel.type === 'TEST', pageUrl: undefined };
  if (record.status !== 'VERIFIED') {
    // READY (never finished) and FAILED are both "not certified"; nothing else is read from them.
    return { provider: 'portone', id, merchantUid: id, certified: false, verifiedAt: undefined, birthDate: undefined, ci: undefined, foreigner: undefined, ...provenance };
  }
  const customer = record.verifiedCustomer;
  if (!isObject(customer)) throw garbage('verifiedCustomer');
  const verifiedAt = typeof record.verifiedAt === 'string' ? Date.parse(record.verifiedAt) : NaN;
  if (Number.isNaN(verifiedAt)) throw garbage('verifiedAt');
  let birthDate: CalendarDate | undefined;
  if (customer.birthDate !== undefined) {
    birthDate = typeof customer.birthDate === 'string' ? parseIsoDate(customer.birthDate) : undefined;
    if (!birthDate) throw garbage('birthDate');
  }
  if (customer.ci !== undefined && typeof customer.ci !== 'string') throw garbage('ci');
  if (customer.isForeigner !== undefined && typeof customer.isForeigner !== 'boolean') throw garbage('isForeigner');
  return {
    provider: 'portone',
    id,
    // In V2 the site's id is the verification's own id: the challenge's merchant_uid.
    merchantUid: id,
    certified: true,
    verifiedAt: Math.floor(verifiedAt / 1000),
    birthDate,
    ci: (customer.ci as string | undefined) || undefined,
    foreigner: customer.isForeigner as boolean | undefined,
    ...provenance,
  };
}
