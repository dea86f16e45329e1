/* The dashboard's choropleth: communes coloured by received or overdue reports (a
   five-step scale), from the figures in a json_script; buttons switch the measure. */
(function () {
  "use strict";
  var numbers = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-GB" : "vi-VN");
  var scales = {
    received: ["#eef4fa", "#c6dbef", "#6baed6", "#2171b5", "#08306b"],
    overdue: ["#fff5f0", "#fcbba1", "#fb6a4a", "#cb181d", "#67000d"],
  };

  function colour(value, max, measure) {
    var steps = scales[measure];
    if (!value || !max) return steps[0];
    return steps[Math.min(steps.length - 1, 1 + Math.floor((value / max) * (steps.length - 1.001)))];
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.querySelector("[data-choropleth]");
    if (!element || !window.L) return;
    var figures = JSON.parse(document.getElementById("choropleth-data").textContent);
    var map = L.map(element, { zoomSnap: 0.25, scrollWheelZoom: false });
    if (element.dataset.tileUrl) L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    var layer = null;
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () { this.div = L.DomUtil.create("div", "ioc-map-legend"); return this.div; };
    legend.addTo(map);

    function paint(measure) {
      var max = 0;
      Object.keys(figures).forEach(function (code) { max = Math.max(max, figures[code][measure] || 0); });
      layer.setStyle(function (feature) {
        var row = figures[feature.properties.code] || {};
        return { color: "#ffffff", weight: 1, fillColor: colour(row[measure] || 0, max, measure), fillOpacity: 0.85 };
      });
      layer.eachLayer(function (shape) {
        var props = shape.feature.properties;
        var row = figures[props.code] || {};
        var name = element.lang === "en" && props.name_en ? props.name_en : props.name;
        shape.bindTooltip(name + ": " + numbers.format(row[measure] || 0), { sticky: true });
      });
      legend.div.innerHTML = "0 – " + numbers.format(max);
      element.dataset.measure = measure;
    }

    fetch(element.dataset.geojsonUrl)
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (collection) {
        layer = L.geoJSON(collection).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [4, 4] });
        paint("received");
        element.setAttribute("data-loaded", "true");
      })
      .catch(function () { element.insertAdjacentHTML("afterbegin", '<div class="p-2 small text-danger">' + element.dataset.errorText + "</div>"); });

    document.querySelectorAll("[data-choropleth-measure]").forEach(function (button) {
      button.addEventListener("click", function () {
        document.querySelectorAll("[data-choropleth-measure]").forEach(function (other) {
          other.classList.toggle("active", other === button);
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        if (layer) paint(button.dataset.choroplethMeasure);
      });
    });
  });
})();
