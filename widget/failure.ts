/**
 * The codes the tag reports in `iamport-error`: every problem the verifier may answer with (the
 * shared contract's, protocol/problems.ts) and the tag's own, for what happens in the browser.
 * Type-only: nothing here reaches the bundle, so every module of the tag may import it.
 */
import type { ProblemCode } from '../protocol/problems.js';

/** What goes wrong in the browser, before or without any answer of the verifier. */
export type TagOwnCode =
  | 'network_error'
  | 'invalid_attribute'
  | 'sdk_load_failed'
  | 'guardian_too_late'
  | 'cancelled'
  | 'pg_error'
  | 'popup_blocked';

/**
 * Every code the tag knows. A newer verifier may answer with a code this union lacks: the tag
 * passes it on in its event all the same, and shows its general message (`failed`) for it.
 */
export type TagErrorCode = ProblemCode | TagOwnCode;

/** A failure with the stable code the tag reports in `iamport-error`. */
export interface Failure {
  code: TagErrorCode;
  message?: string | undefined;
  /** The verifier's `Retry-After`, in seconds (0 or absent: none). */
  retryAfter?: number | undefined;
}
