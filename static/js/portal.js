/* The portal's own script (no inline script on any page: Content-Security-Policy).
 *
 * 1. <button data-confirm="..."> asks before its form is sent.
 * 2. The idle-session warning: a minute before the server ends an idle session, the box
 *    #session-timeout appears with a countdown; 「繼續使用」 tells the server the user is here.
 *    Before warning, the page asks the server how long is left (another tab may have been
 *    used meanwhile); when the time is up it reloads, and the server shows the login page.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  function sessionTimeout(box) {
    var warn = parseInt(box.getAttribute("data-warn"), 10) || 60;
    var statusUrl = box.getAttribute("data-status-url");
    var countdown = box.querySelector("[data-countdown]");
    var keepalive = box.querySelector("form");
    var timer = null;
    var ticker = null;

    function schedule(remaining) {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, Math.max(0, remaining - warn) * 1000);
    }

    function hide() {
      box.hidden = true;
      window.clearInterval(ticker);
    }

    function expire() {
      hide();
      window.location.reload();
    }

    function show(remaining) {
      var left = remaining;
      countdown.textContent = String(left);
      box.hidden = false;
      window.clearInterval(ticker);
      ticker = window.setInterval(function () {
        left -= 1;
        countdown.textContent = String(Math.max(0, left));
        if (left <= 0) {
          window.clearInterval(ticker);
          check();
        }
      }, 1000);
      var button = keepalive.querySelector("button");
      if (button) {
        button.focus();
      }
    }

    function check() {
      window
        .fetch(statusUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          return response.ok ? response.json() : { remaining: 0 };
        })
        .catch(function () {
          return { remaining: warn };
        })
        .then(function (data) {
          var remaining = data.remaining || 0;
          if (remaining <= 0) {
            expire();
          } else if (remaining > warn + 2) {
            hide();
            schedule(remaining);
          } else {
            window.clearTimeout(timer);
            show(remaining);
          }
        });
    }

    keepalive.addEventListener("submit", function (event) {
      event.preventDefault();
      window
        .fetch(keepalive.action, {
          method: "POST",
          body: new FormData(keepalive),
          credentials: "same-origin",
          headers: { "X-Requested-With": "fetch" },
        })
        .then(function (response) {
          return response.ok ? response.json() : { remaining: 0 };
        })
        .then(function (data) {
          if (data.remaining > 0) {
            hide();
            schedule(data.remaining);
          } else {
            expire();
          }
        });
    });

    schedule(parseInt(box.getAttribute("data-remaining"), 10) || 0);
  }

  function start() {
    var box = document.getElementById("session-timeout");
    if (box) {
      sessionTimeout(box);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
