/**
 * The styles that come with the parts loaded on demand, beside the card's own
 * (iamport-verify.styles.ts): a page pays for them only once someone verifies. Plain text in
 * constructed sheets: those parts import nothing from the main module, Lit's `css` included.
 */

/** Plain text; the build squeezes it like any css`…` in a *.styles.ts. */
export const css = String.raw;

/** The states a verification ends in (verified, error, expired). */
const stateStyles = css`
  .verified p {
    color: var(--iamport-verify-success, var(--_success));
    font-weight: 600;
  }
  .verified p::before {
    content: '✓ ';
  }
  .error p,
  .expired p {
    color: var(--iamport-verify-error, var(--_error));
  }
`;

/** A constructed sheet from styles written as css`…`. */
export function sheetOf(styles: string): CSSStyleSheet {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(styles);
  return sheet;
}

/** Adds a sheet to a tag's shadow root, once (beside the element's own, which Lit adopted). */
export function adopt(root: ShadowRoot | null, sheet: CSSStyleSheet): void {
  if (root && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

let states: CSSStyleSheet | undefined;

/** Paint a tag's shadow root for the states a verification ends in. */
export function paintStates(root: ShadowRoot | null): void {
  adopt(root, (states ??= sheetOf(stateStyles)));
}
