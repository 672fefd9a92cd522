// Chinese read-back: a 朗读 button posts its text to the service, which answers with WAV
// spoken by espeak-ng's Mandarin voice; the page plays it.
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=csrf-token]");
  var playing = null;
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-readback]") : null;
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    fetch("/api/v1/speech/readback", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": meta ? meta.content : "" },
      body: JSON.stringify({ text: button.getAttribute("data-readback").slice(0, 500) })
    })
      .then(function (r) {
        if (!r.ok) throw new Error("朗读失败（" + r.status + "）");
        return r.blob();
      })
      .then(function (blob) {
        if (playing) playing.pause();
        playing = new Audio(URL.createObjectURL(blob));
        playing.dataset.testid = "readback-audio";
        return playing.play();
      })
      .catch(function (err) { button.title = err.message; })
      .then(function () { button.disabled = false; });
  });
})();
