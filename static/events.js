/* Event pages: seats left and the waiting list follow "event.seats" live updates
   (see live.js). Each counter carries its singular and plural texts, already
   translated, with __N__ where the number goes. */
(function () {
  "use strict";
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;

  function show(el, n) {
    if (!el || typeof n !== "number") return;
    var form = rules ? rules.select(n) : (n === 1 ? "one" : "other");
    var text = el.getAttribute(form === "one" ? "data-one" : "data-other") || "";
    el.textContent = text.replace("__N__", String(n));
  }

  document.addEventListener("live:event.seats", function (event) {
    var message = event.detail || {};
    document.querySelectorAll('[data-live-seats="onsite"],[data-live-seats="online"]').forEach(function (el) {
      var place = el.getAttribute("data-live-seats");
      var value = place === "online" && message.online_seats_left !== null ? message.online_seats_left : message.seats_left;
      if (el.getAttribute("data-event") === String(message.id)) show(el, value);
    });
    document.querySelectorAll("[data-live-waiting]").forEach(function (el) {
      if (el.getAttribute("data-live-waiting") === String(message.id)) show(el, message.waiting);
    });
  });
})();
