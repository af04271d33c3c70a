/* yingji — the grid report form (patrols/templates/grid_report_form.html): categories follow the report type.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
/* The category list follows the report type (hazard kinds or event categories). */
(function () {
  "use strict";
  var form = document.getElementById("grid-report-form");
  var type = document.getElementById("f-report_type");
  var category = document.getElementById("f-category");
  if (!form || !type || !category) return;
  var all = JSON.parse(form.getAttribute("data-categories"));
  type.addEventListener("change", function () {
    category.innerHTML = "";
    (all[type.value] || []).forEach(function (pair) {
      var o = document.createElement("option");
      o.value = pair[0]; o.textContent = pair[1];
      category.appendChild(o);
    });
  });
})();
