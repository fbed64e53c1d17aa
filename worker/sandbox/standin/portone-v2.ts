/**
 * PortOne V2's identity verification API as shared/reference/portone-v2-identity-verification.openapi.json
 * says: `GET /identity-verifications/{id}` with `Authorization: PortOne <secret>`, READY, VERIFIED
 * and FAILED records, `{ type, message }` errors; and the record a test person's verification
 * leaves behind, with what `PortOne.requestIdentityVerification` resolves to.
 *
 * The API flow's send, resend and confirm (portone-v2-api-flow.ts) are more routes of the same
 * API (stand-in.ts serves both tables), each one more `Endpoint` to count, with handlers over the same state.
 */
import { birthdayToday, type TestPerson } from '../persons.ts';
import { randomHex, type Route, type StandInContext } from './route.ts';

/** A V2 record, as GET /identity-verifications/{id} returns it. Cancel leaves it READY. */
export interface PortOneIdentityVerification {
  status: 'READY' | 'VERIFIED' | 'FAILED';
  id: string;
  channel?: SelectedChannel;
  /** READY and FAILED records only: PortOne's VerifiedIdentityVerification has none. */
  requestedCustomer?: Record<string, string>;
  verifiedCustomer?: Record<string, string | boolean>;
  failure?: { reason: string; pgCode: string; pgMessage: string };
  requestedAt: string;
  updatedAt: string;
  statusChangedAt: string;
  verifiedAt?: string;
  pgTxId?: string;
  pgRawResponse?: string;
  /** A V1 certification read through this API says `V1`. */
  version: 'V1' | 'V2';
}

/** `SelectedChannel`: test channels answer with `type: "TEST"`. */
export interface SelectedChannel {
  type: 'LIVE' | 'TEST';
  id?: string;
  key?: string;
  name?: string;
  pgProvider: string;
  pgMerchantId: string;
}

export const identityVerificationKey = (id: string) => `v2:${id}`;

export const PORTONE_V2_ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/identity-verifications\/([^/]+)$/, endpoint: 'getIdentityVerification', handle: getIdentityVerification },
];

/** A V2 error body: `{ type, message }` with the HTTP status. */
export function portoneError(status: number, type: string, message: string): Response {
  return Response.json({ type, message }, { status });
}

export function authorizedV2(request: Request, context: StandInContext): boolean {
  const secret = request.headers.get('authorization')?.match(/^PortOne\s+(.+)$/)?.[1];
  return !!secret && secret === context.credentials().portone.secret;
}

async function getIdentityVerification(request: Request, [id]: string[], context: StandInContext): Promise<Response> {
  if (!authorizedV2(request, context)) {
    context.countUnauthorized();
    return portoneError(401, 'UNAUTHORIZED', '인증 정보가 올바르지 않습니다.');
  }
  const record = await context.state.get<PortOneIdentityVerification>(identityVerificationKey(id!));
  if (!record) return portoneError(404, 'IDENTITY_VERIFICATION_NOT_FOUND', '요청된 본인인증 건이 존재하지 않습니다.');
  return Response.json(record);
}

/** V1 carrier codes → V2 operator codes. */
const OPERATORS: Record<string, string> = { SKT: 'SKT', KT: 'KT', LGT: 'LGU', SKT_MVNO: 'SKT_MVNO', KT_MVNO: 'KT_MVNO', LGT_MVNO: 'LGU_MVNO' };

/**
 * The record a test person's verification leaves (`undefined`: cancelled, so still READY).
 * The sandbox's channels are test channels, and say so as PortOne's do.
 */
export function identityVerificationRecord(id: string, person: TestPerson | undefined, atMs: number): PortOneIdentityVerification {
  const at = new Date(atMs).toISOString();
  const inicis = person?.pgProvider === 'inicis_unified';
  const base = {
    id,
    channel: {
      type: 'TEST' as const, id: 'channel-id-sandbox', key: 'channel-key-sandbox', name: inicis ? 'KG이니시스 (sandbox)' : '다날 (sandbox)',
      pgProvider: inicis ? 'INICIS_UNIFIED' : 'DANAL', pgMerchantId: 'sandbox',
    },
    requestedAt: at,
    updatedAt: at,
    statusChangedAt: at,
    version: 'V2' as const,
  };
  if (!person) return { status: 'READY', ...base, requestedCustomer: {} };
  if (person.outcome !== 'certified') {
    return { status: 'FAILED', ...base, requestedCustomer: {}, failure: { reason: '본인인증 실패', pgCode: '9015', pgMessage: '본인인증 실패 (sandbox)' } };
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

export interface SdkFailure { code: string; message: string; pgCode?: string; pgMessage?: string }

/** What `PortOne.requestIdentityVerification` resolves to; `code` present means failure. */
export function sdkResponse(id: string, record: PortOneIdentityVerification, failure?: SdkFailure) {
  return { transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: id, identityVerificationTxId: record.pgTxId ?? `sandbox-tx-${id}`, ...failure };
}
