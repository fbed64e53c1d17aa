/**
 * The exchange behind `POST /v1/attestations`: the one place that wires I/O (upstream,
 * ledger, signing) to the decisions in checks/. Cheap checks run before expensive ones:
 * shape, then challenge (no I/O), then the upstream, then the ledger, then the signature.
 */
import { verifyChallenge } from './checks/challenge.ts';
import { buildClaims, pairwiseSubject, type AttestationClaims } from './checks/claims.ts';
import { checkVerification, type Provider, type UpstreamVerification } from './checks/verification.ts';
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
 * the challenge's merchant_uid.
 */
export function parseExchangeRequest(body: Record<string, unknown>, settings: Settings): ExchangeRequest {
  const provider = parseProvider(body);
  const common = {
    challenge: field.string(body, 'challenge', CHALLENGE_PATTERN),
    minAge: parseMinAge(body.min_age, settings),
    nonce: field.optionalString(body, 'nonce', NONCE_PATTERN),
  };
  if (provider === 'iamport') {
    return {
      provider,
      upstreamId: field.string(body, 'imp_uid', IMP_UID_PATTERN),
      merchantUid: field.string(body, 'merchant_uid', MERCHANT_UID_PATTERN),
      ...common,
    };
  }
  const id = field.string(body, 'identity_verification_id', MERCHANT_UID_PATTERN);
  return { provider, upstreamId: id, merchantUid: id, ...common };
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

export async function exchange(request: ExchangeRequest, ctx: ExchangeContext): Promise<Attestation> {
  const { settings, env } = ctx;
  const challengeIssuedAt = await verifyChallenge(
    settings.challengeSecret, request.challenge, request.merchantUid, ctx.origin, nowSeconds(),
    settings.challengeTtlSeconds + settings.maxCertAgeSeconds,
  );

  const upstreamFetch = upstreamFetchFor(env, settings);
  const iamport = () => new IamportClient(settings.iamport, upstreamFetch, settings.upstreamTimeoutMs);
  // Only the upstream client differs between providers; the checks, ledger and signing are shared.
  const record: UpstreamVerification = request.provider === 'iamport'
    ? await iamport().getCertification(request.upstreamId)
    : await new PortOneClient(settings.portone, upstreamFetch, settings.upstreamTimeoutMs).getIdentityVerification(request.upstreamId);

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

  // Single use, claimed last so that a refused request changes nothing. The entry is kept
  // until the certification could no longer pass the freshness check under any setting
  // (raising MAX_CERT_AGE_SECONDS later must not make a forgotten id exchangeable again).
  const forgetAtMs = (verifiedAt + MAX_CERT_AGE_LIMIT_SECONDS) * 1000 + 60_000;
  if (!(await ledgerFor(env, request.provider, request.upstreamId).claim(forgetAtMs))) {
    throw new VerifyError('already_used', 'This verification was already exchanged for an attestation.');
  }

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

  if (settings.purgeAfterAttest && request.provider === 'iamport') {
    // The attestation is already signed: a failing DELETE is reported, never fatal.
    // (PortOne V2 has no deletion endpoint for identity verifications.)
    ctx.waitUntil(
      iamport().deleteCertification(request.upstreamId).then(
        () => ctx.onPurgeResult(true),
        (error: unknown) => ctx.onPurgeResult(false, error instanceof VerifyError ? error.code : 'internal_error'),
      ),
    );
  }
  return { token, expires_at: claims.exp, claims };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
