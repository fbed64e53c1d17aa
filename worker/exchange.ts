/**
 * The exchange behind `POST /v1/attestations`: the one place that wires I/O (upstream,
 * ledger, signing) to the decisions in checks/. Cheap checks run before expensive ones:
 * shape, then challenge (no I/O), then the upstream, then the signature, then the ledger's
 * claim. Another way in to the same attestation (a record got by other means) reuses `attest`.
 * The body's shape is read before, beside the other request parsing (request/exchange-request.ts).
 */
import { decodeJwt } from 'jose';
import { verifyChallenge } from './checks/challenge.ts';
import type { AskedAge } from './checks/age.ts';
import { buildClaims, pairwiseSubject, type AttestationClaims } from './signing/claims.ts';
import { checkGuardian, isUnder } from './checks/guardian.ts';
import { checkVerification, type Expectation, type Provider, type UpstreamVerification, type Verified } from './checks/verification.ts';
import { base64url, sha256 } from './crypto.ts';
import type { Env } from './env.ts';
import { VerifyError } from './errors.ts';
import { ledgerFor } from './ledger/ledger.ts';
import type { ExchangeRequest } from './request/exchange-request.ts';
import { signAttestation } from './signing/attestation.ts';
import { upstreamFetchFor } from './upstream/http.ts';
import { IamportClient } from './upstream/iamport.ts';
import { PortOneClient } from './upstream/portone.ts';
import { MAX_CERT_AGE_LIMIT_SECONDS, type Settings } from './settings.ts';
import { GUARDIAN_MIN_AGE } from '../protocol/guardian.ts';

export interface Attestation { token: string; expires_at: number; claims: AttestationClaims }

export interface ExchangeContext {
  env: Env;
  settings: Settings;
  /** The allowed Origin the request came from: the token's audience. */
  origin: string;
  issuer: string;
  /** Work to finish after the response (the optional purge). */
  waitUntil: (promise: Promise<unknown>) => void;
  onPurgeResult: (ok: boolean, code?: string) => void;
}

/**
 * The exchange, step by step: the challenge (no I/O); the ledger, for the answer to this very
 * request if it was answered before; the upstream's record; then `attest` (the checks, the
 * signature, the ledger's claim). `readRecord` is another way to the person's record: the form
 * mode's confirm (otp/flow.ts), whose answer is that record; by default it is read with a GET.
 */
export async function exchange(
  request: ExchangeRequest, ctx: ExchangeContext,
  readRecord: () => Promise<UpstreamVerification> = () => fetchVerification(request.provider, request.upstreamId, ctx),
): Promise<Attestation> {
  const challengeIssuedAt = await verifyChallenge(
    ctx.settings.challengeSecret, request.challenge,
    { provider: request.provider, merchantUid: request.merchantUid, origin: ctx.origin }, nowSeconds(),
    ctx.settings.challengeTtlSeconds + ctx.settings.maxCertAgeSeconds,
  );
  // A retry whose first answer was lost on the way: the same attestation, without asking the
  // upstream again (by now the record may be purged, or too old for the freshness check).
  const requestHash = await fingerprint(request, ctx.origin);
  const earlier = await ledgerFor(ctx.env, request.provider, request.upstreamId).answerTo(requestHash);
  if (earlier) return attestationOf(earlier);

  // The guardian step reads two records, the person's and the guardian's, at once.
  const [record, guardianRecord] = await Promise.all([
    readRecord(),
    request.guardianId === undefined ? undefined : fetchVerification(request.provider, request.guardianId, ctx),
  ]);
  // Awaited: a refusal thrown at once inside attest would otherwise be reported unhandled by workerd.
  return await attest(record, request, challengeIssuedAt, requestHash, ctx, guardianRecord);
}

/** The upstream's record: only the client differs between providers; the checks, ledger and signing are shared. */
export function fetchVerification(provider: Provider, id: string, ctx: ExchangeContext): Promise<UpstreamVerification> {
  return provider === 'iamport'
    ? iamportClient(ctx).getCertification(id)
    : portOneClient(ctx).getIdentityVerification(id);
}

export function portOneClient({ env, settings }: Pick<ExchangeContext, 'env' | 'settings'>): PortOneClient {
  return new PortOneClient(settings.portone, upstreamFetchFor(env, settings), settings.upstreamTimeoutMs);
}

function iamportClient({ env, settings }: ExchangeContext): IamportClient {
  return new IamportClient(settings.iamport, upstreamFetchFor(env, settings), settings.upstreamTimeoutMs);
}

/**
 * From an upstream record to an attestation: the decisions, then the signature, then the
 * single-use claim. Signed before it is claimed, so that no failure (a key that cannot sign,
 * a lost ledger call) uses up a person's paid verification; the claim keeps the signed token,
 * and whoever loses a race for the same request answers with the winner's token.
 */
export async function attest(
  record: UpstreamVerification, request: ExchangeRequest, challengeIssuedAt: number, requestHash: string, ctx: ExchangeContext,
  guardianRecord?: UpstreamVerification,
): Promise<Attestation> {
  const { settings, env } = ctx;
  const nowMs = Date.now();
  const expect: Expectation = {
    merchantUid: request.merchantUid,
    audience: ctx.origin,
    acceptTestChannels: settings.environment === 'development',
    challengeIssuedAt,
    challengeTtlSeconds: settings.challengeTtlSeconds,
    nowMs,
    maxCertAgeSeconds: settings.maxCertAgeSeconds,
    age: request.age,
  };
  const person = checkVerification(record, expect);
  const { age, guardian } = checkGuardianStep(record, person, request, expect, guardianRecord);

  const claims = buildClaims({
    issuer: ctx.issuer,
    audience: ctx.origin,
    subject: await pairwiseSubject(settings.subjectSecret, ctx.origin, person.ci),
    nowSeconds: Math.floor(nowMs / 1000),
    ttlSeconds: settings.tokenTtlSeconds,
    merchantUid: request.merchantUid,
    age,
    ageUnder: guardian ? request.guardianUnder : undefined,
    guardian: guardian && {
      sub: await pairwiseSubject(settings.subjectSecret, ctx.origin, guardian.ci),
      age_over: GUARDIAN_MIN_AGE,
      verified_at: guardian.verifiedAt,
    },
    verifiedAt: person.verifiedAt,
    provider: request.provider,
    upstreamId: request.upstreamId,
    nonce: request.nonce,
    foreigner: record.foreigner,
  });
  const token = await signAttestation(settings, claims);

  // Single use, claimed last so that a refused or failed request changes nothing. The claim is
  // kept until the certification could no longer pass the freshness check under any setting
  // (raising MAX_CERT_AGE_SECONDS later must not make a forgotten id exchangeable again).
  const ledgerAnswer = { requestHash, token, expiresAtMs: claims.exp * 1000 };
  const forgetAfter = (verified: Verified) => (verified.verifiedAt + MAX_CERT_AGE_LIMIT_SECONDS) * 1000 + 60_000;
  // The guardian's first: if it was used before, nothing of the person's is touched.
  const guardianLedger = guardian && ledgerFor(env, request.provider, request.guardianId!);
  if (guardianLedger && (await guardianLedger.claim(ledgerAnswer, forgetAfter(guardian))) === undefined) {
    throw new VerifyError('already_used', 'The guardian\'s verification was already exchanged for an attestation.');
  }
  // If the person's claim fails (used already, or the ledger call itself), the guardian's
  // verification is given back: it stays theirs to use.
  const answer = await ledgerFor(env, request.provider, request.upstreamId).claim(ledgerAnswer, forgetAfter(person)).catch(async (error: unknown) => {
    await guardianLedger?.release(requestHash).catch(() => {});
    throw error;
  });
  if (answer === undefined) {
    await guardianLedger?.release(requestHash);
    throw new VerifyError('already_used', 'This verification was already exchanged for an attestation.');
  }
  // The same request raced in twice: the first one's token is the answer, and its purge the only one.
  if (answer !== token) return attestationOf(answer);

  if (settings.purgeAfterAttest && request.provider === 'iamport') {
    // The attestation is already signed: a failing DELETE is reported, never fatal.
    // (PortOne V2 has no deletion endpoint for identity verifications.)
    // The guardian's certification holds personal data too.
    for (const id of guardian ? [request.upstreamId, request.guardianId!] : [request.upstreamId]) {
      ctx.waitUntil(
        iamportClient(ctx).deleteCertification(id).then(
          () => ctx.onPurgeResult(true),
          (error: unknown) => ctx.onPurgeResult(false, error instanceof VerifyError ? error.code : 'internal_error'),
        ),
      );
    }
  }
  return { token, expires_at: claims.exp, claims };
}

/**
 * What makes two exchanges "the same request": every field the verifier reads, and the site.
 * Hashed, so the ledger keeps nothing of it readable.
 */
async function fingerprint(request: ExchangeRequest, origin: string): Promise<string> {
  const { provider, upstreamId, merchantUid, challenge, age, guardianUnder, guardianId, nonce } = request;
  return base64url(await sha256(JSON.stringify([
    provider, upstreamId, merchantUid, challenge, origin, age ?? null, guardianUnder ?? null, guardianId ?? null, nonce ?? null,
  ])));
}

/**
 * With `guardian_under`, the under-14 step: a person at least that age is attested as such
 * (`age_over`); one younger needs a guardian's verification (`guardian_required` until it comes),
 * checked as an adult, someone else, after the person, for the same challenge.
 */
function checkGuardianStep(
  record: UpstreamVerification, person: Verified, request: ExchangeRequest, expect: Expectation, guardianRecord: UpstreamVerification | undefined,
): { age: AskedAge | undefined; guardian?: Verified } {
  const under = request.guardianUnder;
  if (under === undefined) return { age: request.age };
  if (!isUnder(record, under, expect.nowMs)) return { age: { rule: 'age', min: under } };
  if (!guardianRecord) {
    throw new VerifyError('guardian_required', `The person is under ${under}: an adult guardian must verify too, under the same challenge.`);
  }
  // V1 runs the guardian under the same merchant_uid; V2 under the guardian's own id.
  const merchantUid = request.provider === 'iamport' ? request.merchantUid : request.guardianId!;
  return { age: undefined, guardian: checkGuardian(guardianRecord, person, { ...expect, merchantUid }) };
}

/** The answer for a token we signed and kept: its claims are its payload. */
function attestationOf(token: string): Attestation {
  const claims = decodeJwt(token) as AttestationClaims;
  return { token, expires_at: claims.exp, claims };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
