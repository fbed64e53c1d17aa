/**
 * Test helpers for the tag: a stand-in verifier (window.fetch), a stand-in IMP global, and
 * fixtures. Only the platform's edges are replaced; the tag itself runs as shipped.
 */
import { expect } from '@esm-bundle/chai';
import '../../widget/define.js';
import type { IamportVerifyElement } from '../../widget/iamport-verify.js';
import { verification } from '../../widget/on-demand.js';
import { providerEntry } from '../../widget/providers/index.js';

export const ENDPOINT = 'https://verify.test';

export interface RecordedRequest {
  path: string;
  body: Record<string, any>;
}

export type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'network-down';

/** Claims as the verifier signs them; `ttl` seconds of life. */
export function claimsFor(body: Record<string, any>, ttl = 600) {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: ENDPOINT, aud: location.origin, sub: 'pairwise-subject', iat, nbf: iat, exp: iat + ttl, jti: 'jti-1',
    merchant_uid: body.merchant_uid, verified_at: iat, provider: 'iamport', imp_uid: body.imp_uid,
    ...(body.min_age ? { age_over: body.min_age } : {}), ...(body.nonce ? { nonce: body.nonce } : {}),
  };
}

/** A token-shaped string; the tag never decodes it (claims come with it), the backend does. */
export const tokenFor = (claims: object) => `eyJhbGciOiJFUzI1NiJ9.${btoa(JSON.stringify(claims)).replace(/=+$/, '')}.signature`;

/**
 * Answers POST /v1/challenges and /v1/attestations as the verifier does, unless told otherwise.
 * Every request is recorded.
 */
export class FakeVerifier {
  readonly requests: RecordedRequest[] = [];
  challengeAnswer: ((body: Record<string, any>) => Answer) | undefined;
  attestationAnswer: ((body: Record<string, any>) => Answer) | undefined;
  /** Answers for the verifier's other paths (the form mode's `/v1/otp/...`), by path. */
  readonly routes: Record<string, (body: Record<string, any>) => Answer> = {};
  tokenTtl = 600;
  challengeTtl = 600;
  #count = 0;
  #realFetch = window.fetch.bind(window);

  /** `endpoint`: where the fake verifier answers (another origin than the test page's, unless a test needs its own). */
  constructor(readonly endpoint = ENDPOINT) {}

  install(): this {
    window.fetch = (input, init) => this.#answer(String(input instanceof Request ? input.url : input), init);
    return this;
  }

  uninstall(): void {
    window.fetch = this.#realFetch;
  }

  issued(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async #answer(url: string, init: RequestInit | undefined): Promise<Response> {
    if (!url.startsWith(this.endpoint)) return this.#realFetch(url, init);
    const path = url.slice(this.endpoint.length);
    const body = JSON.parse(String(init?.body ?? '{}'));
    this.requests.push({ path, body });
    let answer: Answer;
    if (path === '/v1/challenges') {
      this.#count++;
      // The verifier's clock is this machine's real one, whatever a test makes the page's say.
      const now = Math.floor(realDateNow() / 1000);
      answer = this.challengeAnswer?.(body) ?? {
        status: 201,
        body: {
          merchant_uid: body.merchant_uid ?? `iv_minted${this.#count}`,
          challenge: `c1.test.${this.#count}`,
          issued_at: now,
          expires_at: now + this.challengeTtl,
        },
      };
    } else if (path === '/v1/attestations') {
      answer = this.attestationAnswer?.(body) ?? (() => {
        const claims = claimsFor(body, this.tokenTtl);
        return { status: 201, body: { token: tokenFor(claims), expires_at: claims.exp, claims } };
      })();
    } else {
      answer = this.routes[path]?.(body) ?? problem('not_found', 404);
    }
    if (answer === 'network-down') throw new TypeError('Failed to fetch');
    const type = answer.status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': type, ...answer.headers } });
  }
}

const realDateNow = Date.now;
const realPerformanceNow = performance.now.bind(performance);

/**
 * The device's clocks as a test wants them: the wall clock `skewMs` off the real one, and both
 * the wall and the monotonic clock moved on by `advance(ms)` (a page left open). `restore()` undoes it.
 */
export function deviceClock({ skewMs = 0 } = {}) {
  let passed = 0;
  Date.now = () => realDateNow() + skewMs + passed;
  performance.now = () => realPerformanceNow() + passed;
  return {
    advance: (ms: number) => {
      passed += ms;
    },
    restore: () => {
      Date.now = realDateNow;
      performance.now = realPerformanceNow;
    },
  };
}

export function problem(code: string, status: number, headers?: Record<string, string>): Answer {
  return { status, body: { type: `urn:iamport-verify:problem:${code}`, title: code, status, detail: `${code} (test)`, code }, headers };
}

export interface CertificationCall {
  impCode: string | undefined;
  params: Record<string, unknown>;
  callback: (response: Record<string, unknown>) => void;
}

/**
 * A stand-in `IMP` global. By default the PG window "succeeds" at once; `behaviour` can
 * change that (hold the callback, cancel, open a window, ...).
 */
export function installImp(behaviour?: (call: CertificationCall) => void): CertificationCall[] {
  const calls: CertificationCall[] = [];
  let impCode: string | undefined;
  (window as any).IMP = {
    init: (code: string) => {
      impCode = code;
    },
    certification: (params: Record<string, unknown>, callback: CertificationCall['callback']) => {
      const call = { impCode, params, callback };
      calls.push(call);
      (behaviour ?? succeed)(call);
    },
  };
  return calls;
}

export function removeImp(): void {
  delete (window as any).IMP;
}

export const succeed = (call: CertificationCall) =>
  call.callback({ success: true, imp_uid: 'imp_123456789012', merchant_uid: call.params.merchant_uid, pg_provider: 'danal', pg_type: 'certification', error_code: null, error_msg: null });

export const fail = (message: string) => (call: CertificationCall) =>
  call.callback({ success: false, imp_uid: 'imp_123456789012', merchant_uid: call.params.merchant_uid, pg_provider: 'danal', pg_type: 'certification', error_code: 'F0000', error_msg: message });

const containers: HTMLElement[] = [];

/**
 * Renders `markup` into the page; returns its first element and, when that is the tag, waits for
 * it to settle and for the parts a click needs (the provider's module, the verification's), as
 * the person's first pointer or focus would fetch them. The stand-in SDKs are the tests' own.
 */
export async function fixture<T extends HTMLElement = IamportVerifyElement>(markup: string,
  { waitFor = 'settled' as 'settled' | 'none', preload = true } = {}): Promise<T> {
  const container = document.createElement('div');
  container.innerHTML = markup;
  document.body.append(container);
  containers.push(container);
  const element = container.firstElementChild as T;
  if (preload) await preloaded((element.localName === 'iamport-verify' ? element : element.querySelector('iamport-verify')) as IamportVerifyElement | null);
  if (waitFor === 'settled' && element.localName === 'iamport-verify') await settled(element as unknown as IamportVerifyElement);
  return element;
}

/** The tag's on-demand modules, loaded as its first pointer or focus would load them. */
export async function preloaded(element: IamportVerifyElement | null): Promise<void> {
  await Promise.all([verification.load(), providerEntry(element?.provider ?? 'iamport')?.module.load()]);
}

export function cleanup(): void {
  for (const container of containers.splice(0)) container.remove();
  sessionStorage.clear();
}

/** Waits until the tag is no longer loading or verifying. */
export async function settled(element: IamportVerifyElement): Promise<void> {
  await until(() => !['idle', 'loading', 'verifying'].includes(element.state), element, 'the tag to settle');
  await element.updateComplete;
}

export async function until(condition: () => boolean, element?: IamportVerifyElement, what = 'condition'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting for ${what}${element ? ` (state ${element.state})` : ''}`);
}

export function nextEvent<T = any>(target: EventTarget, name: string): Promise<CustomEvent<T>> {
  return new Promise((resolve) => target.addEventListener(name, (event) => resolve(event as CustomEvent<T>), { once: true }));
}

export function button(element: HTMLElement): HTMLButtonElement {
  return element.shadowRoot!.querySelector('button')!;
}

export function statusText(element: HTMLElement): string {
  return element.shadowRoot!.querySelector('[role=status]')!.textContent ?? '';
}

let axeLoaded: Promise<void> | undefined;

/** axe-core's accessibility rules over the tag (shadow DOM included); no violations allowed. */
export async function expectAccessible(element: HTMLElement): Promise<void> {
  axeLoaded ??= new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/node_modules/axe-core/axe.min.js';
    script.onload = () => resolve();
    script.onerror = reject;
    document.head.append(script);
  });
  await axeLoaded;
  const results = await (window as any).axe.run(element, { resultTypes: ['violations'] });
  const violations = results.violations.map((violation: any) => `${violation.id}: ${violation.help} (${violation.nodes.map((node: any) => node.target.join(' ')).join(', ')})`);
  expect(violations, violations.join('\n')).to.deep.equal([]);
}
