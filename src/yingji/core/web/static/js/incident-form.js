/* yingji — the incident intake form (incidents/templates/form.html): types follow the category.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
/* Only the chosen category's types are offered. */
(function () {
  "use strict";
  var category = document.getElementById("f-category");
  var type = document.getElementById("f-type");
  if (!category || !type) return;
  function update() {
    var groups = type.querySelectorAll("optgroup");
    var firstVisible = null;
    for (var i = 0; i < groups.length; i++) {
      var on = groups[i].getAttribute("data-category") === category.value;
      groups[i].hidden = !on;
      groups[i].disabled = !on;
      if (on && !firstVisible) firstVisible = groups[i].querySelector("option");
    }
    var current = type.options[type.selectedIndex];
    if ((!current || current.parentNode.disabled) && firstVisible) type.value = firstVisible.value;
  }
  category.addEventListener("change", update);
  update();
})();
