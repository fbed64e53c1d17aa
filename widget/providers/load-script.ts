/** Classic-script loading, once per URL per page, however many tags ask for it. */
const SCRIPT_TIMEOUT_MS = 20_000;
const loading = new Map<string, Promise<void>>();

export function loadScript(src: string): Promise<void> {
  let promise = loading.get(src);
  if (!promise) {
    promise = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      const fail = () => {
        clearTimeout(timer);
        script.remove();
        reject(new Error(`Could not load ${src}`));
      };
      // A script that neither loads nor fails (a stalled CDN) must not leave the tag waiting forever.
      const timer = setTimeout(fail, SCRIPT_TIMEOUT_MS);
      script.onload = () => {
        clearTimeout(timer);
        resolve();
      };
      script.onerror = fail;
      script.src = src;
      document.head.append(script);
    });
    // A failed load may be retried on the next click.
    promise.catch(() => loading.delete(src));
    loading.set(src, promise);
  }
  return promise;
}
