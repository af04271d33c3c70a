/* yingji — the "locate me" button of report forms (patrols/templates/_locate.html).
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
(function () {
  "use strict";
  var button = document.getElementById("locate-me");
  var note = document.getElementById("locate-status");
  if (!button) return;
  function say(text) { if (note) note.textContent = text; }
  if (!navigator.geolocation) {
    button.disabled = true;
    say("此浏览器不支持定位，请在地图上点选位置。");
    return;
  }
  button.addEventListener("click", function () {
    say("正在定位…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lon = document.getElementById("f-longitude");
      var lat = document.getElementById("f-latitude");
      lon.value = pos.coords.longitude.toFixed(6);
      lat.value = pos.coords.latitude.toFixed(6);
      lon.dispatchEvent(new Event("change"));
      lat.dispatchEvent(new Event("change"));
      say("已定位（精度约 " + Math.round(pos.coords.accuracy) + " 米）。");
    }, function () {
      say("无法获取位置（未授权或信号弱），请在地图上点选位置。");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });
})();
