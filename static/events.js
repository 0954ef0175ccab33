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
    refreshMyPlace(message.id);
  });

  /* A person on the waiting list may have moved up or got a place: read their line again
     from the page itself (the server words it), and say it when it changed. */
  function refreshMyPlace(id) {
    var mine = document.querySelector('#my-registration[data-waiting="' + id + '"]');
    if (!mine || !window.fetch || !window.DOMParser) return;
    fetch(location.href, {credentials: "same-origin", headers: {Accept: "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("my-registration");
        if (!fresh || fresh.textContent === mine.textContent) return;
        mine.textContent = fresh.textContent;
        if (fresh.hasAttribute("data-waiting")) mine.setAttribute("data-waiting", fresh.getAttribute("data-waiting"));
        else mine.removeAttribute("data-waiting");
        document.dispatchEvent(new CustomEvent("tl:say", {detail: fresh.textContent}));
      })
      .catch(function () { /* the next update, or a reload, shows it */ });
  }
})();
