/* A link to a field or a row (#id_promotion_plan, #edit-line-4): the page opens with the
 * focus on that field, or on the first box of that row, so the officer can type at once.
 * (No inline script: Content-Security-Policy.) */
(function () {
  "use strict";

  function focusTarget() {
    var id = window.location.hash ? decodeURIComponent(window.location.hash.slice(1)) : "";
    var target = id ? document.getElementById(id) : null;
    if (!target) {
      return;
    }
    var box = target.matches("input, textarea, select")
      ? target
      : target.querySelector("input:not([type=hidden]), textarea, select");
    (box || target).focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusTarget);
  } else {
    focusTarget();
  }
  window.addEventListener("hashchange", focusTarget);
})();
