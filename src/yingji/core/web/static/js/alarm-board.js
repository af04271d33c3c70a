/* yingji — the alarm board (alarms/templates/board.html): reload on a change from the event stream.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); the stream URL comes from #live-status[data-stream]. Plain ES2017.
 */
(function () {
  "use strict";
  if (!window.EventSource) return;
  var status = document.getElementById("live-status");
  if (!status) return;
  var source = new EventSource(status.getAttribute("data-stream"));
  source.addEventListener("hello", function () { status.textContent = "实时更新中"; });
  source.addEventListener("change", function () {
    // Do not throw away what somebody is typing into a clear form.
    var active = document.activeElement;
    if (active && (active.tagName === "INPUT" || active.tagName === "SELECT")) {
      status.textContent = "有新的报警变化，请刷新";
      return;
    }
    window.location.reload();
  });
  source.onerror = function () { status.textContent = "实时连接中断，正在重连"; };
})();
