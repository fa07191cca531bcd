/* Townhall's own script: small, and only an enhancement. Every feature works without it.
   - marks <html> as th-js so JavaScript-only controls can show;
   - after an htmx swap: announces [data-announce] text in the polite live region, sets the
     page title from [data-page-title], and moves focus to the error summary, to
     [data-focus-here], or to the new page's heading;
   - sends the CSRF token with htmx requests that change something;
   - applies new display settings at once when the settings form saves them;
   - says so plainly when a request fails. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("th-no-js");
  root.classList.add("th-js");

  function announce(text) {
    var region = document.getElementById("th-announcer");
    if (!region || !text) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 100);
  }

  function focusElement(element) {
    if (!element.hasAttribute("tabindex")) { element.setAttribute("tabindex", "-1"); }
    element.focus({ preventScroll: false });
  }

  function find(scope, selector) {
    if (scope.matches && scope.matches(selector)) { return scope; }
    return scope.querySelector ? scope.querySelector(selector) : null;
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var scope = event.detail && event.detail.elt ? event.detail.elt : event.target;
    var message = find(scope, "[data-announce]");
    if (message) { announce(message.getAttribute("data-announce")); }
    var titled = find(scope, "[data-page-title]");
    if (titled) { document.title = titled.getAttribute("data-page-title"); }
    var target = find(scope, ".th-error-summary") || find(scope, "[data-focus-here]");
    if (!target && titled) { target = find(scope, "h1"); }
    if (target) { focusElement(target); }
    keepInView();
  });

  /* A message said next to the control the reader just used (a saved setting) stays on the screen
     with that control, even when the change made the page reflow (larger text). Focus is not moved. */
  function keepInView() {
    var shown = document.querySelector("[data-keep-in-view]");
    if (!shown) { return; }
    shown.removeAttribute("data-keep-in-view");
    shown.scrollIntoView({ block: "nearest" });
    var active = document.activeElement;  // the control wins: the message starts just below it
    if (active && active !== document.body) { active.scrollIntoView({ block: "nearest" }); }
  }

  /* CSRF: every htmx request that changes something carries the page's token (Flask-WTF reads the
     X-CSRFToken header). The token is in a meta tag because the Content Security Policy allows no
     inline script; forms also carry it in a hidden field, so they work without this script. */
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var verb = (event.detail.verb || "get").toLowerCase();
    if (meta && verb !== "get") { event.detail.headers["X-CSRFToken"] = meta.getAttribute("content"); }
  });

  document.addEventListener("th:preferences", function (event) {
    var wanted = (event.detail && event.detail.classes ? event.detail.classes : "").split(" ");
    var kept = root.className.split(/\s+/).filter(function (name) {
      return name && (name.indexOf("th-") !== 0 || name === "th-js");
    });
    root.className = kept.concat(wanted).join(" ");
  });

  function failed() { announce(document.body.getAttribute("data-error-message")); }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:timeout", failed);

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".th-error-summary");
    if (summary) { focusElement(summary); }
  });

  window.townhall = { announce: announce, focusElement: focusElement };
}());
