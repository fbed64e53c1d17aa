/*
 * The sandbox's stand-in for PortOne's two browser SDKs, served at /sandbox/iamport.js and
 * /sandbox/portone.js (the build copies this one file to both names). Plain browser JavaScript,
 * no build. Both SDKs open the same window here: a dialog listing the sandbox's test persons,
 * so the dialog is written once and each SDK only says what a choice or a cancel answers.
 * - V1, as https://cdn.iamport.kr/v1/iamport.js: `IMP.init(impCode)`, then
 *   `IMP.certification(params, callback)`; the result comes back through `callback` with the real
 *   callback's fields, or, with `popup` off on a mobile device, through a redirect to
 *   `m_redirect_url?imp_uid=..&merchant_uid=..&success=true|false`.
 * - V2, as https://cdn.portone.io/v2/browser-sdk.js: `PortOne.requestIdentityVerification(request)`
 *   resolves to `{ transactionType, identityVerificationId, identityVerificationTxId, code?, message? }`,
 *   or, when the window type is REDIRECTION (a phone's default), sends the page to
 *   `redirectUrl?identityVerificationId=..` (plus `code` and `message` on failure) and resolves to
 *   undefined. A cancel is recorded too: the verification stays READY, as at PortOne.
 * The verifications themselves are made at the verifier's sandbox upstream, which it finds from
 * this script's own URL. Each global is defined once, whichever name loaded it first.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var sandboxBase = new URL('.', script && script.src ? script.src : location.href).href; // .../sandbox/
  var TEXT = {
    ko: { title: '샌드박스 본인인증', intro: '테스트 인물을 고르세요. 실제 인증은 이루어지지 않습니다.', cancel: '취소', loading: '불러오는 중…', failed: '테스트 인물을 불러오지 못했습니다.' },
    en: { title: 'Sandbox verification', intro: 'Choose a test person. No real verification takes place.', cancel: 'Cancel', loading: 'Loading…', failed: 'Could not load the test persons.' },
  };
  var styled = false;

  function language() {
    return (document.documentElement.lang || navigator.language || 'ko').toLowerCase().indexOf('ko') === 0 ? 'ko' : 'en';
  }

  // As the real SDKs decide: by the device, not the window size.
  function isMobile() {
    return /Mobi|Android|iPhone|iPad|iPod/i.test(navigator.userAgent);
  }

  function addStyle() {
    if (styled) return;
    styled = true;
    var style = document.createElement('style');
    style.textContent =
      '.imp-dialog{position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:rgba(0,0,0,.45);font:16px/1.4 system-ui,sans-serif}' +
      '.imp-dialog [role=dialog]{background:#fff;color:#1d2433;border-radius:12px;padding:20px;width:min(340px,calc(100vw - 32px));max-height:calc(100vh - 32px);overflow:auto;box-shadow:0 10px 40px rgba(0,0,0,.3)}' +
      '.imp-dialog h2{margin:0 0 4px;font-size:18px}.imp-dialog p{margin:0 0 12px;font-size:14px;color:#4a5365}' +
      '.imp-dialog ul{list-style:none;margin:0 0 12px;padding:0;display:grid;gap:6px}' +
      '.imp-dialog button{width:100%;font:inherit;padding:10px 12px;border-radius:8px;border:1px solid #c9ced8;background:#f5f7fb;color:#1d2433;text-align:left;cursor:pointer}' +
      '.imp-dialog button:hover{background:#e8edf8}.imp-dialog button:focus-visible{outline:3px solid #1f4fd1;outline-offset:2px}' +
      '.imp-dialog .imp-cancel{text-align:center;background:#fff}';
    document.head.appendChild(style);
  }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    for (var name in attributes) node.setAttribute(name, attributes[name]);
    if (text) node.textContent = text;
    return node;
  }

  function postJson(path, body) {
    return fetch(sandboxBase + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(new Error('HTTP ' + response.status)); });
  }

  function navigate(url, params) {
    var target = new URL(url, location.href);
    for (var name in params) if (params[name] !== undefined && params[name] !== null) target.searchParams.set(name, String(params[name]));
    location.href = target.href;
  }

  /**
   * The PG window: a modal dialog of test persons. `choose(personId)` and `cancel()` return the
   * SDK's answer (or a promise of it); `done(answer)` runs once, after the dialog is gone.
   */
  function openPersonDialog(choose, cancel, done) {
    var text = TEXT[language()];
    var opener = document.activeElement;
    var busy = false;

    function answerWith(make) {
      if (busy) return;
      busy = true;
      status.textContent = text.loading;
      Promise.resolve().then(make).then(function (answer) {
        overlay.remove();
        document.removeEventListener('keydown', onKey, true);
        if (opener && opener.focus) opener.focus();
        done(answer);
      });
    }
    function onKey(event) {
      if (event.key === 'Escape') {
        event.preventDefault();
        answerWith(cancel);
      } else if (event.key === 'Tab') {
        // Keep focus inside the dialog, as a modal window would.
        var buttons = dialog.querySelectorAll('button');
        var first = buttons[0], last = buttons[buttons.length - 1];
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      }
    }

    addStyle();
    var overlay = el('div', { class: 'imp-dialog' });
    var dialog = el('div', { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'imp-sandbox-title', 'aria-describedby': 'imp-sandbox-intro' });
    var list = el('ul', {});
    var status = el('p', { role: 'status' }, text.loading);
    var cancelButton = el('button', { type: 'button', class: 'imp-cancel' }, text.cancel);
    cancelButton.addEventListener('click', function () { answerWith(cancel); });
    dialog.append(el('h2', { id: 'imp-sandbox-title' }, text.title), el('p', { id: 'imp-sandbox-intro' }, text.intro), status, list, cancelButton);
    overlay.appendChild(dialog);
    document.body.appendChild(overlay);
    document.addEventListener('keydown', onKey, true);
    cancelButton.focus();

    fetch(sandboxBase + 'persons')
      .then(function (response) { return response.ok ? response.json() : Promise.reject(new Error('HTTP ' + response.status)); })
      .then(function (persons) {
        var lang = language();
        if (!busy) status.textContent = '';
        persons.forEach(function (person) {
          var button = el('button', { type: 'button', 'data-person': person.id }, person.label[lang] || person.id);
          button.addEventListener('click', function () { answerWith(function () { return choose(person.id); }); });
          var item = el('li', {});
          item.appendChild(button);
          list.appendChild(item);
        });
        var firstPerson = list.querySelector('button');
        if (firstPerson && !busy) firstPerson.focus();
      }, function () {
        status.textContent = text.failed;
      });
  }

  // V1 ------------------------------------------------------------------------------------

  var CANCEL_MESSAGE = '사용자가 본인인증을 취소하셨습니다.';
  var impCode = null;

  function certification(params, callback) {
    params = params || {};
    if (!impCode) throw new Error('IMP.init(impCode) must be called first.');
    var merchantUid = params.merchant_uid || 'mid_' + Date.now();
    var redirects = params.popup !== true && isMobile() && !!params.m_redirect_url;
    function failure(code, message) {
      return { success: false, imp_uid: null, merchant_uid: merchantUid, pg_provider: params.pg || 'danal', pg_type: 'certification', error_code: code, error_msg: message };
    }
    openPersonDialog(
      function (person) {
        return postJson('certifications', { person: person, merchant_uid: merchantUid, origin: location.href })
          .catch(function () { return failure('F0000', '본인인증 요청에 실패하였습니다. (sandbox)'); });
      },
      function () { return failure('F1002', CANCEL_MESSAGE); },
      function (fields) {
        if (redirects) {
          navigate(params.m_redirect_url, fields.success
            ? { imp_uid: fields.imp_uid || '', merchant_uid: fields.merchant_uid, success: true }
            : { imp_uid: fields.imp_uid || '', merchant_uid: fields.merchant_uid, success: false, error_code: fields.error_code, error_msg: fields.error_msg });
        } else if (typeof callback === 'function') {
          callback(fields);
        }
      });
  }

  if (!window.IMP) {
    window.IMP = {
      init: function (code) { impCode = code; },
      certification: certification,
    };
  }

  // V2 ------------------------------------------------------------------------------------

  function requestIdentityVerification(request) {
    request = request || {};
    var id = request.identityVerificationId;
    if (!request.storeId || !id || !request.channelKey) {
      return Promise.reject(new Error('storeId, identityVerificationId and channelKey are required.'));
    }
    // A phone redirects unless told otherwise (Danal's default); a PC only when asked to.
    var windowType = (request.windowType || {})[isMobile() ? 'mobile' : 'pc'] || (isMobile() ? 'REDIRECTION' : 'POPUP');
    var redirects = windowType === 'REDIRECTION';
    if (redirects && !request.redirectUrl) return Promise.reject(new Error('redirectUrl is required for REDIRECTION.'));
    function verify(person) {
      return postJson('certifications', { provider: 'portone', person: person, identity_verification_id: id })
        .catch(function () {
          return { transactionType: 'IDENTITY_VERIFICATION', identityVerificationId: id, identityVerificationTxId: '', code: 'IDENTITY_VERIFICATION_FAILED', message: '본인인증 요청에 실패하였습니다. (sandbox)' };
        });
    }
    return new Promise(function (resolve) {
      openPersonDialog(verify, function () { return verify('cancel'); }, function (response) {
        if (!redirects) return resolve(response);
        navigate(request.redirectUrl, { identityVerificationId: id, code: response.code, message: response.message });
        resolve(undefined);
      });
    });
  }

  if (!window.PortOne) window.PortOne = { requestIdentityVerification: requestIdentityVerification };
})();
