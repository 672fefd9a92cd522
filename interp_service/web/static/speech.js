// Recording pages: poll the progress of recordings still being processed and reload the
// page once one has finished, so its segments appear.
(function () {
  "use strict";
  var bars = document.querySelectorAll("progress[data-status-url]");
  if (!bars.length) return;
  function poll() {
    var pending = Array.prototype.map.call(bars, function (bar) {
      return fetch(bar.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (status) {
          bar.value = status.progress;
          return status.state === "queued" || status.state === "processing";
        })
        .catch(function () { return true; });
    });
    Promise.all(pending).then(function (running) {
      if (running.indexOf(true) === -1) {
        window.location.reload();
      } else {
        window.setTimeout(poll, 1000);
      }
    });
  }
  window.setTimeout(poll, 500);
})();
