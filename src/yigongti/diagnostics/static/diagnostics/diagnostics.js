// Diagnostics pages (no inline scripts or handlers: CSP with nonces).
// - [data-print]: print the page.
// - select[data-template-url]: choosing a report template reloads the editor filled from it.
(function () {
  "use strict";
  function wire() {
    document.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("select[data-template-url]").forEach(function (sel) {
      sel.addEventListener("change", function () {
        if (sel.value) window.location.href = sel.dataset.templateUrl + "?template=" + encodeURIComponent(sel.value);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire); else wire();
})();
