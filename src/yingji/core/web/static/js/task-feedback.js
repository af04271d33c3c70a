/* yingji — task feedback forms (plans/templates/tasks.html): attach the device's position.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
(function () {
  "use strict";
  // Feedback carries where it was sent from: fill the hidden fields once, if the user allows.
  var forms = document.querySelectorAll(".feedback-form");
  if (!forms.length || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (pos) {
    forms.forEach(function (form) {
      form.querySelector(".geo-lon").value = pos.coords.longitude.toFixed(6);
      form.querySelector(".geo-lat").value = pos.coords.latitude.toFixed(6);
      form.querySelector(".geo-status").textContent = "已附带当前位置";
    });
  }, function () {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
})();
