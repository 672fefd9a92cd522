// Interview page: the term lookup panel answers in place; Ctrl+Enter records what was said;
// the text box keeps the focus between entries.
"use strict";

(function () {
  // Chinese labels of stored codes, from web/labels.py via the panel's data-labels (JSON).
  var LABELS = { languages: {}, status: {}, verification: {} };
  var panel = document.querySelector("[data-labels]");
  if (panel) {
    try { LABELS = JSON.parse(panel.getAttribute("data-labels")); } catch (e) { /* keep codes */ }
  }

  function label(table, code) {
    return (LABELS[table] && LABELS[table][code]) || code;
  }

  function item(hit) {
    var li = document.createElement("li");
    var term = document.createElement("strong");
    term.textContent = hit.term.text;
    li.appendChild(term);
    // A Miao (or other) hit: its Chinese meaning beside it.
    if (hit.term.language !== "cmn" && hit.chinese_terms && hit.chinese_terms.length) {
      var meaning = document.createElement("span");
      meaning.className = "meaning";
      meaning.lang = "zh-CN";
      meaning.setAttribute("data-testid", "meaning");
      meaning.textContent = " 汉语：" + hit.chinese_terms.join("、");
      li.appendChild(meaning);
    }
    var lang = document.createElement("span");
    lang.className = "muted";
    lang.textContent = " " + label("languages", hit.term.language) +
      (hit.term.variety ? "·" + hit.term.variety : "");
    li.appendChild(lang);
    // The status says which word to choose: a neutral label, not a mark of quality.
    var status = document.createElement("span");
    status.className = "choice status-" + hit.term.status;
    status.textContent = label("status", hit.term.status);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(status);
    var meta = document.createElement("span");
    meta.className = "badge" + (hit.term.verification === "approved" ? " ok" : " draft");
    meta.textContent = label("verification", hit.term.verification);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(meta);
    if (hit.definition) {
      var def = document.createElement("div");
      def.className = "definition";
      def.textContent = hit.definition;
      li.appendChild(def);
    }
    var link = document.createElement("a");
    link.href = "/glossary/concepts/" + hit.term.concept_id;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "术语条目";
    li.appendChild(document.createTextNode(" "));
    li.appendChild(link);
    return li;
  }

  function lookup(form) {
    var list = document.querySelector("[data-lookup-results]");
    var q = form.querySelector("input[name=q]").value.trim();
    if (!list || !q) { return; }
    fetch("/api/v1/glossary/lookup?limit=8&q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("查询失败（" + response.status + "）"); }
      return response.json();
    }).then(function (hits) {
      list.textContent = "";
      if (!hits.length) {
        var none = document.createElement("li");
        none.className = "empty";
        none.textContent = "术语库中没有找到。";
        list.appendChild(none);
      }
      hits.forEach(function (hit) { list.appendChild(item(hit)); });
    }).catch(function (error) {
      list.textContent = "";
      var li = document.createElement("li");
      li.className = "field-error";
      li.textContent = error.message;
      list.appendChild(li);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.hasAttribute("data-lookup-form")) {
      event.preventDefault();
      lookup(form);
    }
  });

  // After recording an utterance (the page comes back at #say) or a refusal of it, the
  // operator types the next one: the text box gets the focus, the caret at the end.
  function focusSay() {
    var box = document.querySelector("[data-testid=say-text]");
    var refused = document.querySelector("#say [data-field]");
    if (!box || (location.hash !== "#say" && !refused)) { return; }
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }
  // After "load": scrolling to the #say fragment would otherwise take the focus back.
  if (document.readyState === "complete") {
    focusSay();
  } else {
    window.addEventListener("load", focusSay);
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        target && target.getAttribute("data-testid") === "say-text") {
      event.preventDefault();
      target.form.requestSubmit();
    }
  });
})();

// Recordings: starting one term or phrase recording pauses any other that is playing.
(function () {
  document.addEventListener("play", function (event) {
    document.querySelectorAll("audio").forEach(function (audio) {
      if (audio !== event.target && !audio.paused) { audio.pause(); }
    });
  }, true);
})();
