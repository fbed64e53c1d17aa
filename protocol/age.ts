/**
 * Where age is decided, on the token's side: which claim attests which rule, the age a checker
 * wants, and whether a token attests it. (How old a person is, from their birth date, is the
 * verifier's own decision: worker/checks/age.ts.)
 *
 * The age a site wants, and whether a token attests it: one rule per line. Each rule pairs the
 * option a checker sets with the claims the verifier wrote after checking that age itself, and
 * the parameter `POST /v1/introspect` reads it from.
 *
 * Korean law counts age two ways (see the README's "Age rules"): 만 나이 (`age_over`) and the
 * Youth Protection Act's year rule, this year minus the birth year (`year_age_over`). A token
 * names the rule it checked, so one never passes for the other. Under 14, the Personal
 * Information Protection Act wants a guardian's consent: a child's token carries `age_under`
 * and a `guardian` who verified as an adult.
 */
import type { AttestationClaims } from './claims.ts';
import { AttestationError, type AttestationErrorCode } from './errors.ts';
import { GUARDIAN_MIN_AGE } from './guardian.ts';

/**
 * The two ways the verifier counts age (만 나이, and the year rule), each with the one claim that
 * attests it: a token names the rule it checked, so a backend can never take one for the other.
 */
export const AGE_RULE_CLAIMS = { age: 'age_over', year_age: 'year_age_over' } as const satisfies Record<string, keyof AttestationClaims>;
export type AgeRule = keyof typeof AGE_RULE_CLAIMS;

/** The ages a checker may require of a token; it must attest every one that is given. */
export interface AgeRequirement {
  /** Refuse tokens whose `age_over` (만 나이, international age) is missing or lower than this. */
  minAge?: number | undefined;
  /** Refuse tokens whose `year_age_over` (the Youth Protection Act's year rule) is missing or lower than this. */
  minYearAge?: number | undefined;
  /**
   * Accept a person under this age (만 나이) only with a guardian: the token attests `age_over`
   * of at least this, or `age_under` at most this together with a `guardian` verified as an adult.
   */
  requireGuardianUnder?: number | undefined;
}

type AgeOption = keyof AgeRequirement;

const atLeast = (attested: unknown, minimum: number) => typeof attested === 'number' && attested >= minimum;

/** For each age option: its name as a request parameter, and whether claims attest it. */
export const AGE_RULES: {
  readonly [option in AgeOption]-?: {
    parameter: string;
    attests: (claims: AttestationClaims, age: number) => boolean;
    refusal: AttestationErrorCode;
    explain: (age: number) => string;
  }
} = {
  minAge: {
    parameter: 'min_age',
    attests: (claims, age) => atLeast(claims.age_over, age),
    refusal: 'age_too_low',
    explain: (age) => `The token does not attest age_over of at least ${age}.`,
  },
  minYearAge: {
    parameter: 'min_year_age',
    attests: (claims, age) => atLeast(claims.year_age_over, age),
    refusal: 'age_too_low',
    explain: (age) => `The token does not attest year_age_over of at least ${age}.`,
  },
  requireGuardianUnder: {
    parameter: 'guardian_under',
    attests: (claims, age) => atLeast(claims.age_over, age) || (
      typeof claims.age_under === 'number' && claims.age_under <= age
      && typeof claims.guardian?.sub === 'string' && claims.guardian.sub !== ''
      && atLeast(claims.guardian.age_over, GUARDIAN_MIN_AGE)
    ),
    refusal: 'guardian_missing',
    explain: (age) => `The token attests neither age_over of at least ${age} nor a guardian for someone under it.`,
  },
};

export const AGE_OPTIONS = Object.keys(AGE_RULES) as AgeOption[];

/** Throws (`age_too_low`, `guardian_missing`) unless the claims attest every age the site wants. */
export function checkAgeRequirement(claims: AttestationClaims, wanted: AgeRequirement): void {
  for (const option of AGE_OPTIONS) {
    const age = wanted[option];
    if (age === undefined) continue;
    const rule = AGE_RULES[option];
    if (!rule.attests(claims, age)) throw new AttestationError(rule.refusal, rule.explain(age));
  }
}
