/**
 * What the hardening suites (fuzz, faults, races, rate limit) share: log capture, the leak
 * check over everything the verifier said, and the one way they print their figures.
 */
import { expect, vi } from 'vitest';
import type { EnvVars } from '../../worker/settings.ts';
import { fetchWith, personalData, secretValues, SITE, VERIFIER, type Json } from './support.ts';

/** Print a measurement; vitest.config.ts lets lines starting with "figures:" through. */
export function figures(line: string): void {
  console.info(`figures: ${line}`);
}

/** Keep every line the verifier writes (instead of printing it), for the leak check. */
export function captureLogs(): string[] {
  const lines: string[] = [];
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => {
      lines.push(parts.map(String).join(' '));
    });
  }
  return lines;
}

/** No test person's name, phone, birthday, CI or DI, no secret, and none of `alsoForbidden`, in any of `texts` (bodies, log lines). */
export function expectNoLeaks(texts: readonly string[], alsoForbidden: readonly string[] = []): void {
  const forbidden = [...personalData(), ...secretValues(), ...alsoForbidden];
  for (const text of texts) {
    for (const value of forbidden) {
      if (text.includes(value)) expect.fail(`a response or log line leaks a protected value: ${text.slice(0, 200)}`);
    }
  }
}

/**
 * POST JSON straight to the Worker's fetch handler, with its real bindings (and `overrides`).
 * Under hundreds of concurrent requests SELF.fetch is an order of magnitude slower, and the
 * suites that send thousands use this instead; the app, its middleware and its Durable
 * Objects are the same.
 */
export async function postDirect(path: string, body: Json, { overrides = {} as EnvVars, clientIp = 'direct', origin = SITE } = {}) {
  const response = await fetchWith(overrides, new Request(VERIFIER + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, 'cf-connecting-ip': clientIp },
    body: JSON.stringify(body),
  }));
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Json };
}

/** A client address from a fixed pool, so the rate limiter's table stays small over thousands of requests. */
export function pooledClientIp(prefix: string, poolSize: number): () => string {
  let next = 0;
  return () => `${prefix}-${next++ % poolSize}`;
}

/** `{ "201": 3, "409": 97 }`, sorted by status. */
export function tally(values: Iterable<string | number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of [...values].map(String).sort()) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
