/**
 * The parts of the tag fetched on demand (the providers' are in providers/index.ts).
 *
 * A module fetched once per page, on demand, however many tags ask. What has arrived is at hand
 * synchronously, because a click must open the provider's window without waiting.
 */
export interface OnDemand<T> {
  load(): Promise<T>;
  loaded(): T | undefined;
}

export function onDemand<T>(fetch: () => Promise<T>): OnDemand<T> {
  let value: T | undefined;
  let pending: Promise<T> | undefined;
  return {
    load: () => (pending ??= fetch().then(
      (arrived) => (value = arrived),
      (error) => {
        // A failed fetch may be retried by the next click.
        pending = undefined;
        throw error;
      },
    )),
    loaded: () => value,
  };
}

/** The verification itself (verification.ts): fetched with the provider's module, on intent. */
export const verification = onDemand(() => import('./verification.js'));

/**
 * The form mode's form (form/form.ts): fetched only by a tag with `mode="form"`, as it connects.
 * It builds on the verification, fetched first through its own holder: the tag's text has both.
 */
export const form = onDemand(() => verification.load().then(() => import('./form/form.js')));
