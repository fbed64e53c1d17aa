/**
 * How the verifier talks to an upstream: one deadline per call (headers and body),
 * and every network failure becomes `upstream_unavailable`. Calls to the built-in
 * sandbox are answered inside the sandbox's Worker and never reach the network; production
 * has no sandbox object, so they could only go to the network, where that host does not exist.
 */
import { VerifyError } from '../errors.ts';
import { SANDBOX_UPSTREAM_NAME, type Env } from '../env.ts';
import { SANDBOX_IAMPORT_BASE, type Settings } from '../settings.ts';

export type UpstreamFetch = (request: Request, signal: AbortSignal) => Promise<Response>;

const SANDBOX_ORIGIN = new URL(SANDBOX_IAMPORT_BASE).origin;

/** The fetch an upstream client uses: the sandbox object for sandbox URLs (sandbox's Worker only), the network otherwise. */
export function upstreamFetchFor(env: Env, settings: Settings): UpstreamFetch {
  return (request, signal) => {
    const standIn = env.SANDBOX_UPSTREAM;
    if (standIn && settings.sandbox && new URL(request.url).origin === SANDBOX_ORIGIN) {
      return standIn.get(standIn.idFromName(SANDBOX_UPSTREAM_NAME)).fetch(request);
    }
    return fetch(request, { signal });
  };
}

export interface UpstreamAnswer {
  status: number;
  /** The parsed body, or `undefined` when it is not JSON (an HTML error page, a cut body). */
  json: unknown;
}

/** One upstream call, headers and body within `timeoutMs`. */
export async function callUpstream(upstreamFetch: UpstreamFetch, request: Request, timeoutMs: number): Promise<UpstreamAnswer> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new VerifyError('upstream_unavailable', `The upstream did not answer within ${timeoutMs} ms.`));
    }, timeoutMs);
  });
  const exchange = (async () => {
    let response: Response;
    try {
      response = await upstreamFetch(request, controller.signal);
    } catch {
      throw new VerifyError('upstream_unavailable', 'The upstream could not be reached.');
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw new VerifyError('upstream_unavailable', 'The upstream\'s answer could not be read.');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  })();
  try {
    return await Promise.race([exchange, deadline]);
  } finally {
    clearTimeout(timer);
    exchange.catch(() => {}); // a late failure after the deadline is already answered
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
