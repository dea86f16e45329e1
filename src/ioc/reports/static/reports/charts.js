/* ECharts of the reports pages: bars of received and completed per group (public
   figures), lines by month (dashboard). The data is in a json_script named by the element. */
(function () {
  "use strict";
  var colours = ["#0b3d6e", "#198754"];
  // ECharts writes 1,234 whatever the language: tooltips and axes use the page's format.
  var numbers = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-GB" : "vi-VN");
  function number(value) { return numbers.format(value); }

  function bars(element, data) {
    var chart = echarts.init(element);
    var horizontal = data.names.length > 6;
    var categoryAxis = { type: "category", data: data.names, axisLabel: { interval: 0, width: 140, overflow: "truncate" }, inverse: horizontal };
    chart.setOption({
      color: colours,
      tooltip: { trigger: "axis", valueFormatter: number },
      legend: { top: 0 },
      grid: { left: horizontal ? 150 : 40, right: 16, top: 32, bottom: horizontal ? 24 : 60 },
      xAxis: horizontal ? { type: "value", minInterval: 1, axisLabel: { formatter: number } } : categoryAxis,
      yAxis: horizontal ? categoryAxis : { type: "value", minInterval: 1, axisLabel: { formatter: number } },
      series: [
        { name: data.labels.received, type: "bar", data: data.received },
        { name: data.labels.completed, type: "bar", data: data.completed },
      ],
    });
    if (horizontal) element.style.height = Math.max(320, data.names.length * 34 + 60) + "px";
    chart.resize();
    return chart;
  }

  function lines(element, data) {
    var chart = echarts.init(element);
    chart.setOption({
      color: colours,
      tooltip: { trigger: "axis", valueFormatter: number },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: number } },
      series: [
        { name: data.labels.received, type: "bar", data: data.received },
        { name: data.labels.completed, type: "line", data: data.completed },
      ],
    });
    return chart;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll("[data-bar-chart]").forEach(function (element) {
      charts.push(bars(element, JSON.parse(document.getElementById(element.dataset.barChart).textContent)));
      element.setAttribute("data-loaded", "true");
    });
    document.querySelectorAll("[data-line-chart]").forEach(function (element) {
      charts.push(lines(element, JSON.parse(document.getElementById(element.dataset.lineChart).textContent)));
      element.setAttribute("data-loaded", "true");
    });
    window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
    // The public figures' area select writes one of two hidden fields.
    document.querySelectorAll("[data-area-select]").forEach(function (select) {
      select.addEventListener("change", function () {
        var form = select.form;
        form.querySelectorAll("[data-area]").forEach(function (input) { input.value = ""; });
        if (select.value) {
          var parts = select.value.split("=");
          form.querySelector("[data-area=" + parts[0] + "]").value = parts[1];
        }
      });
    });
  });
})();
