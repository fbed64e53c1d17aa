/**
 * The tag as the parts loaded on demand see it: its state's values and the attributes a
 * verification reads. Types only, so that verification.ts needs nothing from the element's
 * module (which loads it): no import cycle, even a type-only one.
 */
import type { ProviderName } from './providers/provider.js';
import type { AttestationClaims } from './verifier.js';

/** Where the flow is: one value, shown to the page as `state` and in `iamport-state` (`form` and `code`: the form mode's steps). */
export type VerifyState = 'idle' | 'loading' | 'ready' | 'form' | 'code' | 'verifying' | 'guardian' | 'verified' | 'error' | 'expired';

/** The element's attributes (and form value) that a verification reads; see iamport-verify.ts for each one's meaning. */
export interface VerifyingTag {
  readonly id: string;
  /** Where the parts loaded on demand add their styles (state.styles.ts). */
  readonly shadowRoot: ShadowRoot | null;
  readonly mode: 'popup' | 'form' | undefined;
  readonly endpoint: string;
  readonly state: VerifyState;
  readonly name: string;
  readonly provider: ProviderName;
  readonly impCode: string | undefined;
  readonly storeId: string | undefined;
  readonly channelKey: string | undefined;
  readonly pg: string | undefined;
  readonly minAge: number | undefined;
  readonly minYearAge: number | undefined;
  readonly guardianUnder: number | undefined;
  readonly carrier: string | undefined;
  readonly customerName: string | undefined;
  readonly phone: string | undefined;
  readonly company: string | undefined;
  readonly popup: boolean;
  readonly redirectUrl: string | undefined;
  readonly sdkSrc: string | undefined;
  readonly nonce: string | undefined;
  readonly token: string;
  readonly claims: Readonly<AttestationClaims> | undefined;
}
