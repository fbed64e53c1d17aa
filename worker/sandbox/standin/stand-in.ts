/**
 * The one upstream stand-in: Iamport V1 and PortOne V2 answered exactly as shared/reference
 * says, over a small state interface, with no I/O of its own. Three hosts wrap it:
 * - the sandbox's Durable Object (upstream-object.ts), state in Durable Object storage;
 * - the verifier's tests (test/worker/fake-upstream.ts), in memory, with faults injected;
 * - the bench's Node server (bench/standin/server.mjs), in memory, after a fixed delay.
 *
 * It also runs test persons' verifications as the PG window would (`certify`, `verifyIdentity`),
 * and serves that as the sandbox's small admin API (`sandbox`).
 */
import { findPerson, TEST_PERSONS } from '../persons.ts';
import {
  acceptToken, callbackFor, certificationKey, certificationRecord, envelope, IAMPORT_V1_ROUTES, type IamportCertificationRecord,
} from './iamport-v1.ts';
import {
  identityVerificationKey, identityVerificationRecord, PORTONE_V2_ROUTES, portoneError, sdkResponse, type PortOneIdentityVerification,
} from './portone-v2.ts';
import { approveAppPush, PORTONE_V2_API_FLOW_ROUTES } from './portone-v2-api-flow.ts';
import { nowSeconds, type Endpoint, type Route, type StandInContext, type StandInCredentials } from './route.ts';
import type { StandInState } from './state.ts';

export type StandInCalls = Record<Endpoint | 'unauthorized', number>;

const NO_CALLS: StandInCalls = {
  getToken: 0, getCertification: 0, deleteCertification: 0, getIdentityVerification: 0,
  sendIdentityVerification: 0, resendIdentityVerification: 0, confirmIdentityVerification: 0, unauthorized: 0,
};

export interface StandInOptions {
  state: StandInState;
  credentials: StandInCredentials | (() => StandInCredentials);
  /** Milliseconds; `Date.now` unless a test brings its own clock. */
  now?: () => number;
  /**
   * Called for every counted call before it is answered: return a Response to answer with it
   * instead (a fault), or nothing to let the stand-in answer.
   */
  inject?: (endpoint: Endpoint, request: Request) => Response | undefined | Promise<Response | undefined>;
}

/** A malformed escape (`%E0%A4%A`) is kept as it came: the id then matches nothing, as upstream. */
function decodePathParameter(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The merchant's own ids and the upstream's: 1 to 40 of A-Z a-z 0-9 _ -. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
/** V2 ids are not held to V1's 40 characters: the guardian's is the person's with `-guardian`. */
const V2_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** PortOne V2: the record's GET, and the API flow's send, resend and confirm. */
const PORTONE_V2_API = [...PORTONE_V2_ROUTES, ...PORTONE_V2_API_FLOW_ROUTES];

export class UpstreamStandIn {
  calls: StandInCalls = { ...NO_CALLS };
  readonly #context: StandInContext;
  readonly #inject: StandInOptions['inject'];

  constructor(options: StandInOptions) {
    const { credentials } = options;
    this.#context = {
      state: options.state,
      credentials: typeof credentials === 'function' ? credentials : () => credentials,
      // Read at each call, so a test's fake clock moves the stand-in's too.
      now: options.now ?? (() => Date.now()),
      countUnauthorized: () => { this.calls.unauthorized++; },
    };
    this.#inject = options.inject;
  }

  /** The Iamport V1 REST API; `path` is inside it (`/users/getToken`, `/certifications/{imp_uid}`). */
  iamport(request: Request, path: string): Promise<Response> {
    return this.#route(IAMPORT_V1_ROUTES, request, path, () => envelope(404, null, '요청하신 API를 찾을 수 없습니다.'));
  }

  /** The PortOne V2 REST API; `path` is inside it (`/identity-verifications/{id}`). */
  portone(request: Request, path: string): Promise<Response> {
    return this.#route(PORTONE_V2_API, request, path, () => portoneError(404, 'NOT_FOUND', '요청하신 API를 찾을 수 없습니다.'));
  }

  async #route(routes: Route[], request: Request, path: string, notFound: () => Response): Promise<Response> {
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (!match || route.method !== request.method) continue;
      this.calls[route.endpoint]++;
      const injected = await this.#inject?.(route.endpoint, request);
      return injected ?? route.handle(request, match.slice(1).map(decodePathParameter), this.#context);
    }
    return notFound();
  }

  resetCalls(): StandInCalls {
    this.calls = { ...NO_CALLS };
    return this.calls;
  }

  /** Run a test person's V1 verification; answers what `IMP.certification` hands its callback. */
  async certify(personId: string, merchantUid: string, { origin = '', certifiedAt = nowSeconds(this.#context) } = {}) {
    const person = findPerson(personId);
    if (!person) throw new RangeError(`no test person ${personId}`);
    const record = certificationRecord(person, merchantUid, certifiedAt, origin);
    await this.putCertification(record);
    return callbackFor(person, record);
  }

  /** Run a test person's V2 verification (`cancel`: the person closed the window); answers what the SDK resolves to. */
  async verifyIdentity(personId: string, id: string, { atMs = this.#context.now() } = {}) {
    const person = findPerson(personId);
    if (!person && personId !== 'cancel') throw new RangeError(`no test person ${personId}`);
    const existing = await this.identityVerification(id);
    // An id can succeed once only.
    if (existing?.status === 'VERIFIED') {
      return sdkResponse(id, existing, { code: 'IDENTITY_VERIFICATION_ALREADY_VERIFIED', message: '이미 인증이 완료된 건입니다.' });
    }
    const record = identityVerificationRecord(id, person, atMs);
    await this.putIdentityVerification(record);
    const failure = !person
      ? { code: 'IDENTITY_VERIFICATION_CANCELLED', message: '사용자가 본인인증을 취소하였습니다.' }
      : record.status === 'FAILED'
        ? { code: 'IDENTITY_VERIFICATION_FAILED', message: '본인인증에 실패하였습니다. (sandbox PG error)', pgCode: '9015', pgMessage: '본인인증 실패' }
        : undefined;
    return sdkResponse(id, record, failure);
  }

  putCertification(record: IamportCertificationRecord | Record<string, unknown>): Promise<void> {
    return this.#context.state.put({ [certificationKey(String(record.imp_uid))]: record });
  }

  certification(impUid: string): Promise<IamportCertificationRecord | undefined> {
    return this.#context.state.get(certificationKey(impUid));
  }

  putIdentityVerification(record: PortOneIdentityVerification | Record<string, unknown>): Promise<void> {
    return this.#context.state.put({ [identityVerificationKey(String(record.id))]: record });
  }

  identityVerification(id: string): Promise<PortOneIdentityVerification | undefined> {
    return this.#context.state.get(identityVerificationKey(id));
  }

  /** Make `token` valid until `expiredAt` (unix seconds), as if the upstream had issued it. */
  acceptToken(token: string, expiredAt: number): Promise<void> {
    return acceptToken(this.#context, token, expiredAt);
  }

  /**
   * The sandbox's admin API, for the stand-in SDKs and tests: `GET /persons`,
   * `POST /certifications` (run a verification), `POST /otp/approve` (the person approves an API-flow
   * APP push: `{ identity_verification_id }`), `GET /stats`, `POST /stats/reset`.
   */
  async sandbox(request: Request, path: string): Promise<Response> {
    if (request.method === 'GET' && path === '/persons') {
      return Response.json(TEST_PERSONS.map(({ id, label, outcome }) => ({ id, label, outcome })));
    }
    if (request.method === 'POST' && path === '/certifications') return this.#runVerification(request);
    if (request.method === 'POST' && path === '/otp/approve') return this.#approveAppPush(request);
    if (request.method === 'GET' && path === '/stats') return Response.json(this.calls);
    if (request.method === 'POST' && path === '/stats/reset') return Response.json(this.resetCalls());
    return Response.json({ error: 'There is no such sandbox endpoint.' }, { status: 404 });
  }

  async #approveAppPush(request: Request): Promise<Response> {
    const input = await request.json().catch(() => undefined) as Record<string, unknown> | undefined;
    const id = input?.identity_verification_id;
    if (typeof id !== 'string' || !V2_ID_PATTERN.test(id)) {
      return Response.json({ error: 'Send { identity_verification_id }.' }, { status: 400 });
    }
    if (!(await approveAppPush(id, this.#context))) {
      return Response.json({ error: 'No APP push waits for this identity verification.' }, { status: 409 });
    }
    return Response.json({ approved: true });
  }

  /** V1: `{ person, merchant_uid, origin?, certified_at? }`; V2: `{ provider: "portone", person, identity_verification_id, certified_at? }`. */
  async #runVerification(request: Request): Promise<Response> {
    const input = await request.json().catch(() => undefined) as Record<string, unknown> | undefined;
    const person = typeof input?.person === 'string' ? input.person : '';
    const certifiedAt = Number.isSafeInteger(input?.certified_at) ? input!.certified_at as number : undefined;
    if (input?.provider === 'portone') {
      const id = input.identity_verification_id;
      if ((!findPerson(person) && person !== 'cancel') || typeof id !== 'string' || !V2_ID_PATTERN.test(id)) {
        return Response.json({ error: 'Send { provider: "portone", person, identity_verification_id }: person is one of /sandbox/persons or "cancel".' }, { status: 400 });
      }
      return Response.json(await this.verifyIdentity(person, id, { atMs: certifiedAt === undefined ? undefined : certifiedAt * 1000 }), { status: 201 });
    }
    const merchantUid = input?.merchant_uid;
    if (!findPerson(person) || typeof merchantUid !== 'string' || !ID_PATTERN.test(merchantUid)) {
      return Response.json({ error: 'Send { person, merchant_uid }: person is one of /sandbox/persons, merchant_uid is 1 to 40 of A-Z a-z 0-9 _ -.' }, { status: 400 });
    }
    // The real SDK reports the page's URL; a caller that sends none gets its Origin header.
    const origin = typeof input?.origin === 'string' ? input.origin : (request.headers.get('origin') ?? '');
    return Response.json(await this.certify(person, merchantUid, { origin, certifiedAt }), { status: 201 });
  }
}
