/* Townhall's own script: small, and only an enhancement. Every feature works without it.
   - marks <html> as th-js so JavaScript-only controls can show;
   - after an htmx swap: announces [data-announce] text in the polite live region and
     moves focus to [data-focus-here] when the server asked for it;
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
    var target = find(scope, "[data-focus-here]");
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
