/**
 * The exchange behind `POST /v1/attestations`: the one place that wires I/O (upstream,
 * ledger, signing) to the decisions in checks/. Cheap checks run before expensive ones:
 * shape, then challenge (no I/O), then the upstream, then the signature, then the ledger's
 * claim. Another way in to the same attestation (a record got by other means) reuses `attest`.
 */
import { verifyChallenge } from './checks/challenge.ts';
import { buildClaims, pairwiseSubject, type AttestationClaims } from './checks/claims.ts';
import { checkVerification, type Provider, type UpstreamVerification } from './checks/verification.ts';
import { base64url, fromBase64url, sha256 } from './crypto.ts';
import type { Env } from './env.ts';
import { VerifyError } from './errors.ts';
import { ledgerFor } from './ledger/ledger.ts';
import { CHALLENGE_PATTERN, field, IMP_UID_PATTERN, MERCHANT_UID_PATTERN, NONCE_PATTERN } from './request/fields.ts';
import { signAttestation } from './signing/attestation.ts';
import { upstreamFetchFor } from './upstream/http.ts';
import { IamportClient } from './upstream/iamport.ts';
import { PortOneClient } from './upstream/portone.ts';
import { MAX_CERT_AGE_LIMIT_SECONDS, type Settings } from './settings.ts';

export interface ExchangeRequest {
  provider: Provider;
  /** imp_uid, or the V2 identityVerificationId. */
  upstreamId: string;
  merchantUid: string;
  challenge: string;
  minAge: number | undefined;
  nonce: string | undefined;
}

export interface Attestation { token: string; expires_at: number; claims: AttestationClaims }

/**
 * Validate the body's shape. V1: `{ imp_uid, merchant_uid, challenge, … }`.
 * V2: `{ provider: "portone", identity_verification_id, challenge, … }`, where the id is
 * the challenge's merchant_uid. The challenge is read last: a missing or malformed one is
 * `challenge_invalid` (not ours, as a forged one is), once the other fields are well formed.
 */
export function parseExchangeRequest(body: Record<string, unknown>, settings: Settings): ExchangeRequest {
  const provider = parseProvider(body);
  const options = {
    minAge: parseMinAge(body.min_age, settings),
    nonce: field.optionalString(body, 'nonce', NONCE_PATTERN),
  };
  let upstreamId: string, merchantUid: string;
  if (provider === 'iamport') {
    upstreamId = field.string(body, 'imp_uid', IMP_UID_PATTERN);
    merchantUid = field.string(body, 'merchant_uid', MERCHANT_UID_PATTERN);
  } else {
    upstreamId = merchantUid = field.string(body, 'identity_verification_id', MERCHANT_UID_PATTERN);
  }
  const challenge = body.challenge;
  if (typeof challenge !== 'string' || !CHALLENGE_PATTERN.test(challenge)) {
    throw new VerifyError('challenge_invalid', '`challenge` is missing or malformed: ask for one at /v1/challenges.');
  }
  return { provider, upstreamId, merchantUid, challenge, ...options };
}

/** The body's `provider`: `iamport` (PortOne V1) when absent, or `portone` (V2). */
export function parseProvider(body: Record<string, unknown>): Provider {
  const provider = body.provider ?? 'iamport';
  if (provider === 'iamport' || provider === 'portone') return provider;
  throw new VerifyError('invalid_request', '`provider` must be "iamport" or "portone".');
}

function parseMinAge(value: unknown, settings: Settings): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || !settings.allowedAges.includes(value)) {
    throw new VerifyError('invalid_request', `\`min_age\` must be one of ${settings.allowedAges.join(', ')}.`);
  }
  return value;
}

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
 * signature, the ledger's claim).
 */
export async function exchange(request: ExchangeRequest, ctx: ExchangeContext): Promise<Attestation> {
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

  const record = await fetchVerification(request, ctx);
  // Awaited: a refusal thrown at once inside attest would otherwise be reported unhandled by workerd.
  return await attest(record, request, challengeIssuedAt, requestHash, ctx);
}

/** The upstream's record: only the client differs between providers; the checks, ledger and signing are shared. */
function fetchVerification(request: ExchangeRequest, ctx: ExchangeContext): Promise<UpstreamVerification> {
  return request.provider === 'iamport'
    ? iamportClient(ctx).getCertification(request.upstreamId)
    : new PortOneClient(ctx.settings.portone, upstreamFetchFor(ctx.env, ctx.settings), ctx.settings.upstreamTimeoutMs)
      .getIdentityVerification(request.upstreamId);
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
): Promise<Attestation> {
  const { settings, env } = ctx;
  const nowMs = Date.now();
  const { verifiedAt, ci } = checkVerification(record, {
    merchantUid: request.merchantUid,
    audience: ctx.origin,
    acceptTestChannels: settings.environment === 'development',
    challengeIssuedAt,
    challengeTtlSeconds: settings.challengeTtlSeconds,
    nowMs,
    maxCertAgeSeconds: settings.maxCertAgeSeconds,
    minAge: request.minAge,
  });

  const claims = buildClaims({
    issuer: ctx.issuer,
    audience: ctx.origin,
    subject: await pairwiseSubject(settings.subjectSecret, ctx.origin, ci),
    nowSeconds: Math.floor(nowMs / 1000),
    ttlSeconds: settings.tokenTtlSeconds,
    merchantUid: request.merchantUid,
    minAge: request.minAge,
    verifiedAt,
    provider: request.provider,
    upstreamId: request.upstreamId,
    nonce: request.nonce,
    foreigner: record.foreigner,
  });
  const token = await signAttestation(settings, claims);

  // Single use, claimed last so that a refused or failed request changes nothing. The claim is
  // kept until the certification could no longer pass the freshness check under any setting
  // (raising MAX_CERT_AGE_SECONDS later must not make a forgotten id exchangeable again).
  const forgetAtMs = (verifiedAt + MAX_CERT_AGE_LIMIT_SECONDS) * 1000 + 60_000;
  const answer = await ledgerFor(env, request.provider, request.upstreamId)
    .claim({ requestHash, token, expiresAtMs: claims.exp * 1000 }, forgetAtMs);
  if (answer === undefined) {
    throw new VerifyError('already_used', 'This verification was already exchanged for an attestation.');
  }
  // The same request raced in twice: the first one's token is the answer, and its purge the only one.
  if (answer !== token) return attestationOf(answer);

  if (settings.purgeAfterAttest && request.provider === 'iamport') {
    // The attestation is already signed: a failing DELETE is reported, never fatal.
    // (PortOne V2 has no deletion endpoint for identity verifications.)
    ctx.waitUntil(
      iamportClient(ctx).deleteCertification(request.upstreamId).then(
        () => ctx.onPurgeResult(true),
        (error: unknown) => ctx.onPurgeResult(false, error instanceof VerifyError ? error.code : 'internal_error'),
      ),
    );
  }
  return { token, expires_at: claims.exp, claims };
}

/**
 * What makes two exchanges "the same request": every field the verifier reads, and the site.
 * Hashed, so the ledger keeps nothing of it readable.
 */
async function fingerprint(request: ExchangeRequest, origin: string): Promise<string> {
  const { provider, upstreamId, merchantUid, challenge, minAge, nonce } = request;
  return base64url(await sha256(JSON.stringify([provider, upstreamId, merchantUid, challenge, origin, minAge ?? null, nonce ?? null])));
}

/** The answer for a token we signed and kept: its claims are its payload. */
function attestationOf(token: string): Attestation {
  const claims = JSON.parse(new TextDecoder().decode(fromBase64url(token.split('.')[1]!))) as AttestationClaims;
  return { token, expires_at: claims.exp, claims };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
