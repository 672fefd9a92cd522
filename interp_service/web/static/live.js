// Live microphone on the interview page (Mandarin only): the microphone is read at 16 kHz by
// an AudioWorklet (live-worklet.js), sent as 16-bit PCM over a WebSocket to
// /api/v1/cases/{case}/interviews/{interview}/live, and the answers are shown: the partial
// text greyed while speaking, each final as a line with a button that copies it into the
// question box. Microphones need a secure context: HTTPS, or this computer (localhost).
"use strict";

(function () {
  var panel = document.querySelector("[data-live-panel]");
  if (!panel) { return; }
  var startButton = panel.querySelector("[data-live-start]");
  var stopButton = panel.querySelector("[data-live-stop]");
  var statusLine = panel.querySelector("[data-live-status]");
  var partialLine = panel.querySelector("[data-live-partial]");
  var finalsList = panel.querySelector("[data-live-finals]");
  var CLOSED = {
    4401: "请先登录后再使用实时语音",
    4403: "连接来源与本站不符，已被拒绝",
    4404: "案件或询问不存在，或您未被分配到本案",
    1011: "语音识别暂不可用，请联系管理员"
  };
  var current = null;

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.className = isError ? "field-error" : "muted";
  }

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + panel.getAttribute("data-live-path");
  }

  function connectAudio(stream, rate) {
    return Promise.resolve().then(function () {
      var context = rate ? new AudioContext({ sampleRate: rate }) : new AudioContext();
      return context.audioWorklet.addModule(panel.getAttribute("data-live-worklet"))
        .then(function () {
          var source = context.createMediaStreamSource(stream);
          var node = new AudioWorkletNode(context, "pcm-sender", {
            numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1
          });
          source.connect(node);
          return context.resume().then(function () {
            return { context: context, stream: stream, node: node };
          });
        })
        .catch(function (error) { context.close(); throw error; });
    });
  }

  function openAudio() {
    return navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true }
    }).then(function (stream) {
      // Some browsers cannot connect a microphone to a 16 kHz context: use their own rate,
      // the server resamples.
      return connectAudio(stream, 16000).catch(function () { return connectAudio(stream, 0); })
        .catch(function (error) {
          stream.getTracks().forEach(function (track) { track.stop(); });
          throw error;
        });
    });
  }

  function closeAudio(session) {
    var audio = session.audio;
    session.audio = null;
    if (!audio) { return; }
    audio.node.port.onmessage = null;
    audio.stream.getTracks().forEach(function (track) { track.stop(); });
    audio.context.close();
  }

  function idle() {
    current = null;
    startButton.disabled = false;
    stopButton.disabled = true;
    partialLine.textContent = "";
  }

  function clock(seconds) {
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function useText(text) {
    var box = document.querySelector("[data-testid=say-text]");
    if (!box) { return; }
    box.value = box.value ? box.value + text : text;
    var direction = document.querySelector("[data-testid=direction-to-party]");
    if (direction) { direction.checked = true; }
    box.focus();
  }

  function addFinal(message) {
    var li = document.createElement("li");
    li.setAttribute("data-testid", "live-final");
    var label = document.createElement("span");
    label.className = "badge draft";
    label.textContent = "机器识别·仅供参考";
    li.appendChild(label);
    var when = document.createElement("span");
    when.className = "muted";
    when.textContent = " " + clock(message.start_s) + " ";
    li.appendChild(when);
    if (message.text) {
      var text = document.createElement("span");
      text.setAttribute("data-testid", "live-text");
      text.textContent = message.text;
      li.appendChild(text);
      if (document.querySelector("[data-testid=say-text]")) {
        var use = document.createElement("button");
        use.type = "button";
        use.textContent = "填入问话";
        use.setAttribute("data-testid", "live-use");
        use.addEventListener("click", function () { useText(message.text); });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(use);
      }
    } else {
      var none = document.createElement("span");
      none.className = "badge flag";
      none.setAttribute("data-testid", "live-unconfirmed");
      none.textContent = "非普通话或无法确认语言，未生成文字";
      li.appendChild(none);
    }
    finalsList.appendChild(li);
  }

  function handle(session, message) {
    if (message.type === "ready") {
      session.ready = true;
      setStatus("正在识别（普通话）……");
    } else if (message.type === "partial") {
      partialLine.textContent = message.text;
    } else if (message.type === "final") {
      partialLine.textContent = "";
      if (message.kind !== "no_speech") { addFinal(message); }
    } else if (message.type === "error") {
      session.failed = true;
      setStatus(message.message, true);
    } else if (message.type === "end") {
      setStatus("已停止");
    }
  }

  function finished(session, code) {
    closeAudio(session);
    if (current === session) { idle(); }
    if (CLOSED[code]) {
      setStatus(CLOSED[code], true);
    } else if (!session.stopping && !session.failed) {
      setStatus("连接已断开", true);
    } else if (!session.failed) {
      setStatus("已停止");
    }
  }

  function start() {
    if (!window.isSecureContext || !navigator.mediaDevices || !window.AudioWorkletNode) {
      setStatus("此连接不能使用麦克风：其他设备须通过 HTTPS 访问本服务", true);
      return;
    }
    var session = { ready: false, stopping: false, failed: false, audio: null, socket: null };
    current = session;
    startButton.disabled = true;
    stopButton.disabled = false;
    setStatus("正在打开麦克风……");
    openAudio().then(function (audio) {
      session.audio = audio;
      if (session.stopping) { closeAudio(session); return; }
      setStatus("正在连接并加载识别模型……");
      var socket = new WebSocket(socketUrl());
      socket.binaryType = "arraybuffer";
      session.socket = socket;
      socket.onopen = function () {
        socket.send(JSON.stringify({ format: "pcm16", sample_rate: audio.context.sampleRate }));
      };
      socket.onmessage = function (event) { handle(session, JSON.parse(event.data)); };
      socket.onclose = function (event) { finished(session, event.code); };
      audio.node.port.onmessage = function (event) {
        if (session.ready && !session.stopping && socket.readyState === WebSocket.OPEN) {
          socket.send(event.data);
        }
      };
    }).catch(function (error) {
      var denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
      setStatus(denied ? "未获准使用麦克风" : "无法打开麦克风：" + (error && error.message), true);
      if (current === session) { idle(); }
    });
  }

  function stop() {
    var session = current;
    if (!session) { return; }
    session.stopping = true;
    stopButton.disabled = true;
    closeAudio(session);
    var socket = session.socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      setStatus("正在识别最后一句……");
      socket.send(JSON.stringify({ type: "stop" }));
    } else if (socket && socket.readyState === WebSocket.CONNECTING) {
      socket.close();
    } else {
      idle();
      setStatus("已停止");
    }
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  window.addEventListener("pagehide", function () {
    if (current && current.socket) { current.socket.close(); }
    if (current) { closeAudio(current); }
  });
})();
