import { css } from '../state.styles.js';

/**
 * The form mode's form, beside the card's styles (iamport-verify.styles.ts), whose light and dark
 * values (`--_*`) and public custom properties it uses too. The tag's own button only shows where
 * it starts over (after an error, or once the attestation expired).
 */
export const formStyles = css`
  [part=base]:not(.error):not(.expired) > [part=button] {
    display: none;
  }
  [hidden] {
    display: none !important;
  }
  form {
    align-self: stretch;
    min-width: 16em;
  }
  form + form + p:not(:empty) {
    margin-top: 0.75em;
  }
  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    min-width: 0;
  }
  .plain {
    display: grid;
    gap: 0.75em;
  }
  .field {
    display: grid;
    gap: 0.25em;
  }
  [part=label] {
    font-size: 0.9em;
    font-weight: 600;
    padding: 0;
  }
  input,
  select {
    font: inherit;
    min-height: 2.75em;
    padding: 0.4em 0.6em;
    box-sizing: border-box;
    border: 1px solid var(--iamport-verify-border, var(--_border));
    border-radius: 0.375em;
    background: var(--iamport-verify-background, var(--_bg));
    color: inherit;
  }
  input:focus-visible,
  select:focus-visible {
    outline: 3px solid var(--iamport-verify-focus-ring, var(--iamport-verify-accent, var(--_accent)));
    outline-offset: 1px;
  }
  [aria-invalid=true] {
    border: 2px solid var(--iamport-verify-error, var(--_error));
  }
  [part=field-error] {
    color: var(--iamport-verify-error, var(--_error));
  }
  .hint,
  [part=consent],
  [part=timer] {
    font-size: 0.85em;
  }
  [part=timer] {
    font-variant-numeric: tabular-nums;
  }
  .choices label,
  .check {
    display: flex;
    align-items: center;
    gap: 0.4em;
    min-height: 2em;
  }
  [type=radio],
  [type=checkbox] {
    min-height: 0;
    width: 1.2em;
    height: 1.2em;
    margin: 0;
    accent-color: var(--iamport-verify-accent, var(--_accent));
  }
  .identity {
    display: flex;
    align-items: center;
    gap: 0.4em;
  }
  #f-birth {
    width: 6.5em;
  }
  #f-gender {
    width: 2.5em;
    text-align: center;
  }
  .masked {
    -webkit-text-security: disc;
  }
  [part=resend] {
    background: none;
    color: inherit;
    border: 1px solid var(--iamport-verify-border, var(--_border));
  }
  [part=resend]:disabled {
    opacity: 0.6;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
