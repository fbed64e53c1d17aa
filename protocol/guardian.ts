/**
 * The two facts of the under-14 guardian step that the verifier, the backend kit and the tag
 * share (values only, no imports: the tag bundles this file).
 */

/** The age (만 나이) at which the Civil Act makes someone an adult, as a guardian must be. */
export const GUARDIAN_MIN_AGE = 19;

/**
 * A PortOne V2 identity verification id succeeds once: the guardian's runs under the person's
 * id (the challenge's merchant_uid) with this suffix, so it is bound to the same challenge.
 * Iamport V1 runs both under the same merchant_uid.
 */
export const GUARDIAN_ID_SUFFIX = '-guardian';
