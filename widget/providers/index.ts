/**
 * The providers the tag knows, as the page sees them before anyone interacts: what their
 * attributes must be (checked at once) and where the redirect flow's return names its id.
 * Everything that talks to a provider's SDK is its own module, loaded on the first pointer
 * or focus (or when a redirect comes back), so the tag stays small on every page view.
 */
import { onDemand, type OnDemand } from '../on-demand.js';
import { CARRIERS, type ProviderName, type VerificationProvider } from './provider.js';

export type { ProviderName };

/** What a provider's attributes must be: the tag's own properties of the same names. */
export interface ProviderAttributes {
  impCode: string | undefined;
  storeId: string | undefined;
  channelKey: string | undefined;
  carrier: string | undefined;
}

interface ProviderEntry {
  /** Attribute problems to show at once, not inside the provider's window. */
  invalidAttribute(attributes: ProviderAttributes): string | undefined;
  /** The query parameter that carries the verification's id (the challenge's merchant_uid) after a redirect. */
  returnParam: string;
  module: OnDemand<VerificationProvider>;
}

const badCarrier = (carrier: string | undefined) =>
  carrier && !CARRIERS.includes(carrier) ? `carrier must be one of ${CARRIERS.join(', ')}` : undefined;

const PROVIDERS: Record<ProviderName, ProviderEntry> = {
  /** Iamport (PortOne V1): `IMP.certification`. */
  iamport: {
    invalidAttribute: ({ impCode, carrier }) => (!impCode ? 'imp-code is required' : badCarrier(carrier)),
    returnParam: 'merchant_uid',
    module: onDemand(() => import('./iamport.js').then((module) => module.iamportV1)),
  },
  /** PortOne V2: `PortOne.requestIdentityVerification`. */
  portone: {
    invalidAttribute: ({ storeId, channelKey, carrier }) =>
      !storeId ? 'store-id is required' : !channelKey ? 'channel-key is required' : badCarrier(carrier),
    returnParam: 'identityVerificationId',
    module: onDemand(() => import('./portone.js').then((module) => module.portoneV2)),
  },
};

export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];

/** Own keys only: `provider="constructor"` is not a provider. */
export function providerEntry(name: string): ProviderEntry | undefined {
  return Object.hasOwn(PROVIDERS, name) ? PROVIDERS[name as ProviderName] : undefined;
}
