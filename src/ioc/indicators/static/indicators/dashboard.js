/* A sector dashboard: sparklines in the tiles, the trend chart (ECharts) and the
   choropleth (Leaflet over the shipped GeoJSON, no tile layer unless configured). The
   figures come from the page (json_script), computed on the server by the engine. */
(function () {
  "use strict";
  var scale = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
  var noData = "#e9ecef";

  function number(value, language) {
    if (value === null || value === undefined) return "—";
    return value.toLocaleString(language === "en" ? "en-GB" : "vi-VN", { maximumFractionDigits: 2 });
  }

  function sparks(data) {
    document.querySelectorAll("[data-spark]").forEach(function (element) {
      var spark = data.sparks[element.dataset.spark];
      if (!spark || !window.echarts) return;
      var chart = echarts.init(element, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        grid: { left: 1, right: 1, top: 2, bottom: 2 },
        xAxis: { type: "category", show: false, data: spark.labels },
        yAxis: { type: "value", show: false, scale: true },
        series: [{ type: "line", data: spark.values, symbol: "none", smooth: true, connectNulls: false,
                   lineStyle: { width: 2, color: "#1565a8" }, areaStyle: { color: "rgba(21,101,168,.12)" } }],
      });
      element.setAttribute("data-drawn", "true");
    });
  }

  function trend(data, language) {
    var element = document.getElementById("indicator-trend");
    if (!element || !data.trend || !window.echarts) return;
    var chart = echarts.init(element);
    var colours = ["#9aa9b8", "#1565a8"];
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return number(v, language); } },
      legend: { top: 0 },
      grid: { left: 8, right: 12, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.trend.labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return number(v, language); } } },
      series: data.trend.series.map(function (serie, index) {
        var last = index === data.trend.series.length - 1;
        return { name: serie.name, type: last ? "bar" : "line", data: serie.values,
                 itemStyle: { color: colours[last ? 1 : 0] }, barMaxWidth: 28, smooth: true };
      }),
    });
    element.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // Quantile class limits, without repeats: a few distinct values give fewer classes.
  function breaks(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var result = [];
    for (var i = 1; i < scale.length; i++) {
      var limit = sorted[Math.floor((sorted.length * i) / scale.length)];
      if (limit !== undefined && limit > sorted[0] && result.indexOf(limit) < 0) result.push(limit);
    }
    return result;
  }

  function colour(value, limits) {
    if (value === null || value === undefined) return noData;
    var offset = scale.length - 1 - limits.length;  // the darkest classes when there are few
    for (var i = 0; i < limits.length; i++) if (value < limits[i]) return scale[offset + i];
    return scale[scale.length - 1];
  }

  function map(data, language) {
    var element = document.querySelector("[data-indicator-map]");
    if (!element || !window.L) return;
    var leaflet = L.map(element, { zoomSnap: 0.25, scrollWheelZoom: false });
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(leaflet);
    }
    var present = Object.keys(data.map).map(function (k) { return data.map[k]; }).filter(function (v) { return v !== null; });
    var limits = breaks(present);
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          style: function (feature) {
            return { color: "#ffffff", weight: 1, fillColor: colour(data.map[feature.properties.code], limits), fillOpacity: 0.85 };
          },
          onEachFeature: function (feature, shape) {
            var props = feature.properties;
            var name = language === "en" && props.name_en ? props.name_en : props.name;
            shape.bindTooltip(name + ": " + number(data.map[props.code], language) + " " + (data.unit || ""), { sticky: true });
          },
        }).addTo(leaflet);
        leaflet.fitBounds(layer.getBounds(), { padding: [8, 8] });
        var legend = L.control({ position: "bottomright" });
        legend.onAdd = function () {
          var box = L.DomUtil.create("div", "ioc-map-legend");
          var rows = [];
          var lower = present.length ? Math.min.apply(null, present) : null;
          var offset = scale.length - 1 - limits.length;
          for (var i = 0; i <= limits.length && present.length; i++) {
            var from = i === 0 ? lower : limits[i - 1];
            rows.push('<div><span class="ioc-swatch" style="background:' + scale[offset + i] + '"></span>≥ ' + number(from, language) + "</div>");
          }
          rows.push('<div><span class="ioc-swatch" style="background:' + noData + '"></span>' + data.labels.noData + "</div>");
          box.innerHTML = rows.join("");
          box.setAttribute("data-legend", "true");
          return box;
        };
        legend.addTo(leaflet);
        element.dataset.features = String(collection.features.length);
        element.setAttribute("data-loaded", "true");
      })
      .catch(function (error) {
        element.setAttribute("data-error", String(error));
        element.insertAdjacentHTML("afterbegin", '<div class="p-3 text-danger position-absolute">' + element.dataset.errorText + "</div>");
      });
  }

  function start() {
    var source = document.getElementById("indicator-dashboard-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var language = document.documentElement.lang || "vi";
    sparks(data);
    trend(data, language);
    map(data, language);
  }

  document.addEventListener("DOMContentLoaded", start);
  // The wall refresh (htmx) replaces the content: draw the new figures.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "dashboard-live") start();
  });
})();
