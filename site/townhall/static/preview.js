// Preview only: reload the page when the content changes, so an editor sees each save at once.
// Without JavaScript the preview still works: reload the page by hand.
(function () {
  "use strict";
  var notice = document.querySelector("[data-preview-version-url]");
  if (!notice || !window.fetch) { return; }
  var url = notice.getAttribute("data-preview-version-url");
  var seen = null;
  function check() {
    fetch(url, { cache: "no-store" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer) { return; }
      if (seen !== null && answer.version !== seen) { window.location.reload(); return; }
      seen = answer.version;
    }).catch(function () { /* the preview server may be restarting: try again later */ });
  }
  check();
  window.setInterval(check, 1500);
})();
