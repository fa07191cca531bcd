/* Speech mode, enhanced. Without this script every player is a plain <audio controls> and still works.
   - Play/Pause button; only one player plays at a time;
   - follows the WebVTT sentence cues to highlight the sentence being read (CSS Custom Highlight API,
     or the sentence's block where the browser lacks it) and shows it under the player;
   - keeps the place (and playing or not) when the reader changes speed;
   - says "Preparing the audio…" while a player loads. Nothing ever starts playing by itself. */
(function () {
  "use strict";
  var NAME = "th-speech";
  var canHighlight = typeof CSS !== "undefined" && CSS.highlights && typeof Highlight === "function";
  var SKIP = '[data-speech="skip"],[hidden],[aria-hidden="true"],script,style,noscript,template,nav,footer,form';
  var BLOCKS = "p,li,dt,dd,td,th,h1,h2,h3,h4,h5,h6,caption,address,figcaption,blockquote";
  var places = {};  /* slot id -> {ratio, playing}: where a player was when its speed changed */
  var marked = null;

  function announce(text) { if (window.townhall && text) { window.townhall.announce(text); } }
  function reduceMotion() { return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches; }

  /* Every non-space character of <main> that is read aloud, with where it came from, so a cue's
     text can be found whatever the spacing and line breaks around it. */
  function textIndex() {
    var main = document.getElementById("main-content") || document.body;
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    var chars = [], where = [], node, i, text;
    while ((node = walker.nextNode())) {
      if (node.parentElement && node.parentElement.closest(SKIP)) { continue; }
      text = node.nodeValue;
      for (i = 0; i < text.length; i += 1) {
        if (!/\s/.test(text.charAt(i))) { chars.push(text.charAt(i)); where.push([node, i]); }
      }
    }
    return { chars: chars.join(""), where: where };
  }

  function startOf(index, id) {
    var start = id ? document.getElementById(id) : null, i;
    if (!start) { return 0; }
    for (i = 0; i < index.where.length; i += 1) {
      if (start.contains(index.where[i][0]) || (start.compareDocumentPosition(index.where[i][0]) & Node.DOCUMENT_POSITION_FOLLOWING)) { return i; }
    }
    return 0;
  }

  function clearHighlight() {
    if (canHighlight) { CSS.highlights.delete(NAME); }
    if (marked) { marked.classList.remove("th-speech-reading"); marked = null; }
  }

  function highlight(state, text, playing) {
    var needle = text.replace(/\s+/g, ""), at, first, last, range, block, box;
    clearHighlight();
    if (!needle) { return; }
    at = state.index.chars.indexOf(needle, state.next);
    if (at < 0) { at = state.index.chars.indexOf(needle, state.start); }
    if (at < 0) { return; }
    state.next = at + needle.length;
    first = state.index.where[at];
    last = state.index.where[at + needle.length - 1];
    range = document.createRange();
    range.setStart(first[0], first[1]);
    range.setEnd(last[0], last[1] + 1);
    block = first[0].parentElement ? first[0].parentElement.closest(BLOCKS) : null;
    if (canHighlight) { CSS.highlights.set(NAME, new Highlight(range)); }
    else if (block) { block.classList.add("th-speech-reading"); marked = block; }
    if (!playing) { return; }
    box = range.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      (block || first[0].parentElement).scrollIntoView({ block: "center", behavior: reduceMotion() ? "auto" : "smooth" });
    }
  }

  function label(button, which) {
    if (button) { button.textContent = button.getAttribute("data-label-" + which); }
  }

  function setUp(player) {
    var audio = player.querySelector("[data-speech-audio]"), button = player.querySelector("[data-speech-toggle]");
    var now = player.querySelector("[data-speech-now]"), nowText = player.querySelector("[data-speech-now-text]");
    var slot = player.closest(".th-speech-slot"), state = { index: null, start: 0, next: 0 }, track, place;
    if (!audio || player.hasAttribute("data-speech-ready")) { return; }
    player.setAttribute("data-speech-ready", "");
    track = audio.textTracks && audio.textTracks.length ? audio.textTracks[0] : null;
    if (track) {
      track.mode = "hidden";
      track.addEventListener("cuechange", function () {
        var cue = track.activeCues && track.activeCues.length ? track.activeCues[0] : null, text;
        if (!cue) { return; }
        text = cue.getCueAsHTML ? cue.getCueAsHTML().textContent : cue.text;
        if (!state.index) { state.index = textIndex(); state.start = startOf(state.index, player.getAttribute("data-speech-start")); state.next = state.start; }
        highlight(state, text, !audio.paused);
        if (now && nowText) { nowText.textContent = text; now.hidden = false; }
      });
    }
    if (button) {
      button.addEventListener("click", function () {
        if (audio.paused) { audio.play().catch(function () {}); } else { audio.pause(); }
      });
    }
    audio.addEventListener("play", function () {
      Array.prototype.forEach.call(document.querySelectorAll("[data-speech-audio]"), function (other) {
        if (other !== audio && !other.paused) { other.pause(); }
      });
      state.index = null;  /* the page may have changed since: find sentences afresh */
      label(button, "pause");
    });
    audio.addEventListener("pause", function () { label(button, audio.ended || audio.currentTime === 0 ? "play" : "resume"); });
    audio.addEventListener("ended", function () { clearHighlight(); label(button, "play"); });
    place = slot ? places[slot.id] : null;
    if (place) {
      delete places[slot.id];
      audio.addEventListener("loadedmetadata", function () {
        if (isFinite(audio.duration)) { audio.currentTime = place.ratio * audio.duration; }
        if (place.playing) { audio.play().catch(function () {}); }
      }, { once: true });
      audio.load();
    }
  }

  function setUpAll(scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll("[data-speech-player]"), setUp);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt, slot, audio;
    if (!source || !source.closest) { return; }
    if (source.hasAttribute("data-speech-speed")) {
      slot = source.closest(".th-speech-slot");
      audio = slot ? slot.querySelector("[data-speech-audio]") : null;
      if (slot && audio) {
        places[slot.id] = { ratio: isFinite(audio.duration) && audio.duration ? audio.currentTime / audio.duration : 0, playing: !audio.paused };
        audio.pause();
        clearHighlight();
      }
    }
    if (source.closest(".th-speech-bar, .th-speech-section, .th-player")) { announce(source.getAttribute("data-speech-loading")); }
  });
  document.addEventListener("htmx:afterSettle", function (event) { setUpAll(event.detail && event.detail.elt ? event.detail.elt : document); });
  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
}());
