// The content gate in the browser: when a gate's tag has an attestation, send it to this site, which
// checks it and keeps the proof (on the member's account, or in this browser's pass); then reload at
// the same gate, which the server now opens. The content is never fetched or shown here.
(function () {
  const config = window.iamportVerifyGate;
  const OPENED_KEY = 'iamport-verify-gate-opened';

  document.addEventListener('iamport-verified', async (event) => {
    const gate = event.target.closest && event.target.closest('.iamport-verify-gate');
    if (!gate) return;
    const status = gate.querySelector('.iamport-verify-gate-status');
    let answer;
    try {
      const response = await fetch(config.endpoint, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-wp-nonce': config.nonce },
        body: JSON.stringify({ token: event.detail.token, rule: gate.dataset.rule, age: Number(gate.dataset.age) }),
      });
      answer = { ok: response.ok, body: await response.json().catch(() => ({})) };
    } catch {
      answer = { ok: false, body: {} };
    }
    if (!answer.ok) {
      status.textContent = answer.body.message || config.failed;
      event.target.reset();
      return;
    }
    status.textContent = config.opening;
    sessionStorage.setItem(OPENED_KEY, gate.id);
    location.reload();
  });

  // Back after the reload: to the place the gate was, now the content.
  const opened = sessionStorage.getItem(OPENED_KEY);
  if (opened) {
    sessionStorage.removeItem(OPENED_KEY);
    const place = document.getElementById(opened);
    if (place) place.scrollIntoView({ block: 'start' });
  }
})();
