/* yingji — the warning composer (early_warnings/templates/compose.html): signal levels, area drawing, recipient preview; needs Leaflet.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
(function () {
  "use strict";
  var form = document.getElementById("composer");
  var hidden = document.getElementById("polygon");
  var status = document.getElementById("draw-status");
  var previewText = document.getElementById("preview-text");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var points = [];
  var drawing = false;
  var map = null, shape = null;

  // Levels a signal does not have are disabled (e.g. 高温 has no blue).
  function syncLevels() {
    var signal = document.getElementById("signal");
    var level = document.getElementById("level");
    var allowed = (signal.options[signal.selectedIndex].dataset.levels || "").split(",");
    Array.prototype.forEach.call(level.options, function (o) { o.disabled = allowed.indexOf(o.value) < 0; });
    if (level.options[level.selectedIndex].disabled) {
      for (var i = 0; i < level.options.length; i++) if (!level.options[i].disabled) { level.selectedIndex = i; break; }
    }
  }
  document.getElementById("signal").addEventListener("change", syncLevels);
  syncLevels();

  function codes() {
    return Array.prototype.map.call(form.querySelectorAll('input[name="division_codes"]:checked'), function (i) { return i.value; });
  }
  function polygon() {
    try { return hidden.value ? JSON.parse(hidden.value) : null; } catch (e) { return null; }
  }
  var timer = null;
  function preview() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var body = {division_codes: codes(), polygon: polygon()};
      if (!body.division_codes.length && !body.polygon) { previewText.textContent = "请选择区域"; return; }
      previewText.textContent = "计算中…";
      fetch("/api/v1/warnings/recipients/preview", {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify(body)
      }).then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); }).then(function (c) {
        previewText.textContent = "共 " + c.total + "（责任人 " + c.responsible_persons + "，居民 " + c.residents + "，终端 " + c.devices + "）";
      }).catch(function () { previewText.textContent = "无法计算覆盖人数"; });
    }, 250);
  }
  form.addEventListener("change", function (e) { if (e.target.name === "division_codes") preview(); });

  function redraw() {
    if (!map) return;
    if (shape) { map.removeLayer(shape); shape = null; }
    var latlngs = points.map(function (p) { return [p[1], p[0]]; });
    if (latlngs.length) shape = (drawing ? L.polyline(latlngs) : L.polygon(latlngs)).addTo(map);
  }
  function store() {
    if (points.length >= 3) {
      var ring = points.slice(); ring.push(points[0]);
      hidden.value = JSON.stringify({type: "Polygon", coordinates: [ring]});
    } else { hidden.value = ""; }
    preview();
  }
  document.getElementById("draw-start").addEventListener("click", function () {
    points = []; drawing = true; redraw(); status.textContent = "在地图上依次点击多边形顶点";
  });
  document.getElementById("draw-finish").addEventListener("click", function () {
    if (points.length < 3) { status.textContent = "至少需要 3 个顶点"; return; }
    drawing = false; redraw(); store(); status.textContent = "已绘制 " + points.length + " 个顶点";
  });
  document.getElementById("draw-clear").addEventListener("click", function () {
    points = []; drawing = false; redraw(); store(); status.textContent = "";
  });

  var el = document.getElementById("warning-map");
  if (window.L && el) {
    var center = (el.dataset.center || "105.6,29.45").split(",").map(Number);
    map = L.map(el).setView([center[1] || 29.45, center[0] || 105.6], 11);
    window.yingjiWarningMap = map;
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, {maxZoom: 18}).addTo(map);
    fetch("/api/v1/divisions.geojson", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (fc) {
      var layer = L.geoJSON(fc, {style: {weight: 1, fillOpacity: 0.05}});
      layer.addTo(map);
      try { map.fitBounds(layer.getBounds(), {animate: false}); } catch (e) { /* no boundaries */ }
      el.dataset.state = "ready";
    }).catch(function () { el.dataset.state = "ready"; });
    map.on("click", function (e) {
      if (!drawing) return;
      points.push([Math.round(e.latlng.lng * 1e6) / 1e6, Math.round(e.latlng.lat * 1e6) / 1e6]);
      redraw();
    });
    var existing = polygon();
    if (existing && existing.type === "Polygon") { points = existing.coordinates[0].slice(0, -1); redraw(); }
  }
  preview();
})();
