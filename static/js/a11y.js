/* Accessibility and phones (issue 14); no inline script anywhere (Content-Security-Policy).
 *
 * 1. The 「選單」 button: below 768 px the main menu collapses behind it. Without JavaScript the
 *    button stays hidden and the menu stays open (the CSS collapses it only under html.js).
 * 2. Busy states: a form that starts long work (an upload, an import, a document to produce —
 *    multipart forms, forms or buttons with data-busy, and the import/export actions) marks its
 *    button aria-busy and aria-disabled, refuses a second click and says 「處理中…」 until the
 *    next page comes.
 * 3. Tables: each scrolls sideways inside its own box (.table-wrap), so no page is wider than
 *    a phone; a box that scrolls is keyboard-reachable (tabindex, role=region, a name).
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

  // The button stays enabled for the browser (a disabled button would not send its name and
  // value with the form) but is aria-disabled, and a second click or submit is refused.
  function setBusy(button, busy) {
    if (busy) {
      button.setAttribute("data-busy-label", button.textContent);
      button.setAttribute("aria-busy", "true");
      button.setAttribute("aria-disabled", "true");
      button.textContent = "處理中…";
    } else if (button.hasAttribute("data-busy-label")) {
      button.textContent = button.getAttribute("data-busy-label");
      button.removeAttribute("data-busy-label");
      button.removeAttribute("aria-busy");
      button.removeAttribute("aria-disabled");
    }
  }

  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest("button[aria-busy='true']");
      if (button) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );

  // Registered after portal.js's confirmation, so a cancelled confirmation is seen here.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (event.defaultPrevented) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault(); // already sent: once is enough
      return;
    }
    if (!button || !isLongWork(form, button)) {
      return;
    }
    form.setAttribute("aria-busy", "true");
    setBusy(button, true);
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

  // 3. Wide tables scroll inside their own box (.table-wrap), never the page; a box that
  //    scrolls can be reached with the keyboard and is named after its table.
  function tableName(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    // The last heading before the table.
    var headings = document.querySelectorAll("main h1, main h2, main h3, main h4");
    var name = "";
    for (var i = 0; i < headings.length; i += 1) {
      if (headings[i].compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING) {
        name = headings[i].textContent.trim();
      }
    }
    return name || document.title.split("｜")[0];
  }

  function tables() {
    var all = document.querySelectorAll("main table");
    for (var i = 0; i < all.length; i += 1) {
      var table = all[i];
      if (table.closest(".table-wrap, .chart-with-table > div")) {
        continue;
      }
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    }
    scrollables();
  }

  function scrollables() {
    var boxes = document.querySelectorAll("main .table-wrap, main .chart-with-table > div");
    for (var i = 0; i < boxes.length; i += 1) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-box", "");
        if (!box.hasAttribute("role")) {
          box.setAttribute("role", "region");
          var table = box.querySelector("table");
          box.setAttribute("aria-label", (table ? tableName(table) : document.title.split("｜")[0]) + "（可左右捲動）");
        }
      } else if (!scrolls && box.hasAttribute("data-scroll-box")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-box");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(scrollables, 150);
  });
  document.addEventListener("htmx:afterSwap", function () {
    tables();
  });

  function start() {
    menu();
    tables();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
