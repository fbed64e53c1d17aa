// The sandbox demo: what a site does with <iamport-verify>, and what its backend would check.
// Plain browser JavaScript, no build step. index.html runs it before the tag's own script, so
// the tag already has its merchant-uid when it asks the verifier for a challenge. Its text
// (demo-text.js) and its check of the token's signature (demo-jws.js) are sibling modules.
import { TEXT } from './demo-text.js';
import { checkSignature, tampered } from './demo-jws.js';


/**
 * The provider switch: the same tag and the same attestation through Iamport (PortOne V1) or
 * PortOne V2. The sandbox takes any store id; its V2 channel is `channel-key-sandbox`.
 */
const PROVIDERS = {
  iamport: { provider: 'iamport', 'imp-code': 'imp00000000', 'sdk-src': '/sandbox/iamport.js' },
  portone: { provider: 'portone', 'store-id': 'store-sandbox', 'channel-key': 'channel-key-sandbox', 'sdk-src': '/sandbox/portone.js' },
  // The form mode: the tag's own form over PortOne's API flow, no window.
  'portone-form': { provider: 'portone', mode: 'form', 'store-id': 'store-sandbox', 'channel-key': 'channel-key-sandbox' },
};
const PROVIDER_ATTRIBUTES = ['provider', 'mode', 'imp-code', 'store-id', 'channel-key', 'sdk-src'];
const PROVIDER_KEY = 'iamport-verify-demo:provider';

/**
 * The age rule switch: 만 나이 (min-age), the Youth Protection Act's year rule (min-year-age),
 * or the under-14 guardian step (guardian-under). `parameter` is what the verifier's
 * introspection and exchange take for it; `label` the field label's text key.
 */
const RULES = {
  age: { attribute: 'min-age', property: 'minAge', parameter: 'min_age', age: 19, label: 'ageLabel' },
  year: { attribute: 'min-year-age', property: 'minYearAge', parameter: 'min_year_age', age: 19, label: 'ageLabelYear' },
  guardian: { attribute: 'guardian-under', property: 'guardianUnder', parameter: 'guardian_under', age: 14, label: 'ageLabelGuardian' },
};
const RULE_KEY = 'iamport-verify-demo:rule';
let rule = RULES.age;
const DEMO_KEY = 'iamport-verify-demo:replay';
const TIME_CLAIMS = new Set(['iat', 'nbf', 'exp', 'verified_at']);
const LOG_LIMIT = 60;

const tag = document.querySelector('#age');
const form = document.querySelector('#signup');
const byId = (id) => document.getElementById(id);

let lang = initialLanguage();
/** What the panels show; rendered again when the language changes. */
const view = { attestation: undefined, signature: undefined, introspection: undefined, replay: undefined, log: [] };

// ---------------------------------------------------------------------------------------
// The replay demonstration needs a challenge of its own for this verification's merchant_uid,
// asked for BEFORE the person verifies: a challenge newer than the certification is refused as
// certification_stale, which would hide the already_used answer the demo wants to show.
// So the page picks the merchant_uid itself and gives it to the tag.

const query = new URLSearchParams(location.search);
// The redirect flow's return names the verification: V1 merchant_uid, V2 identityVerificationId.
const returningFrom = query.get('merchant_uid') ?? query.get('identityVerificationId');
const saved = readSaved();
// Before the tag upgrades: a V2 return must find the tag on V2 (and its stored challenge untouched).
applyProvider(initialProvider(), { reset: false });
applyRule(safeSession(RULE_KEY), { reset: false });
// Back from the redirect flow: keep the id (and challenge) the verification ran under.
let replayChallenge;
if (saved && saved.merchant_uid === returningFrom) {
  tag.setAttribute('merchant-uid', saved.merchant_uid);
  replayChallenge = Promise.resolve(saved);
} else {
  startNewVerification();
}

/** A new id for the next verification (each attempt has its own), and the demo's challenge for it. */
function startNewVerification() {
  const merchantUid = 'demo_' + randomId(24);
  tag.setAttribute('merchant-uid', merchantUid);
  replayChallenge = askReplayChallenge(merchantUid);
  // A failed challenge request shows when the replay button is pressed.
  replayChallenge.catch(() => {});
}

function randomId(length) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte) => alphabet[byte % alphabet.length]).join('');
}

function readSaved() {
  try {
    return JSON.parse(sessionStorage.getItem(DEMO_KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

function askReplayChallenge(merchantUid) {
  // A challenge is for one provider: the one the tag verifies with.
  const provider = tag.getAttribute('provider') ?? 'iamport';
  return postJson('/v1/challenges', { merchant_uid: merchantUid, provider }).then(({ status, body }) => {
    if (status !== 201) throw new Error(body.code ?? `HTTP ${status}`);
    try {
      sessionStorage.setItem(DEMO_KEY, JSON.stringify(body));
    } catch {
      // Without storage the replay still works, except after the redirect flow.
    }
    return body;
  });
}

async function postJson(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

// ---------------------------------------------------------------------------------------
// Language and provider

function initialLanguage() {
  const asked = new URLSearchParams(location.search).get('lang') ?? safeLocal('get');
  if (asked === 'ko' || asked === 'en') return asked;
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

function safeLocal(action, value) {
  try {
    return action === 'get' ? localStorage.getItem('iamport-verify-demo:lang') : localStorage.setItem('iamport-verify-demo:lang', value);
  } catch {
    return null;
  }
}

const t = (key, values = {}) => TEXT[lang][key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));

function setLanguage(next) {
  lang = next;
  document.documentElement.lang = next;
  safeLocal('set', next);
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-attr]')) {
    const [attribute, key] = node.dataset.i18nAttr.split(':');
    node.setAttribute(attribute, t(key));
  }
  for (const button of document.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === next));
  // The tag takes its language from the page; it only needs to draw itself again.
  tag.requestUpdate?.();
  renderAll();
}

/** `?provider=`, else the provider a redirect came back from, else the last one chosen in this tab. */
function initialProvider() {
  const asked = query.get('provider') ?? (query.has('identityVerificationId') ? 'portone' : safeSession(PROVIDER_KEY));
  return asked in PROVIDERS ? asked : 'iamport';
}

function safeSession(key, value) {
  try {
    return value === undefined ? sessionStorage.getItem(key) : sessionStorage.setItem(key, value);
  } catch {
    return null;
  }
}

function applyProvider(name, { reset = true } = {}) {
  const attributes = PROVIDERS[name];
  if (!attributes) return;
  for (const attribute of PROVIDER_ATTRIBUTES) {
    if (attribute in attributes) tag.setAttribute(attribute, attributes[attribute]);
    else tag.removeAttribute(attribute);
  }
  for (const button of document.querySelectorAll('[data-provider]')) button.setAttribute('aria-pressed', String(button.dataset.provider === name));
  byId('form-hint').hidden = attributes.mode !== 'form';
  // Kept for this tab, so the redirect flow comes back to the same provider.
  safeSession(PROVIDER_KEY, name);
  if (reset) {
    tag.reset();
    // A new verification, and the demo's challenge for it, under the new provider.
    startNewVerification();
  }
}

function applyRule(name, { reset = true } = {}) {
  if (!Object.hasOwn(RULES, name ?? '')) name = 'age';
  rule = RULES[name];
  for (const { attribute } of Object.values(RULES)) tag.removeAttribute(attribute);
  tag.setAttribute(rule.attribute, String(rule.age));
  // setLanguage draws the label at load; a switch afterwards draws it here.
  byId('age-label').dataset.i18n = rule.label;
  for (const button of document.querySelectorAll('[data-rule]')) button.setAttribute('aria-pressed', String(button.dataset.rule === name));
  // Kept for this tab, so the redirect flow comes back under the same rule.
  safeSession(RULE_KEY, name);
  if (reset) {
    byId('age-label').textContent = t(rule.label);
    // A removed attribute leaves its property null, which the tag still counts as a rule: clear them.
    for (const other of Object.values(RULES)) if (other !== rule) tag[other.property] = undefined;
    tag.reset();
    startNewVerification();
    view.introspection = undefined;
    renderIntrospection();
  }
}

// ---------------------------------------------------------------------------------------
// The attestation: token, claims, and its signature checked here with WebCrypto

async function showSignature(token, tamperedClaim) {
  view.signature = { result: 'pending' };
  renderSignature();
  const checked = await checkSignature(token);
  if (view.attestation) view.signature = { ...checked, tamperedClaim };
  renderSignature();
}

// ---------------------------------------------------------------------------------------
// Rendering

/** Children, leaving out the `undefined` of a condition not met. */
const present = (children) => children.filter((child) => child !== undefined);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...present(children));
  return node;
}

function renderAll() {
  renderAttestation();
  renderSignature();
  renderIntrospection();
  renderReplay();
  renderLog();
}

function renderAttestation() {
  const attestation = view.attestation;
  byId('token-empty').hidden = !!attestation;
  byId('token-panel').hidden = !attestation;
  byId('replay').disabled = !verificationIdOf(attestation?.claims);
  if (!attestation) return;
  const [header, payload, signature] = attestation.token.split('.');
  byId('token').replaceChildren(element('span', { class: 'h' }, header), '.',
    element('span', { class: 'p' }, payload), '.', element('span', { class: 's' }, signature));
  byId('claims').replaceChildren(...Object.entries(attestation.claims).map(([name, value]) => element('tr', {},
    element('th', { scope: 'row' }, name),
    element('td', {}, element('code', {}, JSON.stringify(value)),
      TIME_CLAIMS.has(name) ? element('span', { class: 'muted' }, ' ' + new Date(value * 1000).toLocaleTimeString(lang)) : undefined),
    element('td', { class: 'muted' }, TEXT[lang].claimNotes[name] ?? ''))));
}

function renderSignature() {
  const box = byId('signature');
  const signature = view.signature;
  box.dataset.result = signature?.result ?? 'pending';
  if (!signature) return box.replaceChildren();
  const message = {
    pending: () => t('checking'),
    valid: () => '✓ ' + t('signatureValid', { kid: signature.kid }),
    invalid: () => '✗ ' + t('signatureInvalid'),
    'no-key': () => '✗ ' + t('signatureNoKey', { kid: signature.kid }),
    failed: () => t('signatureFailed', { message: signature.message }),
  }[signature.result]();
  box.replaceChildren(...present([element('p', {}, message),
    signature.tamperedClaim ? element('p', { class: 'muted' }, t('tamperedNote', { claim: signature.tamperedClaim })) : undefined]));
}

/** What the backend would conclude from active claims, in the words of the rule they attest. */
function acceptedText(claims) {
  const sub = String(claims.sub).slice(0, 12) + '…';
  if (claims.year_age_over !== undefined) return t('acceptedYear', { age: claims.year_age_over, sub });
  if (claims.guardian) return t('acceptedGuardian', { age: claims.age_under, sub });
  return t('accepted', { age: claims.age_over, sub });
}

function renderIntrospection() {
  const box = byId('introspection');
  const outcome = view.introspection;
  box.dataset.result = outcome ? outcome.result : 'none';
  if (!outcome) return box.replaceChildren();
  const summary = outcome.result === 'active'
    ? '✓ ' + acceptedText(outcome.body)
    : outcome.result === 'inactive' ? '✗ ' + t('rejected') : t('requestFailed', { message: outcome.message });
  box.replaceChildren(...present([element('p', {}, summary),
    outcome.body ? element('pre', {}, `POST /v1/introspect → ${outcome.status}\n${JSON.stringify(outcome.body, null, 2)}`) : undefined]));
}

function renderReplay() {
  const box = byId('replay-result');
  const outcome = view.replay;
  box.dataset.result = outcome ? outcome.result : 'none';
  box.dataset.code = outcome?.body?.code ?? '';
  if (!outcome) return box.replaceChildren();
  const summary = outcome.result === 'refused' ? '✓ ' + t('replayRefused', { code: outcome.body.code, status: outcome.status })
    : outcome.result === 'accepted' ? '✗ ' + t('replayAccepted', { status: outcome.status })
    : outcome.result === 'no-challenge' ? t('replayNoChallenge') : t('requestFailed', { message: outcome.message });
  box.replaceChildren(...present([element('p', {}, summary),
    outcome.body ? element('pre', {}, `POST /v1/attestations → ${outcome.status}\n${JSON.stringify(outcome.body, null, 2)}`) : undefined]));
}

function renderLog() {
  const list = byId('log');
  if (view.log.length === 0) return list.replaceChildren(element('li', { class: 'muted empty' }, t('logEmpty')));
  list.replaceChildren(...view.log.map((entry) => element('li', { 'data-event': entry.name },
    element('time', {}, entry.time), ' ', element('strong', {}, entry.name), ' ', element('code', {}, entry.detail))));
  list.scrollTop = list.scrollHeight;
}

function logEvent(event) {
  const detail = { ...event.detail };
  // The whole token is shown above; the log keeps its lines short.
  if (detail.token) detail.token = detail.token.slice(0, 16) + '…';
  if (detail.claims) detail.claims = '{…}';
  const time = new Date().toLocaleTimeString('en-GB', { hour12: false }) + '.' + String(Date.now() % 1000).padStart(3, '0');
  view.log = [...view.log, { name: event.type, time, detail: JSON.stringify(detail) }].slice(-LOG_LIMIT);
  renderLog();
}

// ---------------------------------------------------------------------------------------
// Wiring

for (const name of ['iamport-state', 'iamport-verified', 'iamport-error', 'iamport-expired']) tag.addEventListener(name, logEvent);

// A send refused in the form mode (the carrier, a limit) is tried again under a new id, as the tag
// does for the ids it mints: the refused id's codes are counted, and PortOne may hold it as sent.
tag.addEventListener('iamport-error', () => {
  if (tag.mode === 'form' && tag.state === 'form') startNewVerification();
});

tag.addEventListener('iamport-state', (event) => {
  const badge = byId('tag-state');
  badge.textContent = badge.dataset.state = event.detail.state;
  // The form mode's verification id was sent once; its next try (the tag's "Verify again") needs a new one.
  if (event.detail.state === 'error' && tag.mode === 'form') startNewVerification();
  if (event.detail.state !== 'verified' && view.attestation) {
    view.attestation = view.signature = view.replay = undefined;
    renderAll();
  }
});

tag.addEventListener('iamport-verified', (event) => {
  view.attestation = event.detail;
  view.replay = view.introspection = undefined;
  renderAll();
  showSignature(event.detail.token);
});

byId('tamper').addEventListener('click', () => {
  if (!view.attestation) return;
  const copy = tampered(view.attestation.token);
  showSignature(copy.token, copy.claim);
});

// Submitting: a real site would post the form to its backend; the demo shows what that
// backend would do with the token, through the verifier's introspection endpoint.
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = new FormData(form).get('age_token');
  try {
    const { status, body } = await postJson('/v1/introspect', { token, audience: location.origin, [rule.parameter]: rule.age });
    view.introspection = { result: body.active === true ? 'active' : body.active === false ? 'inactive' : 'failed', status, body, message: body.code };
  } catch (error) {
    view.introspection = { result: 'failed', message: error.message };
  }
  renderIntrospection();
});

// The reset event comes before the form resets its fields (and the tag asks for a new challenge).
form.addEventListener('reset', () => {
  startNewVerification();
  view.introspection = undefined;
  renderIntrospection();
});

/** The exchange body's id fields for these claims: V1 imp_uid, or V2 identity_verification_id. */
function verificationIdOf(claims) {
  if (claims?.imp_uid) return { imp_uid: claims.imp_uid };
  if (claims?.identity_verification_id) return { provider: 'portone', identity_verification_id: claims.identity_verification_id };
  return undefined;
}

byId('replay').addEventListener('click', async () => {
  const claims = view.attestation?.claims;
  const verification = verificationIdOf(claims);
  if (!verification) return;
  try {
    const challenge = await replayChallenge;
    if (challenge.expires_at * 1000 <= Date.now() || challenge.merchant_uid !== claims.merchant_uid) {
      view.replay = { result: 'no-challenge' };
    } else {
      // V1 names the merchant_uid; V2's id is the merchant_uid.
      const ids = verification.imp_uid ? { ...verification, merchant_uid: challenge.merchant_uid } : verification;
      // Another request for this verification (its own challenge and a nonce): the very same request
      // as the tag's would be a retry, and would get the same attestation back.
      const { status, body } = await postJson('/v1/attestations', { ...ids, challenge: challenge.challenge, [rule.parameter]: rule.age, nonce: 'replay' });
      view.replay = { result: status >= 400 ? 'refused' : 'accepted', status, body };
    }
  } catch (error) {
    view.replay = { result: 'failed', message: error.message };
  }
  renderReplay();
});

byId('clear-log').addEventListener('click', () => {
  view.log = [];
  renderLog();
});

for (const button of document.querySelectorAll('[data-lang]')) button.addEventListener('click', () => setLanguage(button.dataset.lang));
for (const button of document.querySelectorAll('[data-provider]')) button.addEventListener('click', () => applyProvider(button.dataset.provider));
// The sandbox's PASS app: the person approves the request sent to it (the verification's id is the tag's merchant-uid).
byId('approve-app').addEventListener('click', () => postJson('/sandbox/otp/approve', { identity_verification_id: tag.getAttribute('merchant-uid') }));
for (const button of document.querySelectorAll('[data-rule]')) button.addEventListener('click', () => applyRule(button.dataset.rule));

setLanguage(lang);
