// Referral pages (no inline scripts or handlers: CSP with nonces).
// - [data-print]: print the page.
// - [data-scan="input-id"]: scan the form's QR code with the camera where the browser has BarcodeDetector
//   (Chrome on Android, most desk PCs use a handheld scanner that simply types the number); the number found
//   goes into the input and its form is submitted.
(function () {
  "use strict";

  function wirePrint() {
    document.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function () { window.print(); });
    });
  }

  function wireScan() {
    document.querySelectorAll("[data-scan]").forEach(function (btn) {
      if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
      var input = document.getElementById(btn.dataset.scan);
      var video = document.getElementById(btn.dataset.video);
      if (!input || !video) return;
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
          video.srcObject = stream;
          video.hidden = false;
          video.play();
          var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
          var look = function () {
            detector.detect(video).then(function (codes) {
              if (codes.length) {
                stop();
                input.value = codes[0].rawValue;
                if (input.form) input.form.requestSubmit();
              } else {
                window.requestAnimationFrame(look);
              }
            }).catch(stop);
          };
          look();
        }).catch(function () { btn.hidden = true; });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { wirePrint(); wireScan(); });
})();
