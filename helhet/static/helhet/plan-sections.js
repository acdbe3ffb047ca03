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
  // 400/409 answers carry the form with its error: swap them in.
  root.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
