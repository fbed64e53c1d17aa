// The sandbox's stand-in for Cloudflare Turnstile's browser script (api.js, explicit rendering),
// served at /sandbox/turnstile.js while the sandbox is on: no account and no network. Cloudflare's
// documented test sitekeys behave as its docs say (developers.cloudflare.com/turnstile/troubleshooting/testing):
// 1x00000000000000000000AA and 1x00000000000000000000BB pass (the dummy token), 2x00000000000000000000AB and
// 2x00000000000000000000BB fail, 3x00000000000000000000FF asks the person to tick a box. The sandbox knows
// no real widget: any other sitekey fails as an invalid one. Pair it with a test secret in TURNSTILE_SECRET.
(() => {
  if (window.turnstile) return;
  const DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX';
  const PASSES = ['1x00000000000000000000AA', '1x00000000000000000000BB'];
  const FAILS = ['2x00000000000000000000AB', '2x00000000000000000000BB'];
  const INTERACTIVE = '3x00000000000000000000FF';
  /** Turnstile's client-side error codes: a failed challenge, and an unknown sitekey. */
  const CHALLENGE_FAILED = '600010';
  const INVALID_SITEKEY = '110100';
  const widgets = new Map();
  let next = 0;

  function run(widget) {
    widget.token = undefined;
    widget.box.textContent = '';
    const { sitekey } = widget.options;
    const callback = (name, value) => setTimeout(() => widget.options[name]?.(value), 0);
    if (PASSES.includes(sitekey)) {
      widget.token = DUMMY_TOKEN;
      callback('callback', DUMMY_TOKEN);
    } else if (sitekey === INTERACTIVE) {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.addEventListener('change', () => {
        widget.token = DUMMY_TOKEN;
        callback('callback', DUMMY_TOKEN);
      });
      label.append(box, ' Verify you are human (sandbox Turnstile)');
      widget.box.append(label);
    } else {
      callback('error-callback', FAILS.includes(sitekey) ? CHALLENGE_FAILED : INVALID_SITEKEY);
    }
  }

  window.turnstile = {
    render(container, options) {
      const element = typeof container === 'string' ? document.querySelector(container) : container;
      const box = document.createElement('div');
      box.dataset.sandboxTurnstile = '';
      element.append(box);
      const id = `sandbox-turnstile-${++next}`;
      const widget = { box, options };
      widgets.set(id, widget);
      run(widget);
      return id;
    },
    getResponse: (id) => widgets.get(id)?.token,
    isExpired: () => false,
    reset(id) {
      const widget = widgets.get(id);
      if (widget) run(widget);
    },
    remove(id) {
      widgets.get(id)?.box.remove();
      widgets.delete(id);
    },
  };
})();
