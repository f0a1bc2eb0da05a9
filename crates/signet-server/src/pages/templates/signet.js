// Small page helpers that only add to pages that already work without scripts: "Copy" and
// "Print" for backup codes. Buttons stay hidden until this script runs.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (b) {
    if (!navigator.clipboard) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      var list = document.getElementById(b.getAttribute("data-copy"));
      var text = Array.prototype.map.call(list.querySelectorAll("code"), function (c) { return c.textContent; }).join("\n");
      navigator.clipboard.writeText(text).then(function () {
        var s = document.getElementById("copy-status");
        if (s) s.textContent = b.getAttribute("data-copied");
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
