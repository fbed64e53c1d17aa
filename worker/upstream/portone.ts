/**
 * The PortOne V2 REST client: `GET /identity-verifications/{id}` with
 * `Authorization: PortOne <API secret>`, and the API flow's send, resend and confirm. There is
 * no token to cache: every step is one upstream call. Errors come as `{ type, message }` with the
 * HTTP status; a PG's own `pgMessage` is never read, let alone passed on.
 */
import { VerifyError, type ProblemCode } from '../errors.ts';
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
    const answer = await this.#call('GET', `/identity-verifications/${encodeURIComponent(id)}`);
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

  /** API flow: have the PG send a code by SMS (or a PASS app push). The details pass through, never kept. */
  async sendIdentityVerification(id: string, body: SendIdentityVerificationBody): Promise<void> {
    await this.#apiFlowStep('send', 'POST', `/identity-verifications/${encodeURIComponent(id)}/send`, body);
  }

  /** API flow: a new SMS code for a send that waits (SMS only). */
  async resendIdentityVerification(id: string, storeId: string | undefined): Promise<void> {
    const query = storeId === undefined ? '' : `?storeId=${encodeURIComponent(storeId)}`;
    await this.#apiFlowStep('resend', 'POST', `/identity-verifications/${encodeURIComponent(id)}/resend${query}`);
  }

  /**
   * API flow: confirm the code (none for APP, once the person approved in the app). The answer
   * holds the very record GET returns, so no second call is needed to read it.
   */
  async confirmIdentityVerification(id: string, otp: string | undefined, storeId: string | undefined): Promise<UpstreamVerification> {
    const json = await this.#apiFlowStep('confirm', 'POST', `/identity-verifications/${encodeURIComponent(id)}/confirm`, { storeId, otp });
    if (!isObject(json) || !isObject(json.identityVerification)) {
      throw new VerifyError('upstream_unavailable', 'PortOne\'s confirmation has no identity verification.');
    }
    return toVerification(id, json.identityVerification);
  }

  async #apiFlowStep(step: ApiFlowStep, method: 'POST', path: string, body?: object): Promise<unknown> {
    const answer = await this.#call(method, path, body);
    if (answer.status === 200) return answer.json;
    const type = isObject(answer.json) && typeof answer.json.type === 'string' ? answer.json.type : undefined;
    const problem = apiFlowProblem(step, answer.status, type);
    throw new VerifyError(problem.code, problem.detail);
  }

  #call(method: 'GET' | 'POST', path: string, body?: object) {
    if (!this.#config.secret) {
      throw new VerifyError('upstream_auth_failed', 'PORTONE_API_SECRET is not set, so PortOne V2 cannot be asked.');
    }
    const headers: Record<string, string> = { authorization: `PortOne ${this.#config.secret}`, accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    return callUpstream(
      this.#fetch,
      new Request(`${this.#config.base}${path}`, { method, headers, body: body && JSON.stringify(body) }),
      this.#timeoutMs,
    );
  }
}

/** `POST /identity-verifications/{id}/send`'s body (PortOne's SendIdentityVerificationBody). */
export interface SendIdentityVerificationBody {
  storeId?: string;
  channelKey: string;
  customer: { name: string; phoneNumber: string; identityNumber?: string; ipAddress: string };
  operator: string;
  method: 'SMS' | 'APP';
}

export type ApiFlowStep = 'send' | 'resend' | 'confirm';

/**
 * PortOne's error `type`s for the API flow, as typed problems. Only the type is read: `message`,
 * `pgCode` and `pgMessage` are the upstream's and the PG's words, never trusted nor passed on.
 * A `PG_PROVIDER` error at confirm is how PortOne reports a wrong (or expired) code; the PGs'
 * codes for it are not published, so every PG error at confirm counts as a failed attempt
 * (otp/flow.ts tells an expired code by its own clock). At send and resend it is the carrier's failure.
 */
export function apiFlowProblem(step: ApiFlowStep, status: number, type: string | undefined): { code: ProblemCode; detail: string } {
  switch (type) {
    case 'PG_PROVIDER':
      return step === 'confirm'
        ? { code: 'otp_incorrect', detail: 'The code was not accepted.' }
        : { code: 'carrier_failed', detail: 'The carrier could not send a code to this phone with these details.' };
    case 'MAX_TRANSACTION_COUNT_REACHED':
      return { code: 'carrier_failed', detail: 'The carrier allows no more verification attempts for now.' };
    case 'IDENTITY_VERIFICATION_ALREADY_SENT':
      return { code: 'otp_already_sent', detail: 'A code was already sent for this verification: confirm it, or ask for it again.' };
    case 'IDENTITY_VERIFICATION_NOT_SENT':
      return { code: 'otp_not_sent', detail: 'No code was sent for this verification yet.' };
    case 'IDENTITY_VERIFICATION_ALREADY_VERIFIED':
      return { code: 'already_used', detail: 'This verification is already complete.' };
    case 'IDENTITY_VERIFICATION_NOT_FOUND':
      return { code: 'certification_not_found', detail: 'PortOne has no such identity verification.' };
    case 'CHANNEL_NOT_FOUND':
    case 'FORBIDDEN':
      return { code: 'otp_not_contracted', detail: 'PortOne refused the API flow for this channel: it needs its own contract.' };
    case 'UNAUTHORIZED':
      return { code: 'upstream_auth_failed', detail: 'PortOne refused the API secret.' };
    case 'INVALID_REQUEST':
      return { code: 'invalid_request', detail: 'PortOne refused the request\'s details as malformed.' };
    default:
      if (status === 401) return { code: 'upstream_auth_failed', detail: 'PortOne refused the API secret.' };
      return { code: 'upstream_unavailable', detail: `PortOne answered HTTP ${status}.` };
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
  // Where the record came from: the checks refuse V1 records and, in production, any channel but a live one.
  const provenance: Pick<UpstreamVerification, 'version' | 'liveChannel' | 'pageUrl'> = { version, liveChannel: isObject(channel) && channel.type === 'LIVE', pageUrl: undefined };
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
