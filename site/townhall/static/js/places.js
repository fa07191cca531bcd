/* "Use my location" on the places pages: only where the browser can share a location.
   The button fills hidden latitude/longitude fields and sends the same form, so the
   server answers exactly as for a postcode (and htmx, if present, swaps the answer). */
(function () {
  "use strict";
  if (!("geolocation" in navigator) || !window.fetch) { return; }

  function reveal(scope) {
    var holders = (scope || document).querySelectorAll(".th-places-locate");
    for (var i = 0; i < holders.length; i += 1) { holders[i].hidden = false; }
  }

  function field(form, name, value) {
    var input = form.querySelector("input[type=hidden][name=" + name + "]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function say(text) {
    if (window.townhall && window.townhall.announce) { window.townhall.announce(text); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-use-location]") : null;
    if (!button) { return; }
    var form = button.closest("form");
    button.disabled = true;
    say(button.getAttribute("data-finding"));
    navigator.geolocation.getCurrentPosition(function (position) {
      button.disabled = false;
      field(form, "lat", position.coords.latitude.toFixed(6));
      field(form, "lon", position.coords.longitude.toFixed(6));
      var postcode = form.querySelector("input[name=postcode]");
      if (postcode) { postcode.value = ""; }
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }, function () {
      button.disabled = false;
      say(button.getAttribute("data-failed"));
      var postcode = form.querySelector("input[name=postcode]");
      if (postcode) { postcode.focus(); }
    }, { timeout: 15000, maximumAge: 60000 });
  });

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function (event) { reveal(event.target); });
}());
