import { css } from '@lit/reactive-element';

/**
 * The tag paints its own small card (like Turnstile), so its text keeps its contrast on any
 * page. Light or dark follows `prefers-color-scheme`: the private `--_*` values switch, and
 * each public `--iamport-verify-*` property, where it is used, wins over them. The states a
 * verification ends in (verified, error, expired) are painted by state.styles.ts, which
 * comes with the verification: a page pays for those only once someone verifies.
 */
export const styles = css`
  :host {
    --_accent: #1f4fd1;
    --_on-accent: #fff;
    --_bg: #fff;
    --_text: #1d2433;
    --_border: #c9ced8;
    --_success: #17733f;
    --_error: #b3261e;
    display: inline-block;
    font: 1rem/1.4 var(--iamport-verify-font, system-ui, sans-serif);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_accent: #8fb0ff;
      --_on-accent: #0b1020;
      --_bg: #1c1f26;
      --_text: #e6e9f2;
      --_border: #3a404d;
      --_success: #6fdc9a;
      --_error: #ff9b92;
    }
  }
  /* The form mode's form takes the button's place: nothing is shown while it comes. */
  :host([hidden]),
  :host([mode=form]) .loading * {
    display: none;
  }
  [part=base] {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    padding: 0.75em;
    min-width: 14em;
    box-sizing: border-box;
    border: 1px solid var(--iamport-verify-border, var(--_border));
    border-radius: var(--iamport-verify-radius, 0.625em);
    background: var(--iamport-verify-background, var(--_bg));
    color: var(--iamport-verify-text, var(--_text));
  }
  button {
    font: inherit;
    font-weight: 600;
    min-height: 2.75em;
    padding: 0.5em 1.1em;
    border: 0;
    border-radius: 0.5em;
    background: var(--iamport-verify-accent, var(--_accent));
    color: var(--iamport-verify-accent-text, var(--_on-accent));
    cursor: pointer;
  }
  button:hover {
    filter: brightness(1.1);
  }
  button:focus-visible {
    outline: 3px solid var(--iamport-verify-focus-ring, var(--iamport-verify-accent, var(--_accent)));
    outline-offset: 2px;
  }
  button:disabled,
  [aria-disabled=true] {
    cursor: not-allowed;
    filter: saturate(0.4);
  }
  p {
    margin: 0;
    font-size: 0.9em;
  }
  /* The status takes no room while it has nothing to say. */
  button:not([hidden]) + p:not(:empty) {
    margin-top: 0.5em;
  }
`;
