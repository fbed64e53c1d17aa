/**
 * The form mode's optional bot check: a Cloudflare Turnstile widget (`turnstile-sitekey`), whose
 * token goes with the send; the verifier checks it with Turnstile's `siteverify` (its
 * `TURNSTILE_SECRET`) before PortOne is asked. Part of the form's chunk: only a form-mode tag
 * with the attribute loads Turnstile's script, when its form is shown. Explicit rendering
 * (developers.cloudflare.com/turnstile/get-started/client-side-rendering): `turnstile.render`,
 * `getResponse`, `reset` after each send (a token is single use).
 */
import { loadScript } from '../providers/load-script.js';
import { isOnTrustedOrigin } from '../providers/sources.js';

/** Turnstile's script, from Cloudflare's own origin; explicit rendering, no scan of the page. */
export const TURNSTILE_SCRIPT = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit';

interface Turnstile {
  render(container: HTMLElement, options: Record<string, unknown>): string | undefined;
  getResponse(widgetId: string): string | undefined;
  reset(widgetId: string): void;
}

const turnstile = () => (window as unknown as { turnstile?: Turnstile }).turnstile;

/**
 * Where the script may come from: Cloudflare's origin, or the verifier's (the sandbox's stand-in,
 * `turnstile-src`). The page's content must not choose where code runs from. Undefined: refused.
 */
export function turnstileScript(source: string | null, endpoint: string): string | undefined {
  if (!source) return TURNSTILE_SCRIPT;
  // Unlike a provider's SDK, never the page's own origin: Turnstile must be loaded from Cloudflare.
  return isOnTrustedOrigin(source, [TURNSTILE_SCRIPT, endpoint]) ? new URL(source, document.baseURI).href : undefined;
}

/** One tag's widget, rendered into a light-DOM child the tag's form slots in (Turnstile's iframe lives in the page's DOM). */
export class TurnstileCheck {
  #widgetId: string | undefined;
  #rendering: Promise<void> | undefined;

  constructor(private readonly tag: HTMLElement, private readonly sitekey: string, private readonly script: string) {}

  /** Load the script (once per page) and render the widget (once per tag). Rejects when the script cannot be loaded. */
  mount(): Promise<void> {
    return (this.#rendering ??= (async () => {
      if (!turnstile()) await loadScript(this.script);
      const api = turnstile();
      if (!api) throw new Error(`${this.script} defined no turnstile`);
      let container = this.tag.querySelector<HTMLElement>(':scope > [slot=turnstile]');
      if (!container) {
        container = document.createElement('div');
        container.slot = 'turnstile';
        this.tag.append(container);
      }
      // Shown only when Turnstile needs the person (most people never see it).
      this.#widgetId = api.render(container, { sitekey: this.sitekey, appearance: 'interaction-only', 'refresh-expired': 'auto' });
    })().catch((error: unknown) => {
      this.#rendering = undefined;
      throw error;
    }));
  }

  /** The token for the next send; undefined while Turnstile is still deciding (or decided against). */
  token(): string | undefined {
    return this.#widgetId === undefined ? undefined : turnstile()?.getResponse(this.#widgetId) || undefined;
  }

  /** A token is spent by the send that carried it: ask for a new one. */
  reset(): void {
    if (this.#widgetId !== undefined) turnstile()?.reset(this.#widgetId);
  }
}
