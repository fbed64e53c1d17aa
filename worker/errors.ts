/**
 * The verifier's one error type and its RFC 9457 answer. Which problems exist (code, status,
 * title) is the shared contract's: protocol/problems.ts. Routes throw `VerifyError`;
 * `app.onError` turns it into a problem response.
 */
import { PROBLEMS, PROBLEM_TYPE_BASE, type ProblemCode } from '../protocol/problems.ts';

export { PROBLEMS, PROBLEM_TYPE_BASE, type ProblemCode };

/** The one error type routes throw. `detail` is shown to the client: never put personal data or secrets in it. */
export class VerifyError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly detail: string;
  /** Extra response headers, such as `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail: string = PROBLEMS[code].when, headers: Record<string, string> = {}) {
    super(`${code}: ${detail}`);
    this.name = 'VerifyError';
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.detail = detail;
    this.headers = headers;
  }
}

/** RFC 9457 body for a code. */
export function problemBody(code: ProblemCode, detail: string) {
  const { status, title } = PROBLEMS[code];
  return { type: PROBLEM_TYPE_BASE + code, title, status, detail, code };
}

export function problemResponse(error: VerifyError, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problemBody(error.code, error.detail)), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...error.headers, ...extraHeaders },
  });
}
