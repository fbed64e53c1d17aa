/**
 * `import 'iamport-verify'` (and the script-tag bundle): registers `<iamport-verify>`.
 * For another tag name, import the class from `iamport-verify/element` and call `define(name)`.
 */
import { IamportVerifyElement, type AttestationClaims, type VerifyState } from './iamport-verify.js';

IamportVerifyElement.define();

export { IamportVerifyElement };
export type { AttestationClaims, VerifyState };

declare global {
  interface HTMLElementTagNameMap {
    'iamport-verify': IamportVerifyElement;
  }
  interface HTMLElementEventMap {
    'iamport-verified': CustomEvent<{ token: string; claims: AttestationClaims }>;
    'iamport-error': CustomEvent<{ code: string; message: string; detail?: string }>;
    'iamport-expired': CustomEvent<Record<string, never>>;
    'iamport-state': CustomEvent<{ state: VerifyState }>;
  }
}
