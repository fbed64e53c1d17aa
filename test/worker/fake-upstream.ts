/**
 * A counted, scriptable stand-in of the Iamport V1 API for the client's tests: each test
 * says how it should behave (tokens that expire, 401s, faults) and counts what it was asked.
 * It speaks HTTP through a `fetch`-shaped function, so the real client code runs unchanged.
 */
export interface FakeCertification { [field: string]: unknown }

export class FakeIamport {
  calls = { getToken: 0, getCertification: 0, deleteCertification: 0 };
  certifications = new Map<string, FakeCertification>();
  /** How long issued tokens live, on the fake's clock (Date.now()). */
  tokenLifetimeSeconds = 1800;
  /** Answer this many certification calls with 401 whatever the token (a revoked token). */
  unauthorizedAnswers = 0;
  /** Replace the next answers entirely (faults). */
  script: Array<() => Response | Promise<Response>> = [];
  readonly tokens = new Map<string, number>();

  constructor(readonly base = 'https://upstream.test', readonly key = 'k', readonly secret = 's') {}

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const path = url.pathname.replace(new URL(this.base).pathname.replace(/\/$/, ''), '');
    const now = Math.floor(Date.now() / 1000);
    if (path === '/users/getToken' && request.method === 'POST') {
      this.calls.getToken++;
      const scripted = this.script.shift();
      if (scripted) return scripted();
      const body = (await request.json()) as { imp_key?: string; imp_secret?: string };
      if (body.imp_key !== this.key || body.imp_secret !== this.secret) return envelope(401, -1, null, 'unauthorized');
      const token = crypto.randomUUID();
      this.tokens.set(token, now + this.tokenLifetimeSeconds);
      return envelope(200, 0, { access_token: token, expired_at: now + this.tokenLifetimeSeconds, now });
    }
    const match = /^\/certifications\/([^/]+)$/.exec(path);
    if (match) {
      this.calls[request.method === 'DELETE' ? 'deleteCertification' : 'getCertification']++;
      const scripted = this.script.shift();
      if (scripted) return scripted();
      const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      const expiry = this.tokens.get(token);
      if (this.unauthorizedAnswers > 0) {
        this.unauthorizedAnswers--;
        return envelope(401, -1, null, 'Unauthorized');
      }
      if (expiry === undefined || expiry <= now) return envelope(401, -1, null, 'Unauthorized');
      const record = this.certifications.get(decodeURIComponent(match[1]!));
      if (!record) return envelope(404, -1, null, '인증결과가 존재하지 않습니다.');
      if (request.method === 'DELETE') this.certifications.delete(record.imp_uid as string);
      return envelope(200, 0, record);
    }
    return new Response('not found', { status: 404 });
  };

  /** A certified adult for `merchantUid`, made now. */
  addCertification(impUid: string, merchantUid: string, overrides: FakeCertification = {}): FakeCertification {
    const record = {
      imp_uid: impUid, merchant_uid: merchantUid, pg_provider: 'danal', pg_tid: 't', name: '가짜', gender: 'male',
      birthday: '1990-01-01', foreigner: false, foreigner_v2: null, certified: true,
      certified_at: Math.floor(Date.now() / 1000), unique_key: 'fake-ci-' + impUid, unique_in_site: 'fake-di', origin: '',
      ...overrides,
    };
    this.certifications.set(impUid, record);
    return record;
  }
}

export function envelope(status: number, code: number, response: unknown, message: string | null = null): Response {
  return Response.json({ code, message, response }, { status });
}

/**
 * The same for PortOne V2's `GET /identity-verifications/{id}`: records it holds, a script of
 * faults that replace the next answers, and a count of the calls.
 */
export class FakePortOne {
  calls = 0;
  records = new Map<string, FakeCertification>();
  script: Array<() => Response | Promise<Response>> = [];

  constructor(readonly base = 'https://portone.test', readonly secret = 'sandbox_portone_secret') {}

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const match = /\/identity-verifications\/([^/]+)$/.exec(new URL(request.url).pathname);
    if (!match) return new Response('not found', { status: 404 });
    this.calls++;
    const scripted = this.script.shift();
    if (scripted) return scripted();
    if (request.headers.get('authorization') !== `PortOne ${this.secret}`) return Response.json({ type: 'UNAUTHORIZED' }, { status: 401 });
    const record = this.records.get(decodeURIComponent(match[1]!));
    return record ? Response.json(record) : Response.json({ type: 'IDENTITY_VERIFICATION_NOT_FOUND' }, { status: 404 });
  };

  /** A VERIFIED adult with this id, verified now. */
  addVerification(id: string, overrides: FakeCertification = {}): FakeCertification {
    const record = {
      status: 'VERIFIED', id, version: 'V2', requestedAt: new Date().toISOString(), verifiedAt: new Date().toISOString(),
      verifiedCustomer: { name: '가짜', birthDate: '1990-01-01', gender: 'MALE', ci: `fake-ci-${id}`, di: 'fake-di' },
      ...overrides,
    };
    this.records.set(id, record);
    return record;
  }
}
