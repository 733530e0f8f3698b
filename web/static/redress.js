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
    function tick() {
      var left = Math.round((deadline - Date.now()) / 1000);
      if (left <= 0) { window.location.reload(); return; }
      if (left <= WARN_BEFORE) {
        if (box.hidden) { box.hidden = false; box.querySelector("button").focus(); }
        countdown.textContent = left > 60 ? Math.ceil(left / 60) + " minutes" : left + " seconds";
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
