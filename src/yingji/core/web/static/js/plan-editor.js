/* yingji — the plan editor (plans/templates/editor.html): add and remove level and template rows.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
/* Add and remove rows: a clone of the row template gets the next unused index, so the
   server reads levels-N-... and templates-N-... without gaps mattering. */
(function () {
  "use strict";
  var form = document.getElementById("plan-editor");
  if (!form) return;
  var next = {levels: +form.getAttribute("data-next-levels"),
              templates: +form.getAttribute("data-next-templates")};
  function add(button) {
    var group = button.getAttribute("data-group");
    var html = document.getElementById(button.getAttribute("data-template")).innerHTML;
    var box = document.createElement("div");
    box.innerHTML = html.replace(/__i__/g, String(next[group]++)).trim();
    var row = box.firstElementChild;
    document.getElementById(button.getAttribute("data-target")).appendChild(row);
    var first = row.querySelector("input, select");
    if (first) first.focus();
  }
  document.getElementById("add-level").addEventListener("click", function () { add(this); });
  document.getElementById("add-template").addEventListener("click", function () { add(this); });
  form.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("remove-row")) {
      var row = target.closest("[data-row]");
      if (row) row.parentNode.removeChild(row);
    }
  });
})();
