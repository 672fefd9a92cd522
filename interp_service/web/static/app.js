// Page behaviour without inline scripts, so the Content-Security-Policy can forbid them.
"use strict";

document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = button && button.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Show the note on the interpreter's own declaration only when the interpreter role is
// chosen.
function syncDeclarations() {
  document.querySelectorAll("[data-show-for-role]").forEach(function (element) {
    var form = element.closest("form");
    var select = form && form.querySelector("select[name=role_on_case]");
    if (!select) { return; }
    var shown = select.value === element.getAttribute("data-show-for-role");
    element.hidden = !shown;
  });
}

document.addEventListener("change", function (event) {
  if (event.target && event.target.name === "role_on_case") { syncDeclarations(); }
});
document.addEventListener("DOMContentLoaded", syncDeclarations);
