// Vigie dashboard: the little script the pages use. Everything works without it; it
// only adds live alert arrival, "select all" and copy buttons. No outside code is loaded.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // "Select all" boxes tick every box of their form.
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      all.form.querySelectorAll("input[name=id]").forEach(function (box) { box.checked = all.checked; });
    });
  });
  // "Copy" buttons copy the text of the element they name; where the clipboard is out
  // of reach (plain HTTP off this machine), the text is selected for Ctrl-C instead.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.querySelector(button.getAttribute("data-copy"));
      if (!target) { return; }
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (navigator.clipboard) { navigator.clipboard.writeText(target.textContent).catch(function () {}); }
    });
  });
  // On the alert queue, new alerts arrive by server-sent events and are announced.
  var banner = document.getElementById("new-alerts");
  if (banner && window.EventSource) {
    var count = 0;
    var source = new EventSource("/api/v1/alerts/stream");
    source.addEventListener("alert", function () {
      count += 1;
      banner.hidden = false;
      banner.querySelector("[data-count]").textContent = String(count);
    });
  }
});
