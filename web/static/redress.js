// Redress page behaviour that needs script. Everything important also works without it.
// Idle warning: two minutes before the session times out, show a warning with a button to stay
// signed in; when the time is up, go to the sign-in page (the server has already ended it).
(function () {
  "use strict";
  var WARN_BEFORE = 120;
  function startIdleWarning() {
    var box = document.getElementById("idle-warning");
    if (!box) { return; }
    var deadline = Date.now() + Number(box.getAttribute("data-idle-seconds")) * 1000;
    var countdown = box.querySelector("[data-countdown]");
    var text = document.getElementById("idle-warning-text");
    // The page's language gives the wording; "{n}" stands for the number.
    function say(attribute, fallback, n) {
      var template = (text && text.getAttribute(attribute)) || fallback;
      return template.replace("{n}", String(n));
    }
    function tick() {
      var left = Math.round((deadline - Date.now()) / 1000);
      if (left <= 0) { window.location.reload(); return; }
      if (left <= WARN_BEFORE) {
        if (box.hidden) { box.hidden = false; box.querySelector("button").focus(); }
        countdown.textContent = left > 60
          ? say("data-minutes-text", "{n} minutes", Math.ceil(left / 60))
          : say("data-seconds-text", "{n} seconds", left);
      }
      window.setTimeout(tick, 1000);
    }
    document.body.addEventListener("htmx:afterRequest", function (event) {
      // Any successful request is activity: the server moved the timeout on.
      if (event.detail.successful) {
        deadline = Date.now() + Number(box.getAttribute("data-idle-seconds")) * 1000;
        box.hidden = true;
      }
    });
    tick();
  }
  document.addEventListener("DOMContentLoaded", startIdleWarning);
})();

// "Exit this page" (the GOV.UK pattern, reference/anchors.md §7): the button, its skip link and
// the Shift key pressed three times within 5 seconds blank the screen at once, tell the server
// to end the session (a beacon, so leaving does not wait for it), and replace this page in the
// history with a neutral site, so "Back" does not come back here. Without script the link goes
// through /survivor/exit, which does the same on the server.
(function () {
  "use strict";
  var SHIFT_WINDOW_MS = 5000;
  function setUpExit() {
    var box = document.querySelector("[data-exit-this-page]");
    if (!box) { return; }
    var exitUrl = box.getAttribute("data-exit-url");
    var announce = box.querySelector("[data-exit-announce]");
    var indicator = box.querySelector(".exit-indicator");
    var presses = 0;
    var timer = null;
    var leaving = false;
    function leave(event) {
      if (event) { event.preventDefault(); }
      if (leaving) { return; }
      leaving = true;
      var overlay = document.createElement("div");
      overlay.className = "exit-overlay";
      document.body.appendChild(overlay);
      document.title = "";
      if (announce) { announce.textContent = box.getAttribute("data-exit-leaving"); }
      var sent = false;
      if (navigator.sendBeacon) {
        var token = document.querySelector("input[name=csrf_token]");
        if (token) {
          var data = new FormData();
          data.append("csrf_token", token.value);
          try { sent = navigator.sendBeacon("/survivor/exit", data); } catch (e) { sent = false; }
        }
      }
      // Without a beacon, our own exit URL ends the session before sending the browser on.
      window.location.replace(sent ? exitUrl : "/survivor/exit");
    }
    function resetPresses() {
      presses = 0;
      if (indicator) { indicator.hidden = true; indicator.removeAttribute("data-presses"); }
    }
    box.querySelector(".exit-this-page-button").addEventListener("click", leave);
    var skip = document.querySelector("[data-exit-link]");
    if (skip) { skip.addEventListener("click", leave); }
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") { resetPresses(); return; }
      presses += 1;
      if (indicator) { indicator.hidden = false; indicator.setAttribute("data-presses", String(presses)); }
      window.clearTimeout(timer);
      timer = window.setTimeout(resetPresses, SHIFT_WINDOW_MS);
      if (presses >= 3) { leave(null); return; }
      if (announce) {
        announce.textContent = box.getAttribute(presses === 1 ? "data-exit-pressed-one" : "data-exit-pressed-two");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", setUpExit);
})();

// Uploads: a file over the size limit is caught before it is sent (a phone on a slow or paid
// connection should not send 20 MB to be told it is too big). The server checks again.
(function () {
  "use strict";
  function setUpSizeCheck() {
    var form = document.querySelector("form[data-size-check]");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      var limit = Number(form.getAttribute("data-limit-bytes"));
      if (!input || !input.files || !input.files.length || input.files[0].size <= limit) { return; }
      event.preventDefault();
      var group = input.closest(".form-group");
      var message = document.getElementById("file-error");
      if (!message) {
        message = document.createElement("p");
        message.className = "error-message";
        message.id = "file-error";
        input.parentNode.insertBefore(message, input);
        input.setAttribute("aria-describedby", input.getAttribute("aria-describedby") + " file-error");
      }
      message.textContent = form.getAttribute("data-too-big");
      if (group) { group.classList.add("error"); }
      input.setAttribute("aria-invalid", "true");
      input.focus();
    });
  }
  document.addEventListener("DOMContentLoaded", setUpSizeCheck);
})();
