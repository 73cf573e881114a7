// yigongti UI behaviour. No inline scripts anywhere (CSP with nonces): pages mark elements with
// data- attributes and this file wires them up, on load and after every HTMX swap.
(function () {
  "use strict";

  function wireNavToggle(root) {
    root.querySelectorAll(".nav-toggle").forEach(function (btn) {
      if (btn.dataset.wired) return;
      btn.dataset.wired = "1";
      btn.addEventListener("click", function () {
        var nav = document.getElementById(btn.getAttribute("aria-controls"));
        if (!nav) return;
        var open = nav.classList.toggle("open");
        btn.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
  }

  // <div class="chart" data-chart="ID-of-a-json_script-block"></div>: the JSON block holds an ECharts option.
  function wireCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.wired) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      el.dataset.wired = "1";
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(source.textContent));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // <form data-confirm="…">: ask before submitting.
  function wireConfirms(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.wired) return;
      form.dataset.wired = "1";
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  // <select data-autosubmit>: submit its form on change.
  function wireAutosubmit(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      if (el.dataset.wired) return;
      el.dataset.wired = "1";
      el.addEventListener("change", function () { if (el.form) el.form.requestSubmit(); });
    });
  }

  function wire(root) {
    wireNavToggle(root); wireCharts(root); wireConfirms(root); wireAutosubmit(root);
  }

  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function (event) { wire(event.target); });
})();
