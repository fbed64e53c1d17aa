/**
 * Bad input, generated (fast-check): more than 10,000 requests against every endpoint, each
 * judged against the contract. Every answer is a typed problem+json 4xx, or the 2xx a valid
 * request earns; never a 5xx, never a token for invalid input, never a leak, and the ledger
 * unchanged.
 *
 * Requests go to the Worker's own fetch handler with the real bindings (ledger and sandbox
 * Durable Objects, rate limiter), in this isolate: SELF.fetch costs about ten times more per
 * request under concurrency, and ten thousand of them would not fit in the suite's time.
 *
 * The oracle says what each request deserves from the checks in the contract's order: the
 * Origin, then the body's size and encoding, its media type, its JSON, its fields, the
 * challenge, the upstream's record, the decision. A generated exchange starts from a real,
 * exchangeable verification (a "victim") and breaks it; the victims are exchanged for real at
 * the end, which proves no refused request used one up.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { parseChallenge, signChallenge } from '../../worker/checks/challenge.ts';
import { PROBLEM_TYPE_BASE, PROBLEMS, type ProblemCode } from '../../worker/errors.ts';
import { ledgerFor } from '../../worker/ledger/ledger.ts';
import { IMP_UID_PATTERN, MERCHANT_UID_PATTERN } from '../../worker/request/fields.ts';
import { MAX_BODY_BYTES } from '../../worker/request/json-body.ts';
import { parseSettings } from '../../worker/settings.ts';
import { captureLogs, expectNoLeaks, figures, pooledClientIp, postDirect, tally } from './hardening.ts';
import { attest, bindings, fetchWith, OTHER_SITE, SITE, v2Body, VERIFIER, verifiedBody, type Json } from './support.ts';

const BATCH = 50;
/** 210 runs (10,500 generated requests) unless `FUZZ_RUNS` says otherwise (test/worker/vitest.config.ts). */
const RUNS = inject('fuzzRuns');
/** The fewest runs that show every family of request (a quick local run is FUZZ_RUNS=20). */
const MIN_RUNS = 20;
/** The families of request `anyCase` draws from (a case's family up to its first colon). */
const FAMILIES = ['exchange', 'challenges', 'introspect', 'methods', 'unknown path', 'sandbox', 'otp'];
const settings = parseSettings(bindings);
const ALLOWED = new Set([SITE, OTHER_SITE]);
const clientIp = pooledClientIp('fuzz', 2000);
const encoder = new TextEncoder();

declare module 'vitest' {
  export interface ProvidedContext { fuzzRuns: number }
}

// ---------------------------------------------------------------------------------------
// What a request deserves.

type Expected =
  | { kind: 'problem'; code: ProblemCode }
  /** A valid exchange: a token for exactly this verification. */
  | { kind: 'token'; provider: 'iamport' | 'portone'; id: string; minAge?: number; nonce?: string }
  | { kind: 'challenge'; merchantUid?: string }
  | { kind: 'introspection'; active: boolean }
  | { kind: 'ok'; status: 200 | 204 }
  /** The sandbox's stand-in speaks the upstream's formats, not ours: it only must not fail. */
  | { kind: 'no-5xx' };

interface Case { family: string; request: Request; expected: Expected }

const problem = (code: ProblemCode): Expected => ({ kind: 'problem', code });

/** JSON media types the verifier must take, and look-alikes it must refuse with 415. */
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/problem+json', 'application/vnd.api+json;v=1'];
const NOT_JSON_TYPES = ['text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/json-seq', 'application/xml', 'json'];

/** Whether `text` is a JSON object, by the platform's own parser (not the verifier's code). */
function jsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The checks every JSON endpoint makes before it reads a field, in order; undefined when the
 * body gets through to them. `origin` is the header as the Worker will see it (trimmed).
 */
function bodyProblem(bytes: Uint8Array, contentType: string, { emptyIsFine = false, form = false } = {}): ProblemCode | undefined {
  const text = utf8(bytes);
  if (bytes.byteLength > MAX_BODY_BYTES || text === undefined) return 'invalid_request';
  if (emptyIsFine && text.trim() === '') return undefined;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (form && type === 'application/x-www-form-urlencoded') return undefined;
  if (!JSON_TYPES.some((t) => t.split(';')[0]!.toLowerCase() === type)) return 'unsupported_media_type';
  return jsonObject(text) ? undefined : 'invalid_request';
}

// ---------------------------------------------------------------------------------------
// Building blocks: hostile values.

/**
 * A header value as a hostile client would send it: any text, its non-ASCII bytes
 * percent-escaped (workerd would re-encode raw ones, and browsers refuse them).
 */
function asHeaderValue(text: string): string {
  return Array.from(encoder.encode(text), (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`)).join('');
}

/** Text as one path segment; lone surrogates (which no URL can carry) become U+FFFD. */
function pathSegment(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/gu, '\ufffd'));
}

const hostileOrigin = fc.oneof(
  fc.constantFrom(
    'null', 'https://evil.example', 'http://shop.example', 'https://shop.example:443', 'https://SHOP.EXAMPLE',
    'https://shop.example/', 'https://shop.example.evil.example', 'https://evil.example/?https://shop.example',
    'https://shop.example, https://evil.example', 'https://shop.example@evil.example', '*', 'file://', 'https://shop.example%00',
    asHeaderValue('https://ѕhop.example'), asHeaderValue('https://shop.example\u200b'), 'https://' + 'a'.repeat(5000) + '.example',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }).map(asHeaderValue),
);

/** Unicode and edge strings that break most patterns. */
const oddStrings = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', '\u200b', '\ufeff', '%00', '../../etc/passwd', '<script>', 'null', '0', '-1', '1e309'),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
);

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

const malformedImpUid = fc.oneof(
  digits(0, 8).map((d) => `imp_${d}`),
  digits(16, 30).map((d) => `imp_${d}`),
  digits(12, 12).chain((d) => fc.constantFrom(
    `IMP_${d}`, `imp-${d}`, ` imp_${d}`, `imp_${d}\n`, `imp_${d}\u0000`, `imp_${d}\u200b`, `imp_${d.slice(1)}a`, d,
    `imp_${d.replace(/\d/g, (c) => String.fromCharCode(0xff10 + Number(c)))}`, // fullwidth digits
    `imp_${d.replace(/\d/g, (c) => String.fromCharCode(0x0660 + Number(c)))}`, // Arabic-Indic digits
  )),
  oddStrings,
).filter((value) => !IMP_UID_PATTERN.test(value));

const malformedMerchantUid = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcXYZ019_-'), minLength: 41, maxLength: 80 }),
  fc.constantFrom('has space', 'order/1', 'order.1', '주문1', 'ｏｒｄｅｒ', 'order\t1', 'order_1\n'),
  oddStrings,
).filter((value) => !MERCHANT_UID_PATTERN.test(value));

const malformedChallenge = fc.oneof(
  fc.constantFrom('', 'c1.a.b+c', 'c1.a.b/c', 'c1.a.b==', 'c1 .a.b', 'c1.한.b', 'x'.repeat(129)),
  oddStrings,
).filter((value) => !/^[A-Za-z0-9._-]{1,128}$/.test(value));

/** JSON values of the wrong type for a string field. */
const notAString = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));

const badMinAge = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).filter((age) => !settings.allowedAges.includes(age)),
  fc.constantFrom('19', '14', 19.5, -0.5, true, [], {}, [19], { value: 19 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((age) => !Number.isInteger(age)),
);

const badNonce = fc.oneof(
  fc.constantFrom('', 'has space', 'tab\there', 'n'.repeat(129), '논스', '\u007f'),
  notAString.filter((value) => value !== null),
);

/** `provider` values that name no provider (null and absent mean "iamport"). */
const badProvider = fc.oneof(fc.constantFrom('PortOne', 'IAMPORT', 'iamport ', 'v2', 'portone\u0000', ''), fc.integer(), fc.boolean(), fc.array(fc.constant('portone')));

/** Text that JSON.parse refuses, or parses to something other than an object. */
const jsonCorruption: fc.Arbitrary<(json: string) => string> = fc.oneof(
  fc.double({ min: 0, max: 0.999, noNaN: true }).map((fraction) => (json: string) => json.slice(0, Math.floor(json.length * fraction))),
  fc.constantFrom(
    (json: string) => `${json}x`, (json: string) => `${json},`, (json: string) => json.replace(/"/g, '\''),
    (json: string) => `[${json}]`, (json: string) => JSON.stringify(json), (json: string) => json.replace(':', ''),
    (json: string) => `// c\n${json}`, (json: string) => json.replace('{', '{,'), (json: string) => `${json}}`,
    () => 'NaN', () => 'null', () => '[]', () => '42', () => 'true', () => '', () => ' ', () => '{',
  ),
);

const nested = (depth: number, open: string, close: string, inner = '0') => open.repeat(depth) + inner + close.repeat(depth);

/** Deeply nested JSON that still fits the size limit. */
const deepJson = fc.oneof(
  fc.integer({ min: 50, max: 2000 }).map((depth) => nested(depth, '[', ']')),
  fc.integer({ min: 50, max: 900 }).map((depth) => nested(depth, '{"a":', '}')),
);

/** Headers no endpoint should care about, some of them huge. */
const noiseHeaders = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.oneof(
  fc.integer({ min: 1, max: 32 }).map((kb) => ({ 'x-fuzz-pad': 'a'.repeat(kb * 1024) })),
  fc.integer({ min: 1, max: 16 }).map((kb) => ({ cookie: `session=${'c'.repeat(kb * 1024)}` })),
  fc.integer({ min: 10, max: 200 }).map((count) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-fuzz-${i}`, String(i)]))),
  fc.string({ unit: 'binary', maxLength: 300 }).map((text) => ({ 'cf-ray': asHeaderValue(text) || 'ray', 'user-agent': asHeaderValue(text) || 'ua' })),
) });

// ---------------------------------------------------------------------------------------
// Victims: real, exchangeable verifications that the generated requests break.

interface Victim {
  provider: 'iamport' | 'portone';
  body: Json;
  /** What the unbroken body gets: undefined for a token, or the code that refuses this person. */
  refusal?: ProblemCode;
}

const victims: Victim[] = [];

beforeAll(async () => {
  for (let i = 0; i < 8; i++) victims.push({ provider: 'iamport', body: await verifiedBody('adult') });
  for (let i = 0; i < 4; i++) victims.push({ provider: 'portone', body: await v2Body('adult') });
  victims.push(
    { provider: 'iamport', body: await verifiedBody('minor_17', { min_age: 19 }), refusal: 'age_requirement_not_met' },
    { provider: 'iamport', body: await verifiedBody('no_ci'), refusal: 'identity_key_missing' },
    { provider: 'iamport', body: await verifiedBody('not_certified'), refusal: 'not_certified' },
    { provider: 'portone', body: await v2Body('cancel'), refusal: 'not_certified' },
    { provider: 'portone', body: await v2Body('minor_17', { min_age: 19 }), refusal: 'age_requirement_not_met' },
  );
  realToken = (await attest(await verifiedBody())).body.token;
}, 60_000);

let realToken = '';

// ---------------------------------------------------------------------------------------
// Generated exchanges: a victim and what breaks it.

const DELETE = Symbol('delete');

/** A draft of one exchange request, and what has been broken in it so far. */
interface Draft {
  fields: Json;
  origin: string | undefined;
  contentType: string;
  /** Text-level corruption applied after serialisation. */
  corrupt?: (json: string) => string;
  /** Bytes spliced in after encoding (invalid UTF-8). */
  splice?: Uint8Array;
  /**
   * The check each broken part fails, by part ("imp_uid", "challenge", "origin", "body", …).
   * A later mutation of the same part replaces the earlier one. The Origin, media type, size
   * and JSON syntax are judged from the finished request instead.
   */
  breaks: Record<string, ProblemCode>;
}

/** Within the field checks, the order the verifier runs them in: shape, challenge, then the upstream's record. */
const FIELD_CHECK_ORDER: ProblemCode[] = ['invalid_request', 'challenge_invalid', 'certification_not_found', 'merchant_uid_mismatch'];

type Mutation = { name: string; apply: (draft: Draft, victim: Victim) => void | Promise<void> };
const mutation = (name: string, apply: Mutation['apply']): Mutation => ({ name, apply });

function setField(draft: Draft, name: string, value: unknown, fails: ProblemCode): void {
  if (value === DELETE) delete draft.fields[name];
  else draft.fields[name] = value;
  draft.breaks[name] = fails;
}

const idField = (victim: Victim) => (victim.provider === 'iamport' ? 'imp_uid' : 'identity_verification_id');
/** V2 has no merchant_uid: its id is the challenge's merchant_uid. */
const merchantField = (victim: Victim) => (victim.provider === 'iamport' ? 'merchant_uid' : 'identity_verification_id');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64urlChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  // The Origin: none, or one not on the allow-list.
  fc.constant(mutation('no Origin', (d) => { d.origin = undefined; })),
  hostileOrigin.map((origin) => mutation('hostile Origin', (d) => { d.origin = origin; })),
  // The body's media type, size and bytes.
  fc.constantFrom(...NOT_JSON_TYPES).map((type) => mutation('not JSON media type', (d) => { d.contentType = type; })),
  fc.integer({ min: MAX_BODY_BYTES, max: MAX_BODY_BYTES * 3 }).map((size) => mutation('over the size limit', (d) => { d.fields.padding = 'p'.repeat(size); })),
  // Bytes that start no UTF-8 sequence anywhere (C0, C1, F5 to FF), then anything.
  fc.tuple(fc.constantFrom(0xc0, 0xc1, 0xf5, 0xf8, 0xfe, 0xff), fc.uint8Array({ maxLength: 3 })).map(([first, rest]) =>
    mutation('invalid UTF-8', (d) => { d.splice = new Uint8Array([first, ...rest]); })),
  jsonCorruption.map((corrupt) => mutation('malformed JSON', (d) => { d.corrupt = corrupt; delete d.breaks.body; })),
  deepJson.map((deep) => mutation('deeply nested body', (d) => { d.corrupt = () => deep; d.breaks.body = 'invalid_request'; })),
  // Fields of the wrong type or shape.
  fc.tuple(
    fc.oneof(malformedImpUid, notAString, fc.constant(DELETE), deepJson.map((deep) => JSON.parse(deep))),
    fc.oneof(malformedMerchantUid, notAString, fc.constant(DELETE)),
  ).map(([v1, v2]) => mutation('malformed id', (d, v) => setField(d, idField(v), v.provider === 'iamport' ? v1 : v2, 'invalid_request'))),
  fc.oneof(malformedMerchantUid, notAString, fc.constant(DELETE)).map((value) =>
    mutation('malformed merchant_uid', (d, v) => setField(d, merchantField(v), value, 'invalid_request'))),
  fc.oneof(malformedChallenge, notAString, fc.constant(DELETE)).map((value) =>
    // Missing or malformed: not a challenge of ours, as the errors table says.
    mutation('malformed challenge', (d) => setField(d, 'challenge', value, 'challenge_invalid'))),
  badMinAge.map((value) => mutation('bad min_age', (d) => setField(d, 'min_age', value, 'invalid_request'))),
  badNonce.map((value) => mutation('bad nonce', (d) => setField(d, 'nonce', value, 'invalid_request'))),
  badProvider.map((value) => mutation('unknown provider', (d) => setField(d, 'provider', value, 'invalid_request'))),
  // The other provider's name on this body: the fields that provider needs are missing.
  fc.constant(mutation('the other provider', (d, v) => setField(d, 'provider', v.provider === 'iamport' ? 'portone' : 'iamport', 'invalid_request'))),
  // Challenges that are well-formed but not ours, not for this request, or not fresh.
  fc.tuple(
    fc.integer({ min: 0, max: 2 ** 31 }),
    fc.string({ unit: fc.constantFrom(...b64urlChars.slice(0, 62)), minLength: 37, maxLength: 37 }),
    fc.string({ unit: fc.constantFrom(...b64urlChars), minLength: 43, maxLength: 43 }),
  ).map(([t, nonce, mac]) =>
    mutation('forged challenge', (d) => setField(d, 'challenge', `c3.${t.toString(36)}.${nonce}.${mac}`, 'challenge_invalid'))),
  fc.tuple(fc.nat(), fc.constantFrom(...b64urlChars)).map(([at, replacement]) => mutation('challenge with one character changed', (d, v) => {
    const challenge = String(v.body.challenge);
    // Not the last character: its low bits are padding in base64url, so some changes would not change the MAC.
    const index = at % (challenge.length - 1);
    const changed = challenge[index] === replacement ? (replacement === 'A' ? 'B' : 'A') : replacement;
    setField(d, 'challenge', challenge.slice(0, index) + changed + challenge.slice(index + 1), 'challenge_invalid');
  })),
  fc.integer({ min: 1, max: 10 * 365 * 86_400 }).map((extra) => mutation('expired challenge', async (d, v) =>
    // Past its life and the freshness limit after it, whatever the verification says.
    setField(d, 'challenge', await issueNow(v, -(settings.challengeTtlSeconds + settings.maxCertAgeSeconds + 5 + extra)), 'challenge_invalid'))),
  fc.integer({ min: 3600, max: 10 * 365 * 86_400 }).map((ahead) => mutation('challenge from the future', async (d, v) =>
    setField(d, 'challenge', await issueNow(v, ahead), 'challenge_invalid'))),
  fc.constant(mutation('challenge issued to a site not on the allow-list', async (d, v) =>
    setField(d, 'challenge', await issueNow(v, 0, 'https://evil.example'), 'challenge_invalid'))),
  fc.nat().map((pick) => mutation('another verification\'s challenge', (d, v) => {
    // Not the one whose id the draft now carries: for V2, that id and its challenge are a valid request.
    const others = victims.filter((other) => other !== v && other.body[idField(other)] !== d.fields[idField(v)]);
    setField(d, 'challenge', others[pick % others.length]!.body.challenge, 'challenge_invalid');
  })),
  fc.constantFrom('c1', 'c2', '', 'C3').map((version) => mutation('challenge of another version', (d, v) =>
    setField(d, 'challenge', String(v.body.challenge).replace(/^c3/, version), 'challenge_invalid'))),
  fc.constant(mutation('challenge issued for the other provider', async (d, v) =>
    setField(d, 'challenge', await issueNow(v, 0, SITE, v.provider === 'iamport' ? 'portone' : 'iamport'), 'challenge_invalid'))),
  fc.constantFrom('.x', '.', 'AA').map((suffix) => mutation('challenge with extra parts', (d, v) =>
    setField(d, 'challenge', String(v.body.challenge) + suffix, 'challenge_invalid'))),
  fc.constant(mutation('the request from the other allowed site', (d) => { d.origin = OTHER_SITE; d.breaks.origin = 'challenge_invalid'; })),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019_-'), minLength: 1, maxLength: 40 }).map((other) => mutation('another merchant_uid', (d, v) => {
    const own = v.body[merchantField(v)];
    setField(d, merchantField(v), own === other ? `${other.slice(0, 39)}${other.endsWith('a') ? 'b' : 'a'}` : other, 'challenge_invalid');
  })),
  // Well-formed ids the upstream has no certification for, or has for another challenge.
  // (A V2 id is its challenge's merchant_uid: another id fails the challenge first.)
  digits(15, 15).map((d15) => mutation('an id the upstream does not know', (d, v) => v.provider === 'iamport'
    ? setField(d, 'imp_uid', `imp_9${d15.slice(1)}`, 'certification_not_found')
    : setField(d, 'identity_verification_id', `iv_unknown_${d15}`, 'challenge_invalid'))),
  fc.nat().map((pick) => mutation('another person\'s verification', (d, v) => {
    const others = victims.filter((other) => other.provider === v.provider && !other.refusal && other !== v && other.body.challenge !== d.fields.challenge);
    const other = others[pick % others.length]!;
    return v.provider === 'iamport'
      ? setField(d, 'imp_uid', other.body.imp_uid, 'merchant_uid_mismatch')
      : setField(d, 'identity_verification_id', other.body.identity_verification_id, 'challenge_invalid');
  })),
);

/**
 * The victim's challenge signed again with a real MAC, issued `offsetSeconds` from now, to `origin`, for
 * `provider`: its own nonce, so its (minted) merchant_uid still matches and only the changed part is wrong.
 */
async function issueNow(victim: Victim, offsetSeconds: number, origin = SITE, provider = victim.provider): Promise<string> {
  const merchantUid = String(victim.provider === 'iamport' ? victim.body.merchant_uid : victim.body.identity_verification_id);
  const subject = { provider, merchantUid, origin };
  const { nonce } = parseChallenge(String(victim.body.challenge));
  return (await signChallenge(settings.challengeSecret, subject, nowSeconds() + offsetSeconds, settings.challengeTtlSeconds, nonce)).challenge;
}

/** Variations a valid request may carry and stay valid. */
interface Harmless { contentType: string; pretty: boolean; extra: Json; nonce?: string; minAge?: number; explicitProvider: boolean }

const harmless: fc.Arbitrary<Harmless> = fc.record({
  contentType: fc.constantFrom(...JSON_TYPES),
  pretty: fc.boolean(),
  extra: fc.oneof(
    fc.constant({}),
    fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((key) => !['imp_uid', 'merchant_uid', 'challenge', 'min_age', 'nonce', 'provider', 'identity_verification_id', '__proto__'].includes(key)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    fc.integer({ min: 10, max: 1500 }).map((depth) => ({ unknown_deep: JSON.parse(nested(depth, '[', ']')) })),
  ),
  nonce: fc.option(fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 128 }), { nil: undefined }),
  minAge: fc.option(fc.constantFrom(...settings.allowedAges), { nil: undefined }),
  explicitProvider: fc.boolean(),
});

function firstBreak(draft: Draft): ProblemCode | undefined {
  return FIELD_CHECK_ORDER.find((code) => Object.values(draft.breaks).includes(code));
}

/** Serialise a draft and say what it deserves. */
async function buildExchange(family: string, draft: Draft, victim: Victim | undefined, valid: Expected | undefined, noise: Record<string, string> | null): Promise<Case> {
  let text = JSON.stringify(draft.fields);
  if (draft.corrupt) text = draft.corrupt(text);
  let bytes = encoder.encode(text);
  if (draft.splice) {
    const at = Math.max(1, Math.floor(bytes.length / 2));
    bytes = new Uint8Array([...bytes.slice(0, at), ...draft.splice, ...bytes.slice(at)]);
  }
  const headers = new Headers({ ...noise, 'content-type': draft.contentType, 'cf-connecting-ip': clientIp() });
  if (draft.origin !== undefined) headers.set('origin', draft.origin);
  const request = new Request(`${VERIFIER}/v1/attestations`, { method: 'POST', headers, body: bytes });

  const origin = headers.get('origin');
  const early = origin === null || !ALLOWED.has(origin) ? 'origin_not_allowed' : bodyProblem(bytes, draft.contentType);
  let expected: Expected;
  if (early) expected = problem(early);
  else if (firstBreak(draft)) expected = problem(firstBreak(draft)!);
  else if (valid) expected = valid;
  else if (victim?.refusal) expected = problem(victim.refusal);
  else throw new Error(`the generator made an unbroken request from an adult victim (${family})`);
  return { family, request, expected };
}

const brokenExchange = fc.record({
  pick: fc.nat(),
  mutations: fc.array(mutations, { minLength: 0, maxLength: 3 }),
  noise: noiseHeaders,
}).map(({ pick, mutations: applied, noise }) => async (): Promise<Case> => {
  // No mutation: a person the verifier must refuse. Otherwise: any victim, broken.
  const pool = applied.length === 0 ? victims.filter((v) => v.refusal) : victims;
  const victim = pool[pick % pool.length]!;
  const draft: Draft = { fields: structuredClone(victim.body), origin: SITE, contentType: 'application/json', breaks: {} };
  for (const m of applied) await m.apply(draft, victim);
  const name = applied.length === 0 ? 'exchange: refused person' : `exchange: ${applied.map((m) => m.name).join(' + ')}`;
  return buildExchange(name, draft, victim, undefined, noise);
});

/** A fresh verification at the sandbox, made through the Worker's handler like everything here. */
async function freshVerification(provider: 'iamport' | 'portone'): Promise<Json> {
  const issued = await postDirect('/v1/challenges', { provider }, { clientIp: clientIp() });
  const merchantUid = issued.body.merchant_uid as string;
  const person = provider === 'iamport'
    ? { person: 'adult', merchant_uid: merchantUid, origin: SITE }
    : { provider: 'portone', person: 'adult', identity_verification_id: merchantUid };
  const made = await postDirect('/sandbox/certifications', person, { clientIp: clientIp() });
  if (made.status !== 201) throw new Error(`the sandbox refused a test verification: ${made.status}`);
  return provider === 'iamport'
    ? { imp_uid: made.body.imp_uid, merchant_uid: merchantUid, challenge: issued.body.challenge }
    : { provider: 'portone', identity_verification_id: merchantUid, challenge: issued.body.challenge };
}

const validExchange = fc.record({
  provider: fc.constantFrom('iamport' as const, 'portone' as const),
  variation: harmless,
  noise: noiseHeaders,
}).map(({ provider, variation, noise }) => async (): Promise<Case> => {
  const body = await freshVerification(provider);
  const fields: Json = { ...variation.extra, ...body };
  if (variation.nonce !== undefined) fields.nonce = variation.nonce;
  if (variation.minAge !== undefined) fields.min_age = variation.minAge;
  if (variation.explicitProvider) fields.provider = provider;
  const draft: Draft = {
    fields, origin: SITE, contentType: variation.contentType, breaks: {},
    corrupt: variation.pretty ? (json) => JSON.stringify(JSON.parse(json), null, 2) : undefined,
  };
  const id = String(provider === 'iamport' ? body.imp_uid : body.identity_verification_id);
  const expected: Expected = { kind: 'token', provider, id, minAge: variation.minAge, nonce: variation.nonce };
  return buildExchange('exchange: valid', draft, undefined, expected, noise);
});

// ---------------------------------------------------------------------------------------
// The other endpoints.

/** POST /v1/challenges with any body, type and Origin. */
const challengeRequest = fc.record({
  origin: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(SITE, OTHER_SITE) }, { weight: 1, arbitrary: hostileOrigin }),
  contentType: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...JSON_TYPES) }, { weight: 1, arbitrary: fc.constantFrom(...NOT_JSON_TYPES) }),
  body: fc.oneof(
    fc.constantFrom('', '  \n\t', '{}', '{"merchant_uid":null}'),
    fc.string({ unit: fc.constantFrom(...'abcXYZ019_-'), minLength: 1, maxLength: 40 }).map((id) => JSON.stringify({ merchant_uid: id })),
    fc.oneof(malformedMerchantUid, notAString).map((id) => JSON.stringify({ merchant_uid: id })),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    deepJson,
    fc.constantFrom('{', 'merchant_uid=abc', '{"merchant_uid":"a"}}', 'p'.repeat(MAX_BODY_BYTES + 1)),
  ),
  noise: noiseHeaders,
}).map(({ origin, contentType, body, noise }) => async (): Promise<Case> => {
  const headers = new Headers({ ...noise, origin, 'content-type': contentType, 'cf-connecting-ip': clientIp() });
  const request = new Request(`${VERIFIER}/v1/challenges`, { method: 'POST', headers, body });
  const bytes = encoder.encode(body);
  let expected: Expected;
  const early = !ALLOWED.has(headers.get('origin') ?? '') ? 'origin_not_allowed' : bodyProblem(bytes, contentType, { emptyIsFine: true });
  if (early) expected = problem(early);
  else if (body.trim() === '') expected = { kind: 'challenge' };
  else {
    const merchantUid = (JSON.parse(body) as Json).merchant_uid;
    if (merchantUid === undefined || merchantUid === null) expected = { kind: 'challenge' };
    else if (typeof merchantUid === 'string' && MERCHANT_UID_PATTERN.test(merchantUid)) expected = { kind: 'challenge', merchantUid };
    else expected = problem('invalid_request');
  }
  return { family: 'challenges', request, expected };
});

/** POST /v1/introspect with real, tampered and garbage tokens in any encoding. */
const introspectRequest = fc.record({
  token: fc.oneof(
    fc.constant({ real: true as const }),
    fc.record({ tamperAt: fc.nat(), replacement: fc.constantFrom(...b64urlChars) }),
    fc.oneof(fc.string({ minLength: 1, maxLength: 200 }), fc.constantFrom('a.b.c', '..', 'eyJhbGciOiJub25lIn0.e30.', 'x'.repeat(4097), ''), notAString)
      .map((value) => ({ value })),
  ),
  encoding: fc.constantFrom('json', 'form', 'json', 'wrong'),
  noise: noiseHeaders,
}).map(({ token, encoding, noise }) => async (): Promise<Case> => {
  let value: unknown;
  if ('real' in token) value = realToken;
  else if ('tamperAt' in token) {
    // Change one character of the payload or signature (never the last: base64url padding bits).
    const start = realToken.indexOf('.') + 1;
    const index = start + (token.tamperAt % (realToken.length - 1 - start));
    const changed = realToken[index] === token.replacement ? (token.replacement === 'A' ? 'B' : 'A') : token.replacement;
    value = realToken[index] === '.' ? realToken : realToken.slice(0, index) + changed + realToken.slice(index + 1);
  } else value = token.value;
  // A form carries text only: other values are sent as their JSON text.
  if (encoding === 'form' && typeof value !== 'string') value = JSON.stringify(value);
  // `audience` is the real token's own site: only the token decides whether it is active.
  const body = encoding === 'form'
    ? new URLSearchParams({ token: value as string, audience: SITE }).toString()
    : JSON.stringify({ token: value, audience: SITE });
  const contentType = encoding === 'form' ? 'application/x-www-form-urlencoded' : encoding === 'json' ? 'application/json' : 'text/plain';
  const headers = new Headers({ ...noise, 'content-type': contentType, 'cf-connecting-ip': clientIp() });
  const request = new Request(`${VERIFIER}/v1/introspect`, { method: 'POST', headers, body });
  const early = bodyProblem(encoder.encode(body), contentType, { form: true });
  const expected: Expected = early
    ? problem(early)
    : typeof value !== 'string' || value.length === 0 || value.length > 4096
      ? problem('invalid_request')
      : { kind: 'introspection', active: value === realToken };
  return { family: 'introspect', request, expected };
});

/**
 * The form mode's endpoints with garbage in any field of a well-formed body, or any body at all:
 * a typed problem, never a 5xx, never a token (the challenges here are not real ones).
 */
const OTP_TEMPLATE = {
  challenge: `c3.abc.${'N'.repeat(37)}.${'A'.repeat(43)}`, identity_verification_id: 'fuzz_otp_1', channel_key: 'channel-key-sandbox',
  name: '김테스트', phone_number: '01000000001', identity_number: '9001011', operator: 'SKT', method: 'SMS', otp: '000000', min_age: 19,
};
const otpRequest = fc.record({
  path: fc.constantFrom('/v1/otp/send', '/v1/otp/resend', '/v1/otp/confirm'),
  origin: fc.oneof({ weight: 4, arbitrary: fc.constant(SITE) }, { weight: 1, arbitrary: hostileOrigin }),
  body: fc.oneof(
    fc.record({ field: fc.constantFrom(...Object.keys(OTP_TEMPLATE)), value: fc.oneof(fc.jsonValue(), fc.string({ maxLength: 60 }), notAString) })
      .map(({ field, value }) => JSON.stringify({ ...OTP_TEMPLATE, [field]: value })),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    deepJson,
  ),
  noise: noiseHeaders,
}).map(({ path, origin, body, noise }) => async (): Promise<Case> => {
  const headers = new Headers({ ...noise, origin, 'content-type': 'application/json', 'cf-connecting-ip': clientIp() });
  const early = !ALLOWED.has(origin) ? 'origin_not_allowed' : bodyProblem(encoder.encode(body), 'application/json');
  return { family: 'otp', request: new Request(VERIFIER + path, { method: 'POST', headers, body }), expected: early ? problem(early) : { kind: 'no-5xx' } };
});

const ENDPOINTS: ReadonlyArray<{ path: string; methods: string[]; cors: boolean }> = [
  { path: '/v1/challenges', methods: ['POST'], cors: true },
  { path: '/v1/attestations', methods: ['POST'], cors: true },
  { path: '/v1/otp/send', methods: ['POST'], cors: true },
  { path: '/v1/otp/resend', methods: ['POST'], cors: true },
  { path: '/v1/otp/confirm', methods: ['POST'], cors: true },
  { path: '/v1/introspect', methods: ['POST'], cors: false },
  { path: '/healthz', methods: ['GET', 'HEAD'], cors: false },
  { path: '/.well-known/jwks.json', methods: ['GET', 'HEAD'], cors: false },
  { path: '/.well-known/iamport-verify', methods: ['GET', 'HEAD'], cors: false },
];
const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'POST'];

/** Every endpoint with every method it does not take (its own POSTs have families of their own). */
const methodRequest = fc.record({
  endpoint: fc.constantFrom(...ENDPOINTS),
  method: fc.constantFrom(...METHODS),
  origin: fc.option(fc.oneof(fc.constantFrom(SITE, OTHER_SITE), hostileOrigin)),
  noise: noiseHeaders,
}).map(({ endpoint, method, origin, noise }) => async (): Promise<Case> => {
  const headers = new Headers({ ...noise, 'cf-connecting-ip': clientIp() });
  if (origin !== null) headers.set('origin', origin);
  const chosen = method === 'POST' && endpoint.methods.includes('POST') ? 'PUT' : method;
  let expected: Expected;
  if (endpoint.cors && chosen === 'OPTIONS') {
    expected = ALLOWED.has(headers.get('origin') ?? '') ? { kind: 'ok', status: 204 } : problem('origin_not_allowed');
  } else if (endpoint.methods.includes(chosen)) expected = { kind: 'ok', status: 200 };
  else expected = problem('method_not_allowed');
  return { family: 'methods', request: new Request(VERIFIER + endpoint.path, { method: chosen, headers }), expected };
});

/** Paths that do not exist, with any method. */
const unknownPathRequest = fc.record({
  prefix: fc.constantFrom('/v1/', '/v2/', '/.well-known/', '/v1/attestations/', '/healthz/', '/x/', '/sandbox/'),
  rest: fc.string({ unit: 'grapheme', maxLength: 30 }),
  method: fc.constantFrom(...METHODS),
  noise: noiseHeaders,
}).map(({ prefix, rest, method, noise }) => async (): Promise<Case> => {
  // "x" first, so no segment is "." or "..", which the URL parser would resolve away.
  const path = `${prefix}x${pathSegment(rest)}`;
  const headers = new Headers({ ...noise, 'cf-connecting-ip': clientIp() });
  // The sandbox answers its own unknown paths (under /sandbox/iamport/, with the upstream's 404 envelope).
  const expected: Expected = path.startsWith('/sandbox/') ? { kind: 'no-5xx' } : problem('not_found');
  return { family: 'unknown path', request: new Request(VERIFIER + path, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : rest }), expected };
});

/** The sandbox's stand-in APIs with garbage: they speak the upstream's formats, but must never fail. */
const sandboxRequest = fc.record({
  target: fc.constantFrom(
    '/sandbox/persons', '/sandbox/certifications', '/sandbox/stats', '/sandbox/otp/approve', '/sandbox/iamport/users/getToken', '/sandbox/iamport/certifications/',
    '/sandbox/portone/identity-verifications/', '/sandbox/portone/identity-verifications/fuzz_3/send', '/sandbox/portone/identity-verifications/fuzz_3/confirm',
    '/sandbox/portone/identity-verifications/fuzz_3/resend',
  ),
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS', 'PUT'),
  suffix: fc.oneof(malformedImpUid, fc.string({ maxLength: 20 })),
  body: fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string(), fc.constantFrom('{"person":"adult","merchant_uid":"fuzz_1"}', '{"provider":"portone","person":"cancel","identity_verification_id":"fuzz_2"}', 'imp_key=a&imp_secret=b')),
  authorization: fc.option(fc.oneof(fc.constant('PortOne x'), fc.constant('Bearer x'), fc.string({ maxLength: 40 }).map(asHeaderValue))),
}).map(({ target, method, suffix, body, authorization }) => async (): Promise<Case> => {
  const path = target.endsWith('/') ? target + pathSegment(suffix) : target;
  const headers = new Headers({ 'content-type': 'application/json' });
  if (authorization) headers.set('authorization', authorization);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return { family: 'sandbox', request: new Request(VERIFIER + path, { method, headers, body: hasBody ? body : undefined }), expected: { kind: 'no-5xx' } };
});

const anyCase = fc.oneof(
  { weight: 36, arbitrary: brokenExchange },
  { weight: 3, arbitrary: validExchange },
  { weight: 12, arbitrary: challengeRequest },
  { weight: 8, arbitrary: introspectRequest },
  { weight: 7, arbitrary: methodRequest },
  { weight: 3, arbitrary: unknownPathRequest },
  { weight: 3, arbitrary: sandboxRequest },
  { weight: 6, arbitrary: otpRequest },
);

// ---------------------------------------------------------------------------------------
// Judging an answer.

const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

function judge(testCase: Case, status: number, headers: Headers, text: string): void {
  const { expected, request } = testCase;
  const where = `${testCase.family}: ${request.method} ${new URL(request.url).pathname} answered ${status} ${text.slice(0, 300)}`;
  expect(status, where).toBeLessThan(500);
  // CORS is answered for allowed origins only (or * on the public documents and the sandbox).
  const allowOrigin = headers.get('access-control-allow-origin');
  if (allowOrigin !== null && allowOrigin !== '*') expect(ALLOWED.has(allowOrigin) && allowOrigin === request.headers.get('origin'), where).toBe(true);
  const hasBody = request.method !== 'HEAD';
  if (expected.kind !== 'token') expect(JWT.test(text), `a token for invalid input: ${where}`).toBe(false);

  switch (expected.kind) {
    case 'no-5xx':
      return;
    case 'problem': {
      expect({ status, type: headers.get('content-type') }, where).toEqual({ status: PROBLEMS[expected.code].status, type: 'application/problem+json' });
      if (!hasBody) return;
      const body = JSON.parse(text) as Json;
      expect(body, where).toEqual({ type: PROBLEM_TYPE_BASE + expected.code, title: PROBLEMS[expected.code].title, status, detail: expect.any(String), code: expected.code });
      return;
    }
    case 'token': {
      expect(status, where).toBe(201);
      const body = JSON.parse(text) as Json;
      expect(body.token, where).toMatch(JWT);
      const idClaim = expected.provider === 'iamport' ? 'imp_uid' : 'identity_verification_id';
      expect(body.claims, where).toMatchObject({ provider: expected.provider, [idClaim]: expected.id, aud: SITE });
      expect(body.claims.age_over, where).toBe(expected.minAge);
      expect(body.claims.nonce, where).toBe(expected.nonce);
      return;
    }
    case 'challenge': {
      expect(status, where).toBe(201);
      const body = JSON.parse(text) as Json;
      expect(body.challenge, where).toMatch(/^c3\.[0-9a-z]+\.[A-Za-z0-9]{37}\.[A-Za-z0-9_-]{43}$/);
      expect(body.merchant_uid, where).toMatch(MERCHANT_UID_PATTERN);
      if (expected.merchantUid) expect(body.merchant_uid, where).toBe(expected.merchantUid);
      return;
    }
    case 'introspection': {
      expect(status, where).toBe(200);
      const body = JSON.parse(text) as Json;
      if (expected.active) expect(body.active, where).toBe(true);
      else expect(body, where).toEqual({ active: false });
      return;
    }
    case 'ok':
      expect(status, where).toBe(expected.status);
  }
}

/** Promise.all that lets every promise settle first, so a failing batch leaves no unhandled rejection behind. */
async function settled<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

// ---------------------------------------------------------------------------------------

describe('generated bad input against every endpoint', () => {
  const statuses: number[] = [];
  const families: string[] = [];
  const issued: Array<{ provider: 'iamport' | 'portone'; id: string }> = [];
  let logs: string[] = [];
  const bodies: string[] = [];

  beforeAll(() => { logs = captureLogs(); });
  afterAll(() => {
    vi.restoreAllMocks();
    // Printed whatever the outcome: on a failure they say how far the run got.
    const fivexx = statuses.filter((status) => status >= 500).length;
    figures(`fuzz: ${statuses.length} generated requests (up to ${RUNS} runs of ${BATCH})`);
    figures(`fuzz: by family ${JSON.stringify(tally(families))}`);
    figures(`fuzz: statuses seen ${JSON.stringify(tally(statuses))}`);
    figures(`fuzz: 5xx ${fivexx}, tokens for valid requests ${issued.length}, victims ${victims.length}, log lines checked for leaks ${logs.length}`);
  });

  // One test, not three: the ledger and leak checks are about the requests this run generated.
  it('answers each with a typed problem or what a valid request earns (never a 5xx, never a token for invalid input), uses up no verification it refused, and leaks nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyCase, { minLength: BATCH, maxLength: BATCH }), async (makers) => {
        const cases = await settled(makers.map((make) => make()));
        const answers = await settled(cases.map(async (testCase) => {
          const response = await fetchWith({}, testCase.request);
          return { testCase, status: response.status, headers: response.headers, text: await response.text() };
        }));
        for (const { testCase, status, headers, text } of answers) {
          statuses.push(status);
          families.push(testCase.family.split(':')[0]!);
          bodies.push(text);
          // The judge fails the run on a 5xx or on a token for invalid input.
          judge(testCase, status, headers, text);
          if (testCase.expected.kind === 'token' && status === 201) issued.push({ provider: testCase.expected.provider, id: testCase.expected.id });
        }
      }),
      // No shrinking: each try re-runs a batch against Durable Objects, and the failure message
      // already names the request, its family and the answer.
      { numRuns: RUNS, endOnFailure: true },
    );
    // What the run covered (fast-check has judged every answer by now): every family of request,
    // and valid exchanges that earned tokens. From MIN_RUNS runs on, the rarest family is drawn about
    // 38 times, so one missing means its generator broke (or its weight went to 0), not chance.
    expect(RUNS, `FUZZ_RUNS=${RUNS}: fewer than ${MIN_RUNS} runs cannot show every family`).toBeGreaterThanOrEqual(MIN_RUNS);
    expect(new Set(families)).toEqual(new Set(FAMILIES));
    expect(issued.length).toBeGreaterThan(0);

    // Nothing refused used a verification up: every victim is unclaimed, and exchanges for real afterwards.
    for (const victim of victims) {
      const id = String(victim.provider === 'iamport' ? victim.body.imp_uid : victim.body.identity_verification_id);
      expect(await ledgerFor(bindings, victim.provider, id).isClaimed()).toBe(false);
    }
    for (const victim of victims.filter((v) => !v.refusal)) {
      const { status, body } = await attest(victim.body);
      bodies.push(JSON.stringify(body));
      expect(status).toBe(201);
    }
    // And every token the run did issue is in the ledger.
    for (const { provider, id } of issued) expect(await ledgerFor(bindings, provider, id).isClaimed()).toBe(true);

    // No personal data or secret in any answer or log line.
    expect(logs.length).toBeGreaterThanOrEqual(statuses.length);
    expectNoLeaks([...bodies, ...logs]);
  }, 600_000); // generous: a loaded 2-core machine runs this at a quarter of its idle speed
});
