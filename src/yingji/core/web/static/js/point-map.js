/* yingji — small point maps on registry pages (detail view, "在地图上选点" in forms).
 * Needs Leaflet (global L) loaded first. Each <div class="point-map"> is configured by:
 *   data-lon, data-lat   the point to show (optional: a new record has none yet)
 *   data-center "lon,lat", data-zoom   the view when there is no point
 *   data-tiles           tile URL template; empty = no base map (boundaries still drawn)
 *   data-divisions       URL of division boundaries (GeoJSON) drawn for orientation
 *   data-pick "lonId,latId"   ids of the inputs a click on the map fills in; typing in
 *                        those inputs moves the marker
 * Sets data-state="ready" on the element once the boundaries have loaded (or failed).
 * Plain ES2017, no build step.
 */
(function () {
  "use strict";
  if (!window.L) return;

  function num(v) {
    var n = parseFloat(v);
    return isFinite(n) ? n : null;
  }

  function init(el) {
    var d = el.dataset;
    var lon = num(d.lon);
    var lat = num(d.lat);
    var c = (d.center || "").split(",").map(num);
    var hasPoint = lon !== null && lat !== null;
    var center = hasPoint ? L.latLng(lat, lon)
      : (c.length === 2 && c[0] !== null && c[1] !== null ? L.latLng(c[1], c[0]) : L.latLng(35, 105));
    var zoom = parseInt(d.zoom, 10);
    var map = L.map(el, { scrollWheelZoom: false, minZoom: 3, maxZoom: 18 });
    // Without tiles only the boundaries give a sense of place: stay out far enough to see them.
    var pointZoom = d.tiles ? 15 : 12;
    map.setView(center, hasPoint ? pointZoom : (isFinite(zoom) ? zoom : 11));
    if (d.tiles) {
      L.tileLayer(d.tiles, { maxZoom: 18 }).addTo(map);
    } else {
      el.classList.add("map-no-tiles");
    }
    el.yingjiMap = map;

    var marker = null;
    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.circleMarker(latlng, {
          radius: 8, color: "#fff", weight: 2, fillColor: "#c8161d", fillOpacity: 0.95,
        }).addTo(map);
      }
    }
    if (hasPoint) place(center);

    if (d.pick) {
      var ids = d.pick.split(",");
      var lonIn = document.getElementById(ids[0]);
      var latIn = document.getElementById(ids[1]);
      if (lonIn && latIn) {
        el.classList.add("is-picking");
        map.on("click", function (e) {
          lonIn.value = e.latlng.lng.toFixed(6);
          latIn.value = e.latlng.lat.toFixed(6);
          place(e.latlng);
        });
        var fromInputs = function () {
          var a = num(lonIn.value);
          var b = num(latIn.value);
          if (a === null || b === null) return;
          place(L.latLng(b, a));
          map.panTo(L.latLng(b, a));
        };
        lonIn.addEventListener("change", fromInputs);
        latIn.addEventListener("change", fromInputs);
      }
    }

    function ready() { el.setAttribute("data-state", "ready"); }
    if (!d.divisions) { ready(); return; }
    fetch(d.divisions, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (geo) {
        var layer = L.geoJSON(geo, {
          interactive: false,
          style: { color: "#0b3d91", weight: 1.5, opacity: 0.8, fillOpacity: 0.03, dashArray: "4 3" },
        }).addTo(map);
        layer.bringToBack();
        if (!hasPoint && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
      })
      .catch(function (err) { if (window.console) console.error("divisions", err); })
      .then(ready);
  }

  var maps = document.querySelectorAll(".point-map");
  for (var i = 0; i < maps.length; i++) init(maps[i]);
})();
