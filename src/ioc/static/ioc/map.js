/* Draws the deployment's administrative units from the shipped GeoJSON, with no tile layer
   unless one is configured: the map works offline. Every element with [data-ioc-map] gets
   one; buttons with data-map-target and data-map-url switch the layer it shows. */
(function () {
  "use strict";
  var palette = ["#1565a8", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#ad1457", "#455a64", "#827717"];

  function colourFor(code) {
    var total = 0;
    for (var i = 0; i < code.length; i++) total += code.charCodeAt(i) * (i + 1);
    return palette[total % palette.length];
  }

  function showLayer(element, url) {
    var map = element.iocMap;
    element.removeAttribute("data-loaded");
    fetch(url, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return response.json();
      })
      .then(function (collection) {
        if (element.iocLayer) map.removeLayer(element.iocLayer);
        var layer = L.geoJSON(collection, {
          style: function (feature) {
            return { color: "#ffffff", weight: 1.2, fillColor: colourFor(feature.properties.code), fillOpacity: 0.55 };
          },
          onEachFeature: function (feature, shape) {
            var props = feature.properties;
            var name = element.lang === "en" && props.name_en ? props.name_en : props.name;
            shape.bindTooltip(name, { sticky: true });
            shape.on("mouseover", function () { shape.setStyle({ fillOpacity: 0.85, weight: 2 }); });
            shape.on("mouseout", function () { layer.resetStyle(shape); });
          },
        }).addTo(map);
        element.iocLayer = layer;
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        element.dataset.features = String(collection.features.length);
        element.setAttribute("data-loaded", "true");
      })
      .catch(function (error) {
        element.setAttribute("data-error", String(error));
        element.insertAdjacentHTML("afterbegin", '<div class="p-3 text-danger position-absolute">' + element.dataset.errorText + "</div>");
      });
  }

  function draw(element) {
    var map = L.map(element, { zoomSnap: 0.25, scrollWheelZoom: false });
    element.iocMap = map;
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    showLayer(element, element.dataset.geojsonUrl);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ioc-map]").forEach(draw);
    document.querySelectorAll("[data-map-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var element = document.getElementById(button.dataset.mapTarget);
        button.parentElement.querySelectorAll("[data-map-target]").forEach(function (other) {
          other.classList.toggle("active", other === button);
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        showLayer(element, button.dataset.mapUrl);
      });
    });
  });
})();
