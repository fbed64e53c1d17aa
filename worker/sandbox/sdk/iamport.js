/*
 * The sandbox's stand-in for the Iamport (PortOne V1) browser SDK, served at /sandbox/iamport.js.
 * Plain browser JavaScript, no build. It behaves as https://cdn.iamport.kr/v1/iamport.js does for
 * identity verification: `IMP.init(impCode)`, then `IMP.certification(params, callback)` opens
 * a window (here, a dialog listing the sandbox's test persons), and the result comes back
 * through `callback` with the real callback's fields, or, with `popup` off on a mobile device,
 * through a redirect to `m_redirect_url?imp_uid=..&merchant_uid=..&success=true|false`.
 * The certification itself is created at the verifier's sandbox upstream, which it finds from
 * this script's own URL.
 */
(function () {
  'use strict';
  if (window.IMP) return; // Loaded twice: the first copy stays.

  var script = document.currentScript;
  var sandboxBase = new URL('.', script && script.src ? script.src : location.href).href; // .../sandbox/
  var CANCEL_MESSAGE = '사용자가 본인인증을 취소하셨습니다.';
  var TEXT = {
    ko: { title: '샌드박스 본인인증', intro: '테스트 인물을 고르세요. 실제 인증은 이루어지지 않습니다.', cancel: '취소', loading: '불러오는 중…', failed: '테스트 인물을 불러오지 못했습니다.' },
    en: { title: 'Sandbox verification', intro: 'Choose a test person. No real verification takes place.', cancel: 'Cancel', loading: 'Loading…', failed: 'Could not load the test persons.' },
  };
  var impCode = null;
  var styled = false;

  function language() {
    return (document.documentElement.lang || navigator.language || 'ko').toLowerCase().indexOf('ko') === 0 ? 'ko' : 'en';
  }

  // As the real SDK decides: by the device, not the window size.
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

  function redirect(url, fields) {
    var target = new URL(url, location.href);
    target.searchParams.set('imp_uid', fields.imp_uid || '');
    target.searchParams.set('merchant_uid', fields.merchant_uid);
    target.searchParams.set('success', String(fields.success));
    if (!fields.success) {
      if (fields.error_code) target.searchParams.set('error_code', fields.error_code);
      if (fields.error_msg) target.searchParams.set('error_msg', fields.error_msg);
    }
    location.href = target.href;
  }

  function certification(params, callback) {
    params = params || {};
    if (!impCode) throw new Error('IMP.init(impCode) must be called first.');
    var merchantUid = params.merchant_uid || 'mid_' + Date.now();
    var redirects = params.popup !== true && isMobile() && !!params.m_redirect_url;
    var text = TEXT[language()];
    var opener = document.activeElement;
    var finished = false;

    function finish(fields) {
      if (finished) return;
      finished = true;
      overlay.remove();
      document.removeEventListener('keydown', onKey, true);
      if (opener && opener.focus) opener.focus();
      if (redirects) redirect(params.m_redirect_url, fields);
      else if (typeof callback === 'function') callback(fields);
    }
    function cancel() {
      finish({ success: false, imp_uid: null, merchant_uid: merchantUid, pg_provider: params.pg || 'danal', pg_type: 'certification', error_code: 'F1002', error_msg: CANCEL_MESSAGE });
    }
    function onKey(event) {
      if (event.key === 'Escape') {
        event.preventDefault();
        cancel();
      } else if (event.key === 'Tab') {
        // Keep focus inside the dialog, as a modal window would.
        var buttons = dialog.querySelectorAll('button');
        var first = buttons[0], last = buttons[buttons.length - 1];
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      }
    }
    function choose(person) {
      status.textContent = text.loading;
      fetch(sandboxBase + 'certifications', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ person: person, merchant_uid: merchantUid, origin: location.origin }),
      })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(new Error('HTTP ' + response.status)); })
        .then(finish, function () {
          finish({ success: false, imp_uid: null, merchant_uid: merchantUid, pg_provider: 'danal', pg_type: 'certification', error_code: 'F0000', error_msg: '본인인증 요청에 실패하였습니다. (sandbox)' });
        });
    }

    addStyle();
    var overlay = el('div', { class: 'imp-dialog' });
    var dialog = el('div', { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'imp-sandbox-title', 'aria-describedby': 'imp-sandbox-intro' });
    var list = el('ul', {});
    var status = el('p', { role: 'status' }, text.loading);
    var cancelButton = el('button', { type: 'button', class: 'imp-cancel' }, text.cancel);
    cancelButton.addEventListener('click', cancel);
    dialog.append(el('h2', { id: 'imp-sandbox-title' }, text.title), el('p', { id: 'imp-sandbox-intro' }, text.intro), status, list, cancelButton);
    overlay.appendChild(dialog);
    document.body.appendChild(overlay);
    document.addEventListener('keydown', onKey, true);
    cancelButton.focus();

    fetch(sandboxBase + 'persons')
      .then(function (response) { return response.ok ? response.json() : Promise.reject(new Error('HTTP ' + response.status)); })
      .then(function (persons) {
        var lang = language();
        status.textContent = '';
        persons.forEach(function (person) {
          var button = el('button', { type: 'button', 'data-person': person.id }, person.label[lang] || person.id);
          button.addEventListener('click', function () { choose(person.id); });
          var item = el('li', {});
          item.appendChild(button);
          list.appendChild(item);
        });
        var firstPerson = list.querySelector('button');
        if (firstPerson && !finished) firstPerson.focus();
      }, function () {
        status.textContent = text.failed;
      });
  }

  window.IMP = {
    init: function (code) { impCode = code; },
    certification: certification,
  };
})();
