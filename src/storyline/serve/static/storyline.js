// storyline: optional progressive enhancement. Every page works without this file.
// When a link points at a highlighted piece of evidence (#evidence-...), open the <details> around it
// and move keyboard focus there, so that screen readers and keyboard users land on the sentence.
(function () {
  "use strict";
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target) return;
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    if (target.tagName === "MARK") {
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: false });
    }
  }
  window.addEventListener("hashchange", reveal);
  document.addEventListener("DOMContentLoaded", reveal);
})();
