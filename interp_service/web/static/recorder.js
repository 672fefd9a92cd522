// Recording in the browser. A form marked `data-recorder` (with a file input named "file")
// gets 录音 and 停止 buttons: the microphone's recording (MediaRecorder; WebM/Opus in
// Chromium) is previewed and put into the file input, so the form uploads it like a chosen
// file ("recording.webm"). `data-max-seconds` stops a recording at the server's limit.
// Without JavaScript, a microphone or a secure connection the plain file input still works.
"use strict";

(function () {
  var TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];

  function supported() {
    return Boolean(window.isSecureContext && navigator.mediaDevices &&
      navigator.mediaDevices.getUserMedia && window.MediaRecorder && window.DataTransfer);
  }

  function chosenType() {
    for (var i = 0; i < TYPES.length; i++) {
      if (window.MediaRecorder.isTypeSupported(TYPES[i])) { return TYPES[i]; }
    }
    return "";
  }

  function extensionOf(mime) {
    if (mime.indexOf("ogg") >= 0) { return "ogg"; }
    if (mime.indexOf("mp4") >= 0) { return "m4a"; }
    return "webm";
  }

  function clock(seconds) {
    var whole = Math.floor(seconds);
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function button(text, testid) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("data-testid", testid);
    return b;
  }

  function enhance(form) {
    var input = form.querySelector("input[type=file][name=file]");
    if (!input) { return; }
    var max = parseInt(form.getAttribute("data-max-seconds"), 10) || 60;
    var box = document.createElement("div");
    box.className = "recorder";
    var start = button("录音", "record-start");
    var stop = button("停止", "record-stop");
    stop.disabled = true;
    var status = document.createElement("span");
    status.className = "muted";
    status.setAttribute("role", "status");
    status.setAttribute("data-testid", "record-status");
    var preview = document.createElement("audio");
    preview.controls = true;
    preview.hidden = true;
    preview.setAttribute("data-testid", "record-preview");
    box.appendChild(start);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(stop);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(status);
    box.appendChild(preview);
    var anchor = input.closest("label") || input;
    anchor.parentNode.insertBefore(box, anchor.nextSibling);

    var recorder = null;
    var stream = null;
    var chunks = [];
    var timer = null;
    var startedAt = 0;
    var seconds = 0;
    var previewUrl = null;

    function say(text, isError) {
      status.textContent = text;
      status.className = isError ? "field-error" : "muted";
    }

    function release() {
      if (timer !== null) { window.clearInterval(timer); timer = null; }
      if (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        stream = null;
      }
    }

    function halt() {
      if (recorder && recorder.state !== "inactive") { recorder.stop(); }
      release();
    }

    function tick() {
      seconds = (Date.now() - startedAt) / 1000;
      say("录音中 " + clock(seconds) + " / " + clock(max), false);
      if (seconds >= max) { halt(); }
    }

    function finish() {
      var mime = (recorder && recorder.mimeType) || (chunks[0] && chunks[0].type) || "audio/webm";
      recorder = null;
      start.disabled = false;
      stop.disabled = true;
      if (!chunks.length) {
        say("没有录到声音，请重试。", true);
        return;
      }
      var blob = new Blob(chunks, { type: mime });
      var file = new File([blob], "recording." + extensionOf(mime), { type: mime.split(";")[0] });
      var transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      if (previewUrl) { URL.revokeObjectURL(previewUrl); }
      previewUrl = URL.createObjectURL(blob);
      preview.src = previewUrl;
      preview.hidden = false;
      start.textContent = "重新录音";
      say("已录音 " + clock(seconds) + "，试听无误后提交上传。", false);
    }

    start.addEventListener("click", function () {
      say("正在打开麦克风…", false);
      start.disabled = true;
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (opened) {
        stream = opened;
        var type = chosenType();
        recorder = type ? new window.MediaRecorder(opened, { mimeType: type })
          : new window.MediaRecorder(opened);
        chunks = [];
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) { chunks.push(event.data); }
        });
        recorder.addEventListener("stop", finish);
        recorder.start(250);
        startedAt = Date.now();
        stop.disabled = false;
        tick();
        timer = window.setInterval(tick, 250);
      }).catch(function (error) {
        release();
        start.disabled = false;
        var denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        say("无法使用麦克风：" + (denied ? "浏览器未允许使用麦克风" : String(error)), true);
      });
    });

    stop.addEventListener("click", halt);

    form.addEventListener("submit", function (event) {
      if (recorder && recorder.state === "recording") {
        event.preventDefault();
        say("请先点“停止”结束录音，再提交。", true);
      }
    });

    // A file chosen by hand replaces the recording.
    input.addEventListener("change", function () {
      preview.hidden = true;
      preview.removeAttribute("src");
      say("", false);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!supported()) { return; }
    document.querySelectorAll("form[data-recorder]").forEach(enhance);
  });
})();
