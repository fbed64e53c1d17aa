/**
 * What the hardening suites (fuzz, faults, races, rate limit) share: log capture, the leak
 * check over everything the verifier said, and the one way they print their figures.
 */
import { expect, vi } from 'vitest';
import { personalData, secretValues } from './support.ts';

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
