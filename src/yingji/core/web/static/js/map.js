/* yingji — "one map" (一张图) page. Needs Leaflet (global L) loaded first.
 *
 * Configuration comes from the #map element:
 *   data-tiles      tile URL template ({z}/{x}/{y}); empty = no base map, plain background
 *   data-attribution  optional attribution text for the tiles
 *   data-center     "lon,lat"          data-zoom   initial zoom (default 12)
 *   data-divisions  URL of a GeoJSON FeatureCollection of division boundaries,
 *                   properties: code, name, level ("district" | "township" | "village" …)
 *   data-layers     JSON array of {"id","name","url","color","fields"}; each url returns a
 *                   GeoJSON FeatureCollection of Point features with properties id, name,
 *                   detail_url and the record's fields, values already labelled;
 *                   "fields" ([[property, 中文 label], ...]) names the popup rows, in order.
 * Popups and tooltips are DOM nodes filled with textContent, never HTML from data.
 *
 * When every layer has been tried, #map gets data-state="ready" and fires the
 * "yingji:map-ready" event (detail: {failed: [names]}); the Leaflet map is
 * window.yingjiMap. Plain ES2017, no build step.
 */
(function () {
  "use strict";

  var el = document.getElementById("map");
  if (!el) return;

  var errorBox = null;
  function showError(message) {
    if (!errorBox) {
      errorBox = document.createElement("div");
      errorBox.className = "map-error";
      errorBox.setAttribute("role", "alert");
      var close = document.createElement("button");
      close.type = "button";
      close.className = "close";
      close.setAttribute("aria-label", "关闭");
      close.textContent = "×";
      close.addEventListener("click", function () {
        errorBox.parentNode.removeChild(errorBox);
        errorBox = null;
      });
      errorBox.appendChild(close);
      if (window.L) {
        L.DomEvent.disableClickPropagation(errorBox);
        L.DomEvent.disableScrollPropagation(errorBox);
      }
      el.appendChild(errorBox);
    }
    var line = document.createElement("div");
    line.textContent = message;
    errorBox.appendChild(line);
  }

  if (!window.L) {
    showError("地图组件加载失败：Leaflet 未加载");
    return;
  }

  // ---- configuration -----------------------------------------------------
  var data = el.dataset;
  var tiles = (data.tiles || "").trim();
  var zoom = parseInt(data.zoom, 10);
  if (!isFinite(zoom)) zoom = 12;
  var center = null;
  var parts = (data.center || "").split(",").map(function (s) { return parseFloat(s); });
  if (parts.length === 2 && isFinite(parts[0]) && isFinite(parts[1])) {
    center = L.latLng(parts[1], parts[0]); // data-center is "lon,lat"
  }
  var layerDefs = [];
  if (data.layers) {
    try {
      layerDefs = JSON.parse(data.layers);
      if (!Array.isArray(layerDefs)) throw new Error("data-layers is not an array");
    } catch (err) {
      layerDefs = [];
      showError("图层加载失败：图层配置无效");
    }
  }

  var map = L.map(el, { minZoom: 3, maxZoom: 18, zoomControl: true });
  window.yingjiMap = map;
  map.setView(center || L.latLng(35, 105), center ? zoom : 4);
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: data.attribution || "" }).addTo(map);
  } else {
    el.classList.add("map-no-tiles");
  }
  L.control.scale({ imperial: false }).addTo(map);
  var control = L.control.layers(null, null, { collapsed: window.innerWidth < 769 }).addTo(map);

  // ---- helpers -------------------------------------------------------------
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function safeColor(c) {
    return typeof c === "string" && /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl)a?\([0-9.,%\s]+\))$/.test(c)
      ? c : "#1f6fd1";
  }

  function overlayLabel(name, color) {
    return '<span class="layer-swatch" style="background:' + color + '"></span>' + escapeHtml(name);
  }

  async function fetchJson(url) {
    var resp = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
    });
    if (!resp.ok) throw new Error("HTTP " + resp.status);
    return resp.json();
  }

  function isScalar(v) {
    return v !== null && v !== undefined && v !== "" &&
      (typeof v === "string" || typeof v === "number" || typeof v === "boolean");
  }

  // Properties that locate or link a record: never popup rows, whatever a layer lists.
  var BOOKKEEPING = { id: true, name: true, registry: true, division_code: true, detail_url: true };

  // A same-origin path only ("/x", not "//host" nor "/\\host", which browsers read as a host).
  function localPath(u) {
    return typeof u === "string" && /^\/(?![\/\\])/.test(u) ? u : null;
  }

  // A property value as people read it: 是/否, numbers with at most 2 decimals, lists joined.
  function valueText(v) {
    if (typeof v === "boolean") return v ? "是" : "否";
    if (typeof v === "number") {
      return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
    }
    if (Array.isArray(v)) return v.filter(isScalar).map(valueText).join("、");
    return String(v);
  }

  // Leaflet inserts a string tooltip or popup as HTML: every one is given a DOM node instead.
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function titleOf(props) {
    return isScalar(props.name) ? String(props.name) : "（未命名）";
  }

  /* A popup: the layer, the record's name (linked to its page), then "字段：值" rows for the
   * layer's fields only ([property, 中文 label] pairs from the server), so keys never show. */
  function popupFor(props, layerName, fields) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var small = document.createElement("div");
    small.className = "layer-name";
    small.textContent = layerName;
    box.appendChild(small);
    var h = document.createElement("h3");
    var href = localPath(props.detail_url);
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = titleOf(props);
      h.appendChild(a);
    } else {
      h.textContent = titleOf(props);
    }
    box.appendChild(h);
    var table = document.createElement("table");
    fields.forEach(function (pair) {
      if (!Array.isArray(pair) || pair.length !== 2) return;
      var key = String(pair[0]);
      if (BOOKKEEPING[key]) return;
      var v = props[key];
      if (!(isScalar(v) || Array.isArray(v))) return;
      var text = valueText(v);
      if (text === "") return;
      var tr = table.insertRow();
      var th = document.createElement("th");
      th.textContent = String(pair[1]) + "：";
      tr.appendChild(th);
      tr.insertCell().textContent = text;
    });
    if (table.rows.length) box.appendChild(table);
    return box;
  }

  // ---- administrative divisions -------------------------------------------
  function levelWeight(level) {
    var l = String(level == null ? "" : level).toLowerCase();
    if (/^(province|city|county|district)$|^(省|市|县|区)/.test(l)) return 4;
    if (/^(town|township|street|subdistrict)$|乡|镇|街道/.test(l)) return 3;
    return 1;
  }

  var divisions = L.geoJSON(null, {
    style: function (f) {
      var w = levelWeight(f.properties && f.properties.level);
      return {
        color: "#0b3d91", weight: w, opacity: w > 1 ? 0.9 : 0.6,
        dashArray: w > 1 ? null : "4 3",
        fillColor: "#0b3d91", fillOpacity: w > 1 ? 0.03 : 0.02,
      };
    },
    onEachFeature: function (f, layer) {
      var p = f.properties || {};
      if (!isScalar(p.name)) return;
      var w = levelWeight(p.level);
      if (w === 3) {
        // township / street names always shown as labels
        layer.bindTooltip(textNode(String(p.name)), { permanent: true, direction: "center", className: "division-label" });
      } else {
        layer.bindTooltip(textNode(String(p.name)), { sticky: true });
      }
    },
  });
  // Boundaries stay under the point layers, whatever order things arrive in.
  map.on("overlayadd", function (e) { if (e.layer === divisions) divisions.bringToBack(); });

  var tasks = [];
  var failed = [];

  if (data.divisions) {
    divisions.addTo(map);
    control.addOverlay(divisions, overlayLabel("行政区划", "#0b3d91"));
    tasks.push(fetchJson(data.divisions).then(function (geo) {
      divisions.addData(geo);
      divisions.bringToBack();
      var b = divisions.getBounds();
      if (b.isValid()) map.fitBounds(b, { padding: [10, 10] });
      return true;
    }).catch(function (err) {
      failed.push("行政区划");
      showError("图层加载失败：行政区划");
      if (window.console) console.error("divisions", err);
      return false;
    }));
  }

  // ---- registry point layers ------------------------------------------------
  var pointLayers = [];
  layerDefs.forEach(function (def) {
    if (!def || !def.url) return;
    var name = String(def.name || def.id || "图层");
    var color = safeColor(def.color);
    var fields = Array.isArray(def.fields) ? def.fields : [];
    var layer = L.geoJSON(null, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {
          radius: 6, color: "#fff", weight: 1.5, fillColor: color, fillOpacity: 0.9,
        });
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties || {};
        lyr.bindPopup(function () { return popupFor(p, name, fields); }, { maxWidth: 320 });
        if (isScalar(p.name)) lyr.bindTooltip(textNode(String(p.name)), { direction: "top", offset: [0, -6] });
      },
    }).addTo(map);
    layer.yingjiId = def.id;
    pointLayers.push(layer);
    control.addOverlay(layer, overlayLabel(name, color));
    tasks.push(fetchJson(def.url).then(function (geo) {
      layer.addData(geo);
      return true;
    }).catch(function (err) {
      failed.push(name);
      showError("图层加载失败：" + name);
      if (window.console) console.error("layer " + name, err);
      return false;
    }));
  });

  Promise.all(tasks).then(function (results) {
    // Without divisions or a configured centre, frame whatever points arrived.
    var divisionsOk = data.divisions && results[0] === true && divisions.getBounds().isValid();
    if (!divisionsOk && !center) {
      var bounds = L.latLngBounds([]);
      pointLayers.forEach(function (l) { bounds.extend(l.getBounds()); });
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
    }
    el.setAttribute("data-state", "ready");
    el.dispatchEvent(new CustomEvent("yingji:map-ready", { detail: { failed: failed } }));
  });
})();
