/* Accessibility and phones (issue 14); no inline script anywhere (Content-Security-Policy).
 *
 * 1. The 「選單」 button: below 768 px the main menu collapses behind it. Without JavaScript the
 *    button stays hidden and the menu stays open (the CSS collapses it only under html.js).
 * 2. Busy states: a form that starts long work (an upload, an import, a document to produce —
 *    multipart forms, forms or buttons with data-busy, and the import/export actions) marks its
 *    button aria-busy, disables it and says 「處理中…」 until the next page comes.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function menu() {
    var button = document.querySelector(".nav-toggle");
    if (!button) {
      return;
    }
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) {
      return;
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
      if (open) {
        var first = nav.querySelector("a");
        if (first) {
          first.focus();
        }
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        nav.classList.remove("open");
        button.focus();
      }
    });
  }

  var LONG_WORK = /\/exports\/request\/|\/import\/|\/render\//;

  function isLongWork(form, button) {
    if ((button && button.hasAttribute("data-busy")) || form.hasAttribute("data-busy")) {
      return true;
    }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") {
      return false;
    }
    if ((form.getAttribute("enctype") || "").toLowerCase() === "multipart/form-data") {
      return true;
    }
    return LONG_WORK.test(form.getAttribute("action") || "") && !/discard|cancel/.test(form.getAttribute("action"));
  }

  function setBusy(button, busy) {
    if (busy) {
      button.setAttribute("data-busy-label", button.textContent);
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
      button.textContent = "處理中…";
    } else if (button.hasAttribute("data-busy-label")) {
      button.textContent = button.getAttribute("data-busy-label");
      button.removeAttribute("data-busy-label");
      button.removeAttribute("aria-busy");
      button.disabled = false;
    }
  }

  // Registered after portal.js's confirmation, so a cancelled confirmation is seen here.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (event.defaultPrevented || !button || !isLongWork(form, button)) {
      return;
    }
    form.setAttribute("aria-busy", "true");
    // After the browser has collected the form (a disabled button would not send its value).
    window.setTimeout(function () {
      setBusy(button, true);
    }, 0);
    // A download does not leave the page: give the button back after a while.
    window.setTimeout(function () {
      form.removeAttribute("aria-busy");
      setBusy(button, false);
    }, 20000);
  });

  // Back to a page from the browser's cache: no button stays busy.
  window.addEventListener("pageshow", function () {
    var busy = document.querySelectorAll("[data-busy-label]");
    for (var i = 0; i < busy.length; i += 1) {
      setBusy(busy[i], false);
    }
    var forms = document.querySelectorAll("form[aria-busy]");
    for (var j = 0; j < forms.length; j += 1) {
      forms[j].removeAttribute("aria-busy");
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", menu);
  } else {
    menu();
  }
})();
