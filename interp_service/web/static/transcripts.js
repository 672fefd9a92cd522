// Transcript pages: follow each processing job (Server-Sent Events, or polling the job
// where the stream is not available) to show its percentage, the time left and, when it
// fails, the reason with the retry form; and copy a machine suggestion into the
// translation field only when the person asks for it (「采用建议」).
(function () {
  "use strict";
  var TRANSCRIPT_STATE = {
    queued: "queued",
    running: "processing",
    succeeded: "ready",
    failed: "failed",
    cancelled: "cancelled"
  };
  var FINAL = { succeeded: true, failed: true, cancelled: true };
  var POLL_MS = 1000;
  var MAX_STREAMS = 3;

  function part(widget, role) {
    return widget.querySelector("[data-role=" + role + "]");
  }

  function etaText(seconds) {
    if (seconds === null || seconds === undefined) { return ""; }
    var s = Math.max(0, Math.round(seconds));
    if (s < 60) { return "预计还需 " + s + " 秒"; }
    return "预计还需 " + Math.floor(s / 60) + " 分 " + (s % 60) + " 秒";
  }

  function percentText(p) {
    return (p >= 100 ? "100" : p.toFixed(1)) + " %";
  }

  // `job`: an event of /api/v1/jobs/{id}/events or the job itself from /api/v1/jobs/{id}.
  function show(widget, labels, job) {
    var percentage = typeof job.percentage === "number" ? job.percentage
      : Math.round((job.fraction || 0) * 1000) / 10;
    var state = TRANSCRIPT_STATE[job.state] || job.state;
    var bar = part(widget, "bar");
    if (bar) { bar.value = percentage; }
    if (part(widget, "percent")) { part(widget, "percent").textContent = percentText(percentage); }
    if (part(widget, "eta")) { part(widget, "eta").textContent = etaText(job.eta_s); }
    if (part(widget, "message")) { part(widget, "message").textContent = job.message || ""; }
    part(widget, "state").textContent = labels[state] || state;
    var failed = job.state === "failed" || job.state === "cancelled";
    var error = part(widget, "error");
    error.querySelector("[data-testid=job-error]").textContent =
      failed ? (job.error || labels[state] || "") : "";
    error.hidden = !failed;
    if (part(widget, "retry")) { part(widget, "retry").hidden = !failed; }
    if (part(widget, "cancel") && FINAL[job.state]) { part(widget, "cancel").hidden = true; }
    if (job.state === "succeeded" && widget.hasAttribute("data-reload-when-done")) {
      window.location.reload();
    }
  }

  function poll(widget, labels) {
    fetch(widget.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job) { show(widget, labels, job); }
        if (!job || !FINAL[job.state]) { window.setTimeout(function () { poll(widget, labels); }, POLL_MS); }
      })
      .catch(function () { window.setTimeout(function () { poll(widget, labels); }, POLL_MS); });
  }

  function follow(widget, index) {
    var labels = JSON.parse(widget.getAttribute("data-labels") || "{}");
    // A browser keeps few connections per server open: streams for the first jobs only.
    if (!window.EventSource || index >= MAX_STREAMS) { poll(widget, labels); return; }
    var finished = false;
    var source = new EventSource(widget.getAttribute("data-events-url"));
    source.addEventListener("job", function (event) {
      var job = JSON.parse(event.data);
      if (FINAL[job.state]) { finished = true; source.close(); }
      show(widget, labels, job);
    });
    source.onerror = function () {
      // The stream broke before the job finished: poll the job instead of reconnecting.
      source.close();
      if (!finished) { poll(widget, labels); }
    };
  }

  document.querySelectorAll(".job-progress[data-events-url]").forEach(follow);

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-adopt]") : null;
    if (!button) { return; }
    var id = button.getAttribute("data-adopt");
    var suggestion = document.getElementById("suggestion-" + id);
    var field = document.getElementById("translation-" + id);
    if (suggestion && field) {
      field.value = suggestion.textContent;
      field.focus();
    }
  });
})();
