// In-place editing on the plan page (plans/plan_detail.html), as a file rather than hx-on attributes:
// the Content-Security-Policy (helhet.accounts.middleware) allows no inline or eval'd script.
(function () {
  var root = document.getElementById("plan-sections");
  if (!root) return;
  // A save announces the new working version (HX-Trigger "plan-version", plans.views._version_trigger):
  // open forms in other sections based on the version just saved move along, so they are not refused as stale.
  root.addEventListener("plan-version", function (event) {
    var d = event.detail;
    root.querySelectorAll("input[name=based_on_version]").forEach(function (input) {
      if (input.value === String(d.from)) input.value = String(d.to);
    });
  });
  // New content in place (htmx:load fires on it): never leave focus on <body>. A section swapped in after a save
  // focuses its "Lagret" status message (data-saved, plans.views._run), a section loaded on demand or after "Avbryt"
  // its heading; a form its error message when it came back with one (400/409), else its first field.
  root.addEventListener("htmx:load", function (event) {
    var el = event.target, target = null;
    if (!el.matches) return;
    if (el.matches(".plan-section")) target = el.querySelector("[data-saved]") || el.querySelector("h2");
    else if (el.matches("form.plan-form")) target = el.querySelector("[role=alert]") || el.querySelector("input:not([type=hidden]), textarea, select, button");
    if (!target) return;
    if (!target.matches("input, textarea, select, button")) target.setAttribute("tabindex", "-1");
    target.focus();
  });
  // A link to a collapsed section from elsewhere (a meeting's "tiltak i planen": #sec-measures) opens it on arrival.
  // On "load", after htmx has processed the page; the link is the section's own "Vis ..." (plans/_section_collapsed.html).
  window.addEventListener("load", function () {
    var link = /^#sec-\w+$/.test(location.hash) && root.querySelector(".plan-section.collapsed" + location.hash + " a[hx-get]");
    if (link) link.click();
  });
  // 400/409 answers carry the form with its error: swap them in.
  root.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
