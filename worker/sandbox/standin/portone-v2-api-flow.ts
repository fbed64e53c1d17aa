/**
 * PortOne V2's API flow for identity verification (no window: the site collects the details,
 * PortOne's PG sends a code or a PASS app push, the site confirms), as PortOne's OpenAPI
 * (v2.openapi.json: sendIdentityVerification, resendIdentityVerification,
 * confirmIdentityVerification) says:
 * - `POST /identity-verifications/{id}/send` `{ storeId?, channelKey, customer: { name, phoneNumber,
 *   identityNumber? (SMS), ipAddress }, operator, method, customData?, bypass? }` → `200 {}`;
 *   400 INVALID_REQUEST, MAX_TRANSACTION_COUNT_REACHED; 401; 403 FORBIDDEN; 404 CHANNEL_NOT_FOUND;
 *   409 IDENTITY_VERIFICATION_ALREADY_VERIFIED, IDENTITY_VERIFICATION_ALREADY_SENT; 502 PG_PROVIDER.
 * - `POST /identity-verifications/{id}/resend?storeId=` → `200 {}` (SMS only);
 * - `POST /identity-verifications/{id}/confirm` `{ storeId?, otp? }` → `200 { identityVerification }`,
 *   the record GET answers; both: 400, 401, 403, 404 IDENTITY_VERIFICATION_NOT_FOUND and
 *   IDENTITY_VERIFICATION_NOT_SENT, 409 IDENTITY_VERIFICATION_ALREADY_VERIFIED, 502 PG_PROVIDER
 *   (`{ type, message, pgCode, pgMessage }`: a wrong or expired code lands here).
 *
 * The sandbox's rules (README, "Without a popup"): the person is chosen by phone number
 * (persons.ts, and API_FLOW_PHONES for those without one); the code is always SANDBOX_OTP;
 * COMMAND_PHONES answer each send error on command; an APP push is approved through the
 * sandbox's admin API (`POST /sandbox/otp/approve`) or its dialog.
 */
import { findPerson, TEST_PERSONS, type PersonId, type TestPerson } from '../persons.ts';
import {
  authorizedV2, identityVerificationKey, identityVerificationRecord, portoneError, type PortOneIdentityVerification,
} from './portone-v2.ts';
import type { Route, StandInContext } from './route.ts';
import { OPERATORS } from '../../../protocol/otp-fields.ts';

/** The code every sandbox SMS carries. Shown in the sandbox (README, the stand-in's dialog); never a real code. */
export const SANDBOX_OTP = '000000';

/** A code lives 3 minutes at PortOne's PGs (Danal, KG Inicis), on the stand-in's clock. */
export const OTP_LIFETIME_SECONDS = 180;

/** Phones for the test persons that have none in their records (the phone is how the API flow picks a person). */
const API_FLOW_PHONES: Partial<Record<PersonId, string>> = { no_ci: '01000000006' };

/** Phone numbers that make `send` answer an error, on command: every error type the verifier must map. */
export const COMMAND_PHONES = {
  '01099990001': { status: 400, type: 'MAX_TRANSACTION_COUNT_REACHED', message: '본인인증 시도 횟수가 최대에 도달했습니다. (sandbox)' },
  '01099990002': { status: 502, type: 'PG_PROVIDER', message: 'PG사에서 오류를 전달했습니다. (sandbox)', pgCode: 'SANDBOX_CARRIER', pgMessage: '통신사 시스템 점검 중입니다. (sandbox)' },
  '01099990003': { status: 404, type: 'CHANNEL_NOT_FOUND', message: '요청된 채널이 존재하지 않습니다. (sandbox)' },
  '01099990004': { status: 403, type: 'FORBIDDEN', message: '요청이 거절되었습니다. (sandbox: no API-flow contract)' },
} as const satisfies Record<string, { status: number; type: string; message: string; pgCode?: string; pgMessage?: string }>;

// PortOne's own checks, looser than the verifier's (protocol/otp-fields.ts): the stand-in plays PortOne.
const PHONE_PATTERN = /^[0-9]{10,11}$/;
/** The first 7 digits of the resident registration number: YYMMDD and the gender digit. */
const IDENTITY_NUMBER_PATTERN = /^[0-9]{7}$/;

/** What PortOne keeps between a send and its confirm. Holds which test person, never what was typed. */
interface PendingSend {
  person: PersonId;
  method: 'SMS' | 'APP';
  sentAtMs: number;
  /** APP: the person approved the push in the (sandbox) PASS app. */
  approved: boolean;
}

const pendingKey = (id: string) => `v2-pending:${id}`;

export const PORTONE_V2_API_FLOW_ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/identity-verifications\/([^/]+)\/send$/, endpoint: 'sendIdentityVerification', handle: send },
  { method: 'POST', pattern: /^\/identity-verifications\/([^/]+)\/resend$/, endpoint: 'resendIdentityVerification', handle: resend },
  { method: 'POST', pattern: /^\/identity-verifications\/([^/]+)\/confirm$/, endpoint: 'confirmIdentityVerification', handle: confirm },
];

/** The test person a phone number picks. */
export function personByPhone(phone: string): TestPerson | undefined {
  return TEST_PERSONS.find((person) => (person.phone ?? API_FLOW_PHONES[person.id]) === phone);
}

const unauthorized = (context: StandInContext) => {
  context.countUnauthorized();
  return portoneError(401, 'UNAUTHORIZED', '인증 정보가 올바르지 않습니다.');
};
const invalid = (message: string) => portoneError(400, 'INVALID_REQUEST', message);
const notFound = () => portoneError(404, 'IDENTITY_VERIFICATION_NOT_FOUND', '요청된 본인인증 건이 존재하지 않습니다.');
const notSent = () => portoneError(404, 'IDENTITY_VERIFICATION_NOT_SENT', '본인인증 건이 API로 요청된 상태가 아닙니다.');
const alreadyVerified = () => portoneError(409, 'IDENTITY_VERIFICATION_ALREADY_VERIFIED', '본인인증 건이 이미 인증 완료된 상태입니다.');

function pgError(pgCode: string, pgMessage: string): Response {
  return Response.json({ type: 'PG_PROVIDER', message: 'PG사에서 오류를 전달했습니다.', pgCode, pgMessage }, { status: 502 });
}

async function send(request: Request, [id]: string[], context: StandInContext): Promise<Response> {
  if (!authorizedV2(request, context)) return unauthorized(context);
  const body = await request.json().catch(() => undefined) as Record<string, unknown> | undefined;
  const customer = body?.customer as Record<string, unknown> | undefined;
  if (!body || typeof body.channelKey !== 'string' || !body.channelKey || typeof customer !== 'object' || customer === null) {
    return invalid('channelKey와 customer는 필수입니다.');
  }
  const method = body.method;
  if (method !== 'SMS' && method !== 'APP') return invalid('method는 SMS 또는 APP입니다.');
  if (typeof body.operator !== 'string' || !(OPERATORS as readonly string[]).includes(body.operator)) return invalid('operator가 올바르지 않습니다.');
  if (typeof customer.name !== 'string' || !customer.name.trim()) return invalid('customer.name은 필수입니다.');
  if (typeof customer.phoneNumber !== 'string' || !PHONE_PATTERN.test(customer.phoneNumber)) return invalid('customer.phoneNumber가 올바르지 않습니다.');
  if (typeof customer.ipAddress !== 'string' || !customer.ipAddress) return invalid('customer.ipAddress는 필수입니다.');
  const identityNumber = customer.identityNumber;
  if (identityNumber === undefined ? method === 'SMS' : typeof identityNumber !== 'string' || !IDENTITY_NUMBER_PATTERN.test(identityNumber)) {
    return invalid('SMS 방식은 customer.identityNumber(주민등록번호 앞 7자리)가 필수입니다.');
  }
  const command = COMMAND_PHONES[customer.phoneNumber as keyof typeof COMMAND_PHONES];
  if (command) return Response.json({ type: command.type, message: command.message, ...('pgCode' in command ? { pgCode: command.pgCode, pgMessage: command.pgMessage } : {}) }, { status: command.status });

  const existing = await context.state.get<PortOneIdentityVerification>(identityVerificationKey(id!));
  if (existing?.status === 'VERIFIED') return alreadyVerified();
  if (await context.state.get<PendingSend>(pendingKey(id!))) {
    return portoneError(409, 'IDENTITY_VERIFICATION_ALREADY_SENT', '본인인증 건이 이미 API로 요청된 상태입니다.');
  }
  // The carrier checks the details against its subscriber: the sandbox knows its persons by phone only.
  const person = personByPhone(customer.phoneNumber);
  if (!person || person.outcome === 'pg_error') return pgError('SANDBOX_NO_SUBSCRIBER', '가입자 정보가 일치하지 않습니다. (sandbox)');

  const now = context.now();
  const pending: PendingSend = { person: person.id, method, sentAtMs: now, approved: false };
  await context.state.put<unknown>({
    [pendingKey(id!)]: pending,
    [identityVerificationKey(id!)]: identityVerificationRecord(id!, undefined, now),
  });
  return Response.json({});
}

async function resend(request: Request, [id]: string[], context: StandInContext): Promise<Response> {
  if (!authorizedV2(request, context)) return unauthorized(context);
  const found = await findPending(id!, context);
  if (found instanceof Response) return found;
  if (found.method !== 'SMS') return invalid('재전송은 SMS 방식에서만 가능합니다.');
  // A new code replaces the old one (the same fixed code here) and lives its own 3 minutes.
  await context.state.put({ [pendingKey(id!)]: { ...found, sentAtMs: context.now() } });
  return Response.json({});
}

async function confirm(request: Request, [id]: string[], context: StandInContext): Promise<Response> {
  if (!authorizedV2(request, context)) return unauthorized(context);
  const body = await request.json().catch(() => undefined) as Record<string, unknown> | undefined;
  if (!body || (body.otp !== undefined && typeof body.otp !== 'string')) return invalid('otp는 문자열입니다.');
  const found = await findPending(id!, context);
  if (found instanceof Response) return found;
  const now = context.now();
  if (found.method === 'SMS') {
    if (body.otp === undefined) return invalid('SMS 방식은 otp가 필수입니다.');
    if (now - found.sentAtMs > OTP_LIFETIME_SECONDS * 1000) return pgError('SANDBOX_OTP_EXPIRED', '인증번호 입력 시간이 초과되었습니다. (sandbox)');
    if (body.otp !== SANDBOX_OTP) return pgError('SANDBOX_OTP_MISMATCH', '인증번호가 일치하지 않습니다. (sandbox)');
  } else if (!found.approved) {
    return pgError('SANDBOX_APP_NOT_APPROVED', 'PASS 앱에서 인증이 완료되지 않았습니다. (sandbox)');
  }
  const record = identityVerificationRecord(id!, findPerson(found.person), now);
  await context.state.put<unknown>({ [identityVerificationKey(id!)]: record });
  await context.state.delete(pendingKey(id!));
  return Response.json({ identityVerification: record });
}

/** The send an id is waiting on, or PortOne's answer for why there is none. */
async function findPending(id: string, context: StandInContext): Promise<PendingSend | Response> {
  const record = await context.state.get<PortOneIdentityVerification>(identityVerificationKey(id));
  if (!record) return notFound();
  if (record.status === 'VERIFIED') return alreadyVerified();
  return (await context.state.get<PendingSend>(pendingKey(id))) ?? notSent();
}

/** The sandbox's PASS app: the person approves the push for `id`. False when no APP send waits. */
export async function approveAppPush(id: string, context: StandInContext): Promise<boolean> {
  const pending = await context.state.get<PendingSend>(pendingKey(id));
  if (!pending || pending.method !== 'APP') return false;
  await context.state.put({ [pendingKey(id)]: { ...pending, approved: true } });
  return true;
}
