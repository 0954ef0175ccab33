/* Open slot lists follow the "helpdesk" channel (see live.js): a slot taken elsewhere is
   struck out at once; a freed one is counted, with a link to reload. */
(function () {
  "use strict";
  document.addEventListener("live:helpdesk.slots", function (event) {
    var data = event.detail || {};
    if (data.free || !data.helper_id || !data.starts_at) return;
    var key = String(data.helper_id) + "@" + String(data.starts_at);
    document.querySelectorAll("[data-slot]").forEach(function (item) {
      if (item.getAttribute("data-slot") !== key) return;
      item.classList.add("taken");
      item.querySelectorAll("a, button").forEach(function (control) {
        control.setAttribute("aria-disabled", "true");
        control.removeAttribute("href");
        if (control.tagName === "BUTTON") control.disabled = true;
      });
    });
  });
})();
