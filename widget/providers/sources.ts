/**
 * Where the tag loads code from and where it sends people. Whoever writes the markup may be
 * someone who must choose neither (a CMS's content author): a provider's SDK runs with the
 * page's rights, and the redirect flow hands the person, and the verification's ids, to its URL.
 * So a provider's SDK comes only from that provider's own CDN, the verifier's origin (where the
 * sandbox serves its stand-in) or the page's own (a copy the site hosts itself, for its
 * Content-Security-Policy), and the redirect flow returns only to the page's origin. Anything
 * else is `invalid_attribute`, before anything is fetched or opened. Loaded on demand with the
 * providers, so the check costs the tag's main module nothing.
 */
/** The tag's attributes these decide on. */
export interface Sources {
  readonly sdkSrc: string | undefined;
  readonly endpoint: string;
  readonly redirectUrl: string | undefined;
}

/** `url` resolved as the page resolves it (against its base URL), if it is an http(s) URL at all. */
function webUrl(url: string): URL | undefined {
  try {
    const resolved = new URL(url, document.baseURI);
    return /^https?:$/.test(resolved.protocol) ? resolved : undefined;
  } catch {
    return undefined;
  }
}

/** A refusal, shaped as verification.ts's `Failure` (not imported: verification.ts loads this module). */
const refusal = (message: string) => ({ code: 'invalid_attribute', message });

/** Whether `src` is an http(s) URL on the origin of one of `trusted` (URLs): the one rule for every script the tag loads. */
export function isOnTrustedOrigin(src: string, trusted: readonly string[]): boolean {
  const origin = webUrl(src)?.origin;
  return !!origin && trusted.some((url) => webUrl(url)?.origin === origin);
}

/** The SDK's URL to load: `sdk-src`, or the provider's own (`cdnSrc`); refused when `sdk-src` is on any other origin. */
export function sdkSource(tag: Sources, cdnSrc: string): string {
  const src = tag.sdkSrc || cdnSrc;
  if (isOnTrustedOrigin(src, [cdnSrc, tag.endpoint, location.href])) return src;
  throw refusal(`sdk-src must be on ${new URL(cdnSrc).origin}, the verifier's origin or this page's origin`);
}

/** Where the redirect flow returns, as a whole URL (the PG resolves nothing): `redirect-url` on the page's origin, or the page itself. */
export function redirectTarget(tag: Sources): string {
  if (!tag.redirectUrl) return location.href;
  const url = webUrl(tag.redirectUrl);
  if (url?.origin === location.origin) return url.href;
  throw refusal('redirect-url must be on this page\'s origin');
}
