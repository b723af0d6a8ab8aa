// The MOE's review page (issue 14): amounts shown with thousands separators as typed,
// and the 公文 text copied with one click. No inline script (CSP): loaded from static/.
(function () {
  "use strict";

  function group(text) {
    var digits = String(text).replace(/[,\s]/g, "").replace(/元$/, "");
    if (!/^\d+$/.test(digits)) return text;
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function formatAmounts(root) {
    root.querySelectorAll('input[inputmode="numeric"]').forEach(function (input) {
      input.addEventListener("blur", function () {
        if (input.value) input.value = group(input.value);
      });
    });
  }

  function copyButtons(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy-target"));
        var status = document.getElementById(button.getAttribute("data-copy-status"));
        if (!target) return;
        function done(message) {
          if (status) status.textContent = message;
        }
        var text = target.value || target.textContent;
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(
            function () { done("已複製到剪貼簿"); },
            function () { target.select(); document.execCommand("copy"); done("已複製到剪貼簿"); }
          );
        } else {
          target.select();
          document.execCommand("copy");
          done("已複製到剪貼簿");
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    formatAmounts(document);
    copyButtons(document);
  });
})();
