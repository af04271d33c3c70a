/* yingji — the stock movement form (resources/supplies/templates/movement_form.html).
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
/* Show the fields the chosen kind uses; a required one gets its asterisk. The server reads
   only those fields, so values left in hidden ones do no harm. */
(function () {
  "use strict";
  var form = document.getElementById("movement-form");
  if (!form) return;
  var fields = JSON.parse(form.getAttribute("data-kind-fields"));
  var required = JSON.parse(form.getAttribute("data-kind-required"));
  var kind = form.querySelector("#f-kind");
  function update() {
    var shown = fields[kind.value];
    var needed = required[kind.value] || [];
    var boxes = form.querySelectorAll("[data-field]");
    for (var i = 0; i < boxes.length; i++) {
      var name = boxes[i].getAttribute("data-field");
      boxes[i].style.display = !shown || shown.indexOf(name) >= 0 ? "" : "none";
      if (needed.indexOf(name) >= 0) boxes[i].classList.add("required");
      else if (!boxes[i].querySelector("[required]")) boxes[i].classList.remove("required");
    }
    var label = form.querySelector('label[for="f-warehouse_id"]');
    if (label) label.textContent = kind.value === "transfer" ? "调出仓库" : "仓库";
  }
  kind.addEventListener("change", update);
  update();
  // One click, one movement: the reference already makes a resend harmless.
  form.addEventListener("submit", function () {
    var button = form.querySelector('button[type="submit"]');
    if (button) setTimeout(function () { button.disabled = true; }, 0);
  });
  window.addEventListener("pageshow", function () {
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = false;  // back from the list: the form is usable again
  });
})();
