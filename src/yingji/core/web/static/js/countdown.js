/* yingji — deadline countdowns (.countdown[data-due][data-now], incidents/templates/_parts.html).
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
/* Deadline countdowns: start from the server's "now" and tick every second. */
(function () {
  "use strict";
  var started = Date.now();
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var els = document.querySelectorAll(".countdown[data-due]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var now = parseInt(el.getAttribute("data-now"), 10) + (Date.now() - started);
      var left = Math.round((parseInt(el.getAttribute("data-due"), 10) - now) / 1000);
      var abs = Math.abs(left);
      var text = Math.floor(abs / 3600) + ":" + pad(Math.floor(abs % 3600 / 60)) + ":" + pad(abs % 60);
      el.textContent = left >= 0 ? "剩余 " + text : "已超时 " + text;
      el.classList.toggle("overdue", left < 0);
    }
  }
  tick();
  setInterval(tick, 1000);
})();
