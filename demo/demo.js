// The sandbox demo: what a site does with <iamport-verify>, and what its backend would check.
// Plain browser JavaScript, no build step. index.html runs it before the tag's own script, so
// the tag already has its merchant-uid when it asks the verifier for a challenge.

const TEXT = {
  en: {
    tagline: 'Phone identity verification as a form field, with a signed age attestation.',
    provider: 'Provider', language: 'Language', rule: 'Age rule',
    ruleAge: '19 (age)', ruleYear: '19 (birth year)', ruleGuardian: 'Under 14',
    providerForm: 'V2, no popup',
    formHint: 'Sandbox: mobile 01000000001 (adult) or 01000000002 (minor), any name, birth 900101-1; the code is 000000. For the PASS app, approve here:',
    approveApp: 'Approve in the PASS app',
    sandbox: 'Sandbox',
    sandboxNote: 'No account, no network: the verifier plays Iamport and PortOne V2, and a dialog lets you pick a test person.',
    signupTitle: 'Sign up',
    signupIntro: 'A site\'s sign-up form. The tag is one more field: its value is the attestation.',
    nickname: 'Nickname', nicknamePlaceholder: 'e.g. haneul', ageLabel: 'Age check (19 or older)',
    ageLabelYear: 'Age check (19 or older by birth year)', ageLabelGuardian: 'Age check (under 14: a guardian consents)',
    submit: 'Sign up', startOver: 'Start over', theHtml: 'The HTML of this form',
    tryTitle: 'What to try',
    tryAdultName: 'Adult (34)',
    tryAdult: ' is verified: the token appears with its claims, its signature is checked against the verifier\'s keys, and Sign up shows what your backend would see.',
    tryMinorName: 'Minor (17)',
    tryMinor: ' is refused with age_requirement_not_met: no token, and the form cannot be submitted.',
    tryCancelName: 'Cancel',
    tryRulesName: 'The age rule',
    tryRules: ' switch: Year-age 19 (born 31 December) passes 19 by birth year (the Youth Protection Act) but not 19 in full years; with Under 14, Child (10) is asked for a guardian, and Guardian (45) then verifies.',
    tryCancel: ' (or Esc) ends cleanly: no spinner, an error state and an iamport-error event with code cancelled.',
    tryTamperedName: 'Not certified',
    tryTampered: ' plays a tampered browser: the callback says success, but the verifier asks Iamport itself and refuses with not_certified.',
    tryReplayName: 'Replay',
    tryReplay: ' after verifying, sends the same imp_uid to the verifier again: refused with already_used, every verification counts once.',
    tryPhoneName: 'On a phone',
    tryPhone: ' (or in DevTools\' device mode, with a mobile user agent) the verification redirects instead of opening a window; the page comes back, finishes by itself and removes imp_uid from the address bar.',
    tokenTitle: 'The attestation',
    tokenEmpty: 'Verify to see the token the tag puts in the form.',
    claimsTitle: 'Claims', signatureTitle: 'Signature, checked in this browser',
    tamper: 'Change one letter of the payload and check again',
    checking: 'Checking…',
    signatureValid: 'Valid ES256 signature by key {kid}, published at /.well-known/jwks.json.',
    signatureInvalid: 'Invalid signature: this is not what the verifier signed.',
    signatureNoKey: 'No published key has kid {kid}.',
    signatureFailed: 'Could not check: {message}',
    tamperedNote: 'Checked a copy with one letter of the payload changed ({claim}).',
    backendTitle: 'On submit: what your backend does',
    backendIntro: 'A backend checks the token offline with the verifier\'s keys (iamport-verify/server), or asks the verifier. Here: POST /v1/introspect.',
    accepted: 'Accepted: a valid attestation for this site, age {age} or older. Create the account for sub {sub}.',
    acceptedYear: 'Accepted: a valid attestation for this site, {age} or older by birth year. Create the account for sub {sub}.',
    acceptedGuardian: 'Accepted: a valid attestation for this site, under {age} with an adult guardian. Create the account for sub {sub}.',
    rejected: 'Refused: the verifier says the token is not active.',
    requestFailed: 'The request failed: {message}',
    replayTitle: 'Replay this verification',
    replayIntro: 'Send the same imp_uid to the verifier once more, as an attacker holding an old callback would.',
    replayButton: 'Replay this verification',
    replayRefused: 'Refused, as it should be: {code} (HTTP {status}).',
    replayAccepted: 'The verifier accepted a replay (HTTP {status}). This should never happen.',
    replayNoChallenge: 'The demo\'s own challenge is older than 10 minutes: start over and verify again to try a replay.',
    logTitle: 'Events', clear: 'Clear', logEmpty: 'iamport-* events show up here.',
    footer: 'Served by the verifier (wrangler dev). Keys:',
    claimNotes: {
      iss: 'who signed it', aud: 'the site it is for', sub: 'this person on this site (pseudonym)',
      iat: 'issued', nbf: 'not before', exp: 'expires', jti: 'token id', merchant_uid: 'this verification\'s id',
      age_over: 'checked: at least this old', year_age_over: 'checked: at least this old by birth year',
      age_under: 'younger than this: a guardian consented', guardian: 'the adult who verified too (no family relation claimed)', verified_at: 'when the person verified', provider: 'identity provider',
      imp_uid: 'the provider\'s id (single use)', identity_verification_id: 'the V2 verification\'s id (single use)',
      nonce: 'your value, echoed', foreigner: 'the provider says so',
    },
  },
  ko: {
    tagline: '휴대폰 본인인증을 폼 필드 하나로. 서명된 연령 증명을 돌려줍니다.',
    provider: '인증 제공자', language: '언어', rule: '연령 기준',
    ruleAge: '만 19세', ruleYear: '연 19세', ruleGuardian: '14세 미만',
    providerForm: 'V2, 팝업 없이',
    formHint: '샌드박스: 휴대폰 01000000001(성인) 또는 01000000002(미성년), 이름은 아무거나, 생년월일 900101-1, 인증번호는 000000입니다. PASS 앱은 여기서 승인합니다:',
    approveApp: 'PASS 앱에서 승인',
    sandbox: '샌드박스',
    sandboxNote: '계정도 네트워크도 필요 없습니다. 검증 서버가 아임포트와 PortOne V2 역할을 하고, 대화상자에서 테스트 인물을 고릅니다.',
    signupTitle: '회원가입',
    signupIntro: '사이트의 회원가입 폼입니다. 태그는 필드 하나이고, 그 값이 연령 증명입니다.',
    nickname: '닉네임', nicknamePlaceholder: '예: 하늘', ageLabel: '연령 확인 (만 19세 이상)',
    ageLabelYear: '연령 확인 (연 나이 19세 이상)', ageLabelGuardian: '연령 확인 (만 14세 미만은 보호자 동의)',
    submit: '가입하기', startOver: '처음부터', theHtml: '이 폼의 HTML',
    tryTitle: '해 볼 것',
    tryAdultName: '성인 (34세)',
    tryAdult: '은 인증됩니다. 토큰과 클레임이 나타나고, 서명을 검증 서버의 공개 키로 확인하며, 가입하기를 누르면 백엔드가 보는 결과가 나옵니다.',
    tryMinorName: '미성년자 (17세)',
    tryMinor: '는 age_requirement_not_met으로 거절됩니다. 토큰이 없으니 폼을 제출할 수 없습니다.',
    tryCancelName: '취소',
    tryRulesName: '연령 기준',
    tryRules: ' 전환: 연 나이 19세 (12월 31일생)는 연 나이 19세(청소년보호법)는 통과하지만 만 19세는 통과하지 못합니다. 만 14세 미만을 고르면 어린이 (10세)에게 보호자 인증을 요청하고, 보호자 (45세)가 이어서 인증합니다.',
    tryCancel: ' (또는 Esc)는 깔끔하게 끝납니다. 멈춘 스피너 없이 오류 상태와 code가 cancelled인 iamport-error 이벤트.',
    tryTamperedName: '인증 실패 (기록 있음)',
    tryTampered: '은 조작된 브라우저입니다. 콜백은 성공이라 하지만, 검증 서버가 아임포트에 직접 확인하고 not_certified로 거절합니다.',
    tryReplayName: '재사용',
    tryReplay: ': 인증 후 같은 imp_uid를 다시 보내면 already_used로 거절됩니다. 인증 한 번은 한 번만 쓰입니다.',
    tryPhoneName: '휴대폰에서',
    tryPhone: ' (또는 개발자 도구의 기기 모드, 모바일 user agent) 창 대신 리디렉션으로 인증합니다. 페이지로 돌아와 스스로 마무리하고 주소창에서 imp_uid를 지웁니다.',
    tokenTitle: '연령 증명 (토큰)',
    tokenEmpty: '인증하면 태그가 폼에 넣는 토큰이 여기에 보입니다.',
    claimsTitle: '클레임', signatureTitle: '이 브라우저에서 확인한 서명',
    tamper: '페이로드 한 글자를 바꾸고 다시 확인',
    checking: '확인 중…',
    signatureValid: '유효한 ES256 서명입니다. 키 {kid} (/.well-known/jwks.json에 공개됨).',
    signatureInvalid: '서명이 맞지 않습니다. 검증 서버가 서명한 내용이 아닙니다.',
    signatureNoKey: 'kid {kid}인 공개 키가 없습니다.',
    signatureFailed: '확인하지 못했습니다: {message}',
    tamperedNote: '페이로드 한 글자를 바꾼 사본을 확인했습니다 ({claim}).',
    backendTitle: '제출하면: 백엔드가 하는 일',
    backendIntro: '백엔드는 검증 서버의 공개 키로 토큰을 직접 확인하거나(iamport-verify/server) 검증 서버에 묻습니다. 여기서는 POST /v1/introspect.',
    accepted: '통과: 이 사이트를 위한 유효한 증명, 만 {age}세 이상. sub {sub}로 계정을 만드세요.',
    acceptedYear: '통과: 이 사이트를 위한 유효한 증명, 연 나이 {age}세 이상. sub {sub}로 계정을 만드세요.',
    acceptedGuardian: '통과: 이 사이트를 위한 유효한 증명, 만 {age}세 미만이며 성인 보호자가 인증. sub {sub}로 계정을 만드세요.',
    rejected: '거절: 검증 서버가 토큰이 유효하지 않다고 합니다.',
    requestFailed: '요청 실패: {message}',
    replayTitle: '이 인증 재사용해 보기',
    replayIntro: '오래된 콜백을 가진 공격자처럼, 같은 imp_uid를 검증 서버에 한 번 더 보냅니다.',
    replayButton: '이 인증 재사용해 보기',
    replayRefused: '예상대로 거절되었습니다: {code} (HTTP {status}).',
    replayAccepted: '검증 서버가 재사용을 받아들였습니다 (HTTP {status}). 절대 일어나면 안 되는 일입니다.',
    replayNoChallenge: '데모의 챌린지가 10분이 지났습니다. 처음부터 다시 인증한 뒤 재사용해 보세요.',
    logTitle: '이벤트', clear: '지우기', logEmpty: 'iamport-* 이벤트가 여기에 나타납니다.',
    footer: '검증 서버(wrangler dev)가 제공합니다. 공개 키:',
    claimNotes: {
      iss: '서명한 곳', aud: '대상 사이트', sub: '이 사이트에서의 이 사람 (가명)',
      iat: '발급', nbf: '유효 시작', exp: '만료', jti: '토큰 ID', merchant_uid: '이 인증의 ID',
      age_over: '확인됨: 만 나이 이상', year_age_over: '확인됨: 연 나이 이상',
      age_under: '이 나이 미만: 보호자가 동의함', guardian: '함께 인증한 성인 (가족관계는 확인하지 않음)', verified_at: '본인인증 시각', provider: '인증 제공자',
      imp_uid: '제공자의 ID (한 번만 사용)', identity_verification_id: 'V2 본인인증 ID (한 번만 사용)',
      nonce: '사이트가 준 값', foreigner: '제공자가 알려 준 값',
    },
  },
};

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

const decoder = new TextDecoder();

function base64urlBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

const decodePart = (part) => JSON.parse(decoder.decode(base64urlBytes(part)));

/** Verify a JWS the way any backend can: the key from the JWKS by `kid`, then ECDSA P-256. */
async function checkSignature(token) {
  try {
    const [headerPart, payloadPart, signaturePart] = token.split('.');
    const header = decodePart(headerPart);
    if (header.alg !== 'ES256') return { result: 'invalid' };
    const jwks = await (await fetch('/.well-known/jwks.json')).json();
    const jwk = jwks.keys.find((key) => key.kid === header.kid);
    if (!jwk) return { result: 'no-key', kid: header.kid };
    const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
      { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    // A JWS ES256 signature is r||s (64 bytes), which is what WebCrypto's ECDSA takes.
    const valid = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key,
      base64urlBytes(signaturePart), new TextEncoder().encode(`${headerPart}.${payloadPart}`));
    return { result: valid ? 'valid' : 'invalid', kid: header.kid };
  } catch (error) {
    return { result: 'failed', message: error.message };
  }
}

/** The same token with one claim's value changed by a letter: its signature must fail. */
function tampered(token) {
  const [headerPart, payloadPart, signaturePart] = token.split('.');
  const claims = decodePart(payloadPart);
  const claim = 'sub' in claims ? 'sub' : 'jti';
  const value = String(claims[claim]);
  claims[claim] = (value[0] === 'A' ? 'B' : 'A') + value.slice(1);
  const bytes = new TextEncoder().encode(JSON.stringify(claims));
  const payload = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return { token: `${headerPart}.${payload}.${signaturePart}`, claim };
}

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
