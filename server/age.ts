/**
 * The age a site wants, and whether a token attests it: one rule per line. Each rule pairs the
 * option a checker sets with the claim the verifier wrote after checking that age itself, and
 * the parameter `POST /v1/introspect` reads it from. A second rule (the year rule,
 * `minYearAge` / `year_age_over` / `min_year_age`) is one more member and one more line.
 */
import type { AttestationClaims } from './claims.ts';
import { AttestationError } from './errors.ts';

/** The ages a site may require; a token must attest every one that is given. */
export interface AgeRequirement {
  /** Refuse tokens whose `age_over` (만 나이, international age) is missing or lower than this. */
  minAge?: number | undefined;
}

type AgeOption = keyof AgeRequirement;

/** For each age option: the claim that attests it, and its name as a request parameter. */
export const AGE_RULES: { readonly [option in AgeOption]-?: { claim: keyof AttestationClaims; parameter: string } } = {
  minAge: { claim: 'age_over', parameter: 'min_age' },
};

export const AGE_OPTIONS = Object.keys(AGE_RULES) as AgeOption[];

/** Throws `age_too_low` unless the claims attest every age the site wants. */
export function checkAgeRequirement(claims: AttestationClaims, wanted: AgeRequirement): void {
  for (const option of AGE_OPTIONS) {
    const minimum = wanted[option];
    if (minimum === undefined) continue;
    const { claim } = AGE_RULES[option];
    const attested = claims[claim];
    if (!(typeof attested === 'number' && attested >= minimum)) {
      throw new AttestationError('age_too_low', `The token does not attest ${claim} of at least ${minimum}.`);
    }
  }
}
