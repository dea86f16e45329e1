/* The report form on a phone: place from the GPS or a tap on the map (communes drawn from
   the shipped GeoJSON, no tiles), photo previews, suggestions, and a draft kept in
   localStorage so that a dropped connection loses nothing. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var key = form.dataset.draftKey;
  var fields = form.querySelectorAll("[data-draft]");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");

  function saveDraft() {
    var draft = {};
    fields.forEach(function (field) { draft[field.name] = field.type === "checkbox" ? field.checked : field.value; });
    try { localStorage.setItem(key, JSON.stringify(draft)); } catch (e) { /* private mode: no draft */ }
  }

  function restoreDraft() {
    var draft;
    try { draft = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { draft = null; }
    if (!draft) return;
    var restored = false;
    fields.forEach(function (field) {
      if (!(field.name in draft)) return;
      if (field.type === "checkbox") {
        if (draft[field.name] && !field.checked) { field.checked = true; restored = true; }
      } else if (!field.value && draft[field.name]) {
        field.value = draft[field.name];
        restored = true;
      }
    });
    if (restored) document.getElementById("draft-restored").hidden = false;
  }

  var deviceField = form.querySelector("[name=device_id]");
  if (deviceField && !deviceField.value) {
    try {
      var device = localStorage.getItem("ioc-device-id");
      if (!device) {
        device = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
        localStorage.setItem("ioc-device-id", device);
      }
      deviceField.value = device;
    } catch (e) { /* no storage */ }
  }

  restoreDraft();
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // Suggested categories: a tap chooses one.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-category]");
    if (!button) return;
    var select = document.getElementById("id_category");
    select.value = button.dataset.pickCategory;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // Photo previews.
  var photoInput = form.querySelector("[data-photo-input]");
  var previews = form.querySelector("[data-photo-previews]");
  photoInput.addEventListener("change", function () {
    previews.innerHTML = "";
    Array.prototype.slice.call(photoInput.files, 0, 5).forEach(function (file) {
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      previews.appendChild(img);
    });
  });

  // The map.
  var element = document.querySelector("[data-pick-map]");
  var label = document.querySelector("[data-place-label]");
  var map = null;
  var marker = null;

  function describe(latValue, lonValue) {
    fetch(element.dataset.locateUrl + "?lat=" + latValue + "&lon=" + lonValue)
      .then(function (response) {
        if (response.status === 404) { label.textContent = element.dataset.textOutside; label.className = "small mt-2 fw-semibold text-danger"; return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (!body) return;
        var unit = body.commune;
        var name = element.lang === "en" && unit.name_en ? unit.name_en : unit.name;
        label.textContent = element.dataset.textInside + " " + name;
        label.className = "small mt-2 fw-semibold text-success";
      })
      .catch(function () { /* offline: the server checks the place */ });
  }

  function place(latValue, lonValue, zoom) {
    lat.value = latValue.toFixed(6);
    lon.value = lonValue.toFixed(6);
    saveDraft();
    if (map) {
      var point = [latValue, lonValue];
      if (marker) marker.setLatLng(point); else marker = L.marker(point, { draggable: true }).addTo(map);
      marker.off("dragend").on("dragend", function () { var p = marker.getLatLng(); place(p.lat, p.lng, false); });
      if (zoom) map.setView(point, 15, { animate: false });
    }
    describe(lat.value, lon.value);
    document.body.dispatchEvent(new Event("ioc:place"));
  }

  function drawMap() {
    if (!window.L || !element) return;
    map = L.map(element, { zoomSnap: 0.25 });
    element.iocMap = map;
    if (element.dataset.tileUrl) L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    map.setView([11.0, 108.1], 9);
    fetch(element.dataset.geojsonUrl)
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          style: function () { return { color: "#0b3d6e", weight: 1, fillColor: "#f8f5ea", fillOpacity: 0.9 }; },
          onEachFeature: function (feature, shape) {
            var props = feature.properties;
            shape.bindTooltip(element.lang === "en" && props.name_en ? props.name_en : props.name, { sticky: true });
            shape.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, false); });
          },
        }).addTo(map);
        // Not animated: a zoom animation still running would undo a later setView.
        if (!marker) map.fitBounds(layer.getBounds(), { padding: [4, 4], animate: false });
        element.setAttribute("data-loaded", "true");
      })
      .catch(function () { element.insertAdjacentHTML("afterbegin", '<div class="p-2 small text-danger position-absolute">' + element.dataset.textError + "</div>"); });
    map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, false); });
    if (lat.value && lon.value) place(parseFloat(lat.value), parseFloat(lon.value), true);
  }

  document.querySelector("[data-locate-me]").addEventListener("click", function () {
    if (!navigator.geolocation) { label.textContent = element.dataset.textNogps; return; }
    navigator.geolocation.getCurrentPosition(
      function (position) { place(position.coords.latitude, position.coords.longitude, true); },
      function () { label.textContent = element.dataset.textNogps; label.className = "small mt-2 fw-semibold text-warning"; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });

  form.addEventListener("submit", function () {
    var button = form.querySelector("[data-submit]");
    button.disabled = true;
    setTimeout(function () { button.disabled = false; }, 15000);
  });

  drawMap();
})();
