/* yingji — small page behaviours, no framework (plain ES2017).
 * - .nav-toggle button opens/closes the navigation on phones;
 *   .nav-group-title buttons open/close their submenu.
 * - Any element with data-confirm="…" asks for confirmation before its click
 *   (links, buttons) or submit (forms) goes ahead; runs before htmx sees it.
 * - htmx requests carry the CSRF token from <meta name="csrf-token"> as the
 *   X-CSRF-Token header.
 * - Cells of table.data (the data_table macro) without a data-label get their
 *   column's header text, so the phone layout (a card per row) names every value.
 */
(function () {
  "use strict";

  function navFor(toggle) {
    var id = toggle.getAttribute("aria-controls");
    return (id && document.getElementById(id)) || document.querySelector(".app-nav");
  }

  function setNavOpen(toggle, open) {
    var nav = navFor(toggle);
    if (!nav) return;
    nav.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function closeGroups(except) {
    var open = document.querySelectorAll(".nav-group.is-open");
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except) open[i].classList.remove("is-open");
    }
  }

  document.addEventListener("click", function (ev) {
    var target = ev.target instanceof Element ? ev.target : null;
    if (!target) return;

    var toggle = target.closest(".nav-toggle");
    if (toggle) {
      setNavOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }

    var title = target.closest(".nav-group-title");
    if (title && title.tagName !== "A") {
      var group = title.closest(".nav-group");
      var sub = group && group.querySelector(".submenu");
      if (!sub) return;
      var style = window.getComputedStyle(sub);
      // Phones: the submenu sits in the flow, toggle what is seen. Desktop: it
      // drops down on hover/focus too; a click pins it open or unpins it.
      var mobile = style.position === "static";
      var open = mobile ? style.display === "none" : !group.classList.contains("is-open");
      if (!mobile) closeGroups(group);
      group.classList.toggle("is-open", open);
      group.classList.toggle("is-closed", !open);
      title.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }

    if (!target.closest(".app-nav")) closeGroups(null);
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    closeGroups(null);
    var toggles = document.querySelectorAll('.nav-toggle[aria-expanded="true"]');
    for (var i = 0; i < toggles.length; i++) setNavOpen(toggles[i], false);
  });

  // ---- data-confirm ------------------------------------------------------
  // Capture phase, so a refusal stops the event before htmx or the browser acts.
  document.addEventListener("click", function (ev) {
    var target = ev.target instanceof Element ? ev.target : null;
    var el = target && target.closest("[data-confirm]");
    if (!el || el.tagName === "FORM") return;
    if (el.disabled) return;
    if (!window.confirm(el.getAttribute("data-confirm"))) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  // ---- CSRF token for htmx -----------------------------------------------
  document.addEventListener("htmx:configRequest", function (ev) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var token = meta && meta.getAttribute("content");
    if (token && ev.detail && ev.detail.headers) {
      ev.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // ---- column names for the phone card layout ------------------------------
  function labelCells(root) {
    var tables = (root || document).querySelectorAll("table.data");
    for (var t = 0; t < tables.length; t++) {
      var heads = tables[t].querySelectorAll("thead th");
      if (!heads.length) continue;
      var rows = tables[t].querySelectorAll("tbody tr");
      for (var r = 0; r < rows.length; r++) {
        var cells = rows[r].children;
        for (var c = 0; c < cells.length && c < heads.length; c++) {
          var text = heads[c].textContent.trim();
          if (text && !cells[c].hasAttribute("data-label") && !cells[c].hasAttribute("colspan")) {
            cells[c].setAttribute("data-label", text);
          }
        }
      }
    }
  }
  labelCells(document);
  document.addEventListener("htmx:afterSwap", function (ev) { labelCells(ev.target); });
})();
