/**
 * What the tag needs from an identity provider's browser SDK. One module per provider
 * (iamport.ts, portone.ts), each loaded on demand (providers/index.ts): the element stays
 * provider-agnostic, and a page whose visitors never verify never downloads one.
 */

import type { Sources } from './sources.js';

/** The providers the tag knows (providers/index.ts says how each is loaded). */
export type ProviderName = 'iamport' | 'portone';

/** The request codes both SDKs take for the carrier (V1 `carrier`, V2 Danal `IsCarrier`; the response codes differ: KT, LGT_MVNO, ...). */
export const CARRIERS = ['SKT', 'KTF', 'LGT', 'MVNO'];

/** The tag's attributes a provider may pass on to its SDK (only those set). */
export interface VerificationRequest {
  impCode: string | undefined;
  storeId: string | undefined;
  channelKey: string | undefined;
  pg: string | undefined;
  /** The challenge's merchant_uid: the id the verification runs under. */
  merchantUid: string;
  minAge: number | undefined;
  carrier: string | undefined;
  customerName: string | undefined;
  phone: string | undefined;
  company: string | undefined;
  popup: boolean;
  redirectUrl: string;
}

/**
 * How a verification ended in the browser. Success says nothing yet: only the verifier's
 * look-up counts; `fields` identify the verification in the `POST /v1/attestations` body.
 */
export type ProviderResult =
  | { ok: true; fields: Record<string, string> }
  | { ok: false; code: 'cancelled' | 'pg_error' | 'popup_blocked'; detail?: string };

/** A provider's verification that came back through the page's address (redirect flow). */
export interface RedirectReturn {
  merchantUid: string;
  result: ProviderResult;
}

/** The part of a provider loaded on demand: everything that talks to its SDK. */
export interface VerificationProvider {
  /** The SDK's URL on the provider's own CDN: the default, and the one origin of the provider's that `sdk-src` may name (sources.ts). */
  readonly sdkSrc: string;
  /** Fetch the SDK (once per page) from where the tag's attributes say, if that is allowed (sources.ts); resolves when it is usable. */
  load(tag: Sources): Promise<void>;
  /** Whether the SDK is usable right now, so `open` can run inside the click. */
  isLoaded(): boolean;
  /** Open the verification synchronously (inside the user's click); `done` runs once. */
  open(request: VerificationRequest, done: (result: ProviderResult) => void): void;
  /** The verification in the page's URL after a redirect, if any. */
  readReturn(params: URLSearchParams): RedirectReturn | undefined;
  /** Query parameters the redirect adds, stripped from the address bar once read. */
  readonly returnParams: readonly string[];
  /** Remove what the SDK may leave on the page (its overlay) when the flow ends. */
  removeLeftovers(): void;
}
