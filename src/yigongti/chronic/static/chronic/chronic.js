// Programme pages (no inline scripts or handlers: CSP with nonces).
// - canvas[data-signature="input-id"]: the resident signs with a finger; the PNG goes into the hidden input.
// - [data-locate="input-id"]: asks the device for its location (only when the doctor taps the button).
// - [data-print]: print the page.  [data-autosubmit]: submit the select's form on change.
(function () {
  "use strict";
  function wireSignature() {
    document.querySelectorAll("canvas[data-signature]").forEach(function (canvas) {
      var input = document.getElementById(canvas.dataset.signature);
      var ctx = canvas.getContext("2d");
      var drawing = false;
      function size() { var r = canvas.getBoundingClientRect(); canvas.width = r.width; canvas.height = r.height; ctx.lineWidth = 2; ctx.lineCap = "round"; }
      size();
      function pos(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
      canvas.addEventListener("pointerdown", function (e) { drawing = true; var p = pos(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); });
      canvas.addEventListener("pointermove", function (e) { if (!drawing) return; var p = pos(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); });
      function end() { if (!drawing) return; drawing = false; if (input) input.value = canvas.toDataURL("image/png"); }
      canvas.addEventListener("pointerup", end);
      canvas.addEventListener("pointerleave", end);
      var clear = document.querySelector("[data-clear-signature='" + canvas.id + "']");
      if (clear) clear.addEventListener("click", function () { ctx.clearRect(0, 0, canvas.width, canvas.height); if (input) input.value = ""; });
    });
  }
  function wireLocate() {
    document.querySelectorAll("[data-locate]").forEach(function (btn) {
      var input = document.getElementById(btn.dataset.locate);
      if (!navigator.geolocation || !input) { btn.hidden = true; return; }
      btn.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (p) {
          input.value = p.coords.latitude.toFixed(5) + "," + p.coords.longitude.toFixed(5);
          btn.textContent = input.value;
        });
      });
    });
  }
  function wireMisc() {
    document.querySelectorAll("[data-print]").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
    document.querySelectorAll("[data-autosubmit]").forEach(function (s) { s.addEventListener("change", function () { s.form.submit(); }); });
  }
  document.addEventListener("DOMContentLoaded", function () { wireSignature(); wireLocate(); wireMisc(); });
})();
