/* Never lose work (issue 10). Loaded on every page by portal/_session.html; no inline script (strict CSP).

   1. Session warning: #session-guard[data-remaining] says how many seconds the session has left. Two minutes
      before (data-warn-before) a warning with "Fortsett innlogget" appears; the button POSTs to data-keepalive-url
      (portal.views.keepalive) and the clock starts again. When the time is up, a notice with a login link (back to
      this page) replaces it.
   2. Drafts: what is typed into any POST form is kept in sessionStorage under the user's id and the page, while
      typing. After re-login or an error the page offers it back ("Hent teksten tilbake"). A successful save (the
      next page is another page) clears it. Nothing is kept for a page without a logged-in user.
   3. Logout clears sessionStorage (the logout form's submit), so no health data is left in the browser; so does a
      page shown to another user in this tab.
   4. Focus: after a save, focus moves to the status message ("Lagret ..."); after an invalid submit, to the
      error summary (#form-error), whose links lead to each field.
*/
(function () {
  "use strict";
  var guard = document.getElementById("session-guard");
  if (!guard) return;
  var user = guard.dataset.user || "";
  var PREFIX = "helhet-draft:";
  var PENDING = "helhet-pending:";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  function part(name) { return guard.querySelector('[data-part="' + name + '"]'); }
  function csrf() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  // ---- 3. logout and another user: clear
  function clearAll() { if (store) store.clear(); }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form && form.matches && form.matches("form.logout, form[action$='/logout/']")) clearAll();
  }, true);
  if (store && user) {
    for (var i = store.length - 1; i >= 0; i--) {
      var k = store.key(i);
      if (k && (k.indexOf(PREFIX) === 0 || k.indexOf(PENDING) === 0) && k.split(":")[1] !== user) store.removeItem(k);
    }
  }

  // ---- 4. focus after save / invalid submit
  var errorSummary = document.getElementById("form-error");
  var saved = document.querySelector('main .ds-alert[role="status"][data-color="success"]');
  if (errorSummary) {
    errorSummary.setAttribute("tabindex", "-1");
    errorSummary.focus();
  } else if (saved) {
    saved.setAttribute("tabindex", "-1");
    saved.focus();
  }
  document.addEventListener("click", function (ev) {  // error summary links: focus the field, not just scroll
    var a = ev.target.closest && ev.target.closest("#form-error a[href^='#']");
    if (!a) return;
    var target = document.getElementById(a.getAttribute("href").slice(1));
    if (!target) return;
    ev.preventDefault();
    var field = target.matches("input,textarea,select") ? target : target.querySelector("input,textarea,select");
    (field || target).focus();
  });

  // ---- 2. drafts
  var SKIP = 'input[type=hidden],input[type=password],input[type=submit],input[type=button],input[type=file],[autocomplete=off],[data-no-draft]';
  function draftForms() {
    return Array.prototype.filter.call(document.querySelectorAll("main form[method=post], main form[method=POST]"), function (f) {
      return !f.hasAttribute("data-no-draft") && f.querySelector("textarea, input[type=text], input[type=date], input:not([type])");
    });
  }
  function keyFor(form, index) { return PREFIX + user + ":" + location.pathname + ":" + index; }
  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !el.matches(SKIP) && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.tagName === "INPUT");
    });
  }
  function snapshot(form) {
    var data = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (!data[el.name]) data[el.name] = [];
        if (el.checked) data[el.name].push(el.value);
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }
  function apply(form, data) {
    fieldsOf(form).forEach(function (el) {
      if (!(el.name in data)) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = data[el.name].indexOf(el.value) !== -1;
      else el.value = data[el.name];
    });
  }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  if (store && user) {
    var forms = draftForms();
    var pendingKey = PENDING + user;
    var pending = store.getItem(pendingKey);
    if (pending) {
      store.removeItem(pendingKey);
      // The last submit went from a form page to another page, or came back to the same page with a success message
      // (a form on a detail page that redirects to itself): it was saved, so its draft is done. Back on the same
      // page without one (an error, a conflict) it stays and is offered below when it differs from what the server shows.
      var samePage = pending.split(":").slice(2, -1).join(":") === location.pathname;
      if (!samePage || saved) store.removeItem(pending);
    }
    var offers = [];
    forms.forEach(function (form, index) {
      var key = keyFor(form, index);
      var initial = snapshot(form);
      var kept = store.getItem(key);
      if (kept) {
        try {
          var data = JSON.parse(kept);
          if (!same(data, initial)) offers.push({form: form, key: key, data: data});
          else store.removeItem(key);
        } catch (e) { store.removeItem(key); }
      }
      var save = function () {
        var now = snapshot(form);
        if (same(now, initial)) store.removeItem(key); else store.setItem(key, JSON.stringify(now));
      };
      form.addEventListener("input", save);
      form.addEventListener("change", save);
      form.addEventListener("submit", function () { save(); if (store.getItem(key)) store.setItem(pendingKey, key); });
    });
    if (offers.length) {
      var box = part("draft");
      box.hidden = false;
      part("restore").addEventListener("click", function () {
        offers.forEach(function (o) { apply(o.form, o.data); });
        box.hidden = true;
        var first = offers[0].form.querySelector("textarea, input[type=text]");
        if (first) first.focus();
      });
      part("discard").addEventListener("click", function () {
        offers.forEach(function (o) { store.removeItem(o.key); });
        box.hidden = true;
      });
    }
  }

  // ---- 1. session warning
  var remaining = parseInt(guard.dataset.remaining || "", 10);
  if (!user || isNaN(remaining)) return;
  var warnBefore = parseInt(guard.dataset.warnBefore || "120", 10);
  var deadline = Date.now() + remaining * 1000;
  var warning = part("warning"), expired = part("expired");
  var login = part("login");
  login.href = (guard.dataset.loginUrl || "/login/") + "?next=" + encodeURIComponent(location.pathname + location.search);
  function tick() {
    var left = (deadline - Date.now()) / 1000;
    if (left <= 0) {
      warning.hidden = true;
      if (expired.hidden) { expired.hidden = false; expired.focus(); }
      return;
    }
    if (left <= warnBefore && warning.hidden) {
      warning.hidden = false;
      warning.focus();
    }
    window.setTimeout(tick, Math.min(1000, Math.max(50, left * 1000)));
  }
  part("stay").addEventListener("click", function () {
    var req = new XMLHttpRequest();
    req.open("POST", guard.dataset.keepaliveUrl, true);
    req.setRequestHeader("X-CSRFToken", csrf());
    req.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    req.onload = function () {
      var body = {};
      try { body = JSON.parse(req.responseText); } catch (e) { body = {}; }
      if (req.status === 200 && body.authenticated) {
        deadline = Date.now() + body.remaining * 1000;
        warning.hidden = true;
        part("live").textContent = part("stayed").textContent;
      } else {
        deadline = Date.now();
      }
      tick();
    };
    req.send();
  });
  tick();
})();
