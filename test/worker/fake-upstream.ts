/**
 * The upstream stand-in (worker/sandbox/standin) as the client's tests need it: in memory,
 * behind a `fetch`-shaped function so the real client code runs unchanged, counting every
 * call, with faults each test scripts (answers that replace the next ones, revoked tokens).
 * Time is the stand-in's `Date.now()`, so vi's fake timers move its clock too.
 */
import { UpstreamStandIn } from '../../worker/sandbox/standin/stand-in.ts';
import { memoryState } from '../../worker/sandbox/standin/state.ts';
import type { Endpoint } from '../../worker/sandbox/standin/route.ts';

export interface FakeCertification { [field: string]: unknown }

type Fault = () => Response | Promise<Response>;

/** Where a request goes inside an API served at `base` (which may have a path of its own). */
function pathInside(base: string, request: Request): string {
  return new URL(request.url).pathname.replace(new URL(base).pathname.replace(/\/$/, ''), '');
}

function requestOf(input: RequestInfo | URL, init?: RequestInit): Request {
  return input instanceof Request ? input : new Request(input, init);
}

export class FakeIamport {
  /** Replace the next counted answers entirely (faults). */
  script: Fault[] = [];
  /** Answer this many certification calls with 401 whatever the token (a revoked token). */
  unauthorizedAnswers = 0;
  readonly standIn: UpstreamStandIn;

  constructor(readonly base = 'https://upstream.test', readonly key = 'k', readonly secret = 's') {
    this.standIn = new UpstreamStandIn({
      state: memoryState(),
      credentials: { iamport: { key, secret }, portone: { secret: '' } },
      inject: (endpoint) => this.#fault(endpoint),
    });
  }

  /** The calls per V1 endpoint, faults included. */
  get calls() {
    const { getToken, getCertification, deleteCertification } = this.standIn.calls;
    return { getToken, getCertification, deleteCertification };
  }

  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = requestOf(input, init);
    return this.standIn.iamport(request, pathInside(this.base, request));
  };

  #fault(endpoint: Endpoint): Response | Promise<Response> | undefined {
    const scripted = this.script.shift();
    if (scripted) return scripted();
    if (endpoint !== 'getToken' && this.unauthorizedAnswers > 0) {
      this.unauthorizedAnswers--;
      return envelope(401, -1, null, 'Unauthorized');
    }
    return undefined;
  }

  /** A certified adult for `merchantUid`, made now; `overrides` replace (or, as undefined, remove) fields. */
  addCertification(impUid: string, merchantUid: string, overrides: FakeCertification = {}): FakeCertification {
    const record = {
      imp_uid: impUid, merchant_uid: merchantUid, pg_provider: 'danal', pg_tid: 't', name: '가짜', gender: 'male',
      birthday: '1990-01-01', foreigner: false, foreigner_v2: null, certified: true,
      certified_at: Math.floor(Date.now() / 1000), unique_key: 'fake-ci-' + impUid, unique_in_site: 'fake-di', origin: '',
      ...overrides,
    };
    void this.standIn.putCertification(record); // memory state: written before this returns
    return record;
  }

  /** Whether the stand-in still holds the certification (a purge deletes it). */
  async holds(impUid: string): Promise<boolean> {
    return (await this.standIn.certification(impUid)) !== undefined;
  }

  /** Make the stand-in accept `token` as if it had issued it, until `expiredAt` (unix seconds). */
  acceptToken(token: string, expiredAt: number): Promise<void> {
    return this.standIn.acceptToken(token, expiredAt);
  }
}

/** A V1 envelope with any status and code, for faults. */
export function envelope(status: number, code: number, response: unknown, message: string | null = null): Response {
  return Response.json({ code, message, response }, { status });
}

/**
 * The same for PortOne V2's `GET /identity-verifications/{id}`: records it holds, and a script
 * of faults that replace the next answers (the stand-in counts the calls).
 */
export class FakePortOne {
  script: Fault[] = [];
  readonly standIn: UpstreamStandIn;
  readonly #holds: { arrived: () => void; released: Promise<Response | undefined> }[] = [];

  constructor(readonly base = 'https://portone.test', readonly secret = 'sandbox_portone_secret') {
    this.standIn = new UpstreamStandIn({
      state: memoryState(),
      credentials: { iamport: { key: '', secret: '' }, portone: { secret } },
      inject: async () => {
        const hold = this.#holds.shift();
        if (hold) {
          hold.arrived();
          const answer = await hold.released;
          if (answer) return answer;
        }
        return this.script.shift()?.();
      },
    });
  }

  /**
   * Hold the next call open until the test releases it (a carrier's slow send, with no timing
   * to guess): `arrived` once it reached PortOne; `release()` lets the stand-in answer it, or
   * `release(answer)` answers with that instead.
   */
  holdNext(): { arrived: Promise<void>; release: (answer?: Response) => void } {
    let arrived!: () => void;
    let release!: (answer?: Response) => void;
    const arrival = new Promise<void>((resolve) => { arrived = resolve; });
    const released = new Promise<Response | undefined>((resolve) => { release = resolve; });
    this.#holds.push({ arrived, released });
    return { arrived: arrival, release };
  }

  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = requestOf(input, init);
    return this.standIn.portone(request, pathInside(this.base, request));
  };

  /** A VERIFIED adult with this id, verified now on a live channel; `overrides` replace (or, as undefined, remove) fields. */
  addVerification(id: string, overrides: FakeCertification = {}): FakeCertification {
    const now = new Date().toISOString();
    const record = {
      status: 'VERIFIED', id, version: 'V2',
      channel: { type: 'LIVE', id: 'channel-id-live', key: 'channel-key-live', name: '다날', pgProvider: 'DANAL', pgMerchantId: 'A010002002' },
      requestedAt: now, updatedAt: now, statusChangedAt: now, verifiedAt: now,
      verifiedCustomer: { name: '가짜', birthDate: '1990-01-01', gender: 'MALE', ci: `fake-ci-${id}`, di: 'fake-di' },
      pgTxId: `fake-tx-${id}`, pgRawResponse: '{}',
      ...overrides,
    };
    void this.standIn.putIdentityVerification(record); // memory state: written before this returns
    return record;
  }
}
