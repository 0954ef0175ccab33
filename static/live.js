/* Live updates, as a progressive enhancement: every page works without it.
   Elements with data-live-channel="topic:42" name the channels to follow; each
   message becomes a "live:<type>" event on document. Also remembers the
   visitor's time zone in the tl_tz cookie.

   Events may have been missed when the socket was closed (a server restarting, a network
   change) or when the server says so ({"channel": C, "type": "resync"}, after an outage of
   its message bus): each channel concerned then gets a cancelable "live:resync" event; a
   script showing that channel its own way cancels it and refetches its part, otherwise
   the parts marked data-live-channel=C are refetched from the page's own URL. */
(function () {
  "use strict";

  /* The live region (#live-status) reads out what changed. Each text is added as a line
     of its own, so that updates arriving together are all read (instead of the last one
     replacing the others) and the same words twice are read twice; a line goes after a
     while. Other scripts speak through it with a "tl:say" event whose detail is the text. */
  function say(text) {
    var status = document.getElementById("live-status");
    if (!status || !text) return;
    var line = document.createElement("p");
    line.textContent = text;
    status.appendChild(line);
    setTimeout(function () { if (line.parentNode) line.parentNode.removeChild(line); }, 15000);
  }
  document.addEventListener("tl:say", function (event) { say(String(event.detail || "")); });

  if (!/(?:^|;\s*)tl_tz=/.test(document.cookie) && window.Intl) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) {
        document.cookie = "tl_tz=" + encodeURIComponent(zone) +
          "; path=/; max-age=31536000; SameSite=Lax";
      }
    } catch (e) { /* no zone: the server's default stays */ }
  }

  function start() {
    var channels = [];
    document.querySelectorAll("[data-live-channel]").forEach(function (el) {
      var name = el.getAttribute("data-live-channel");
      if (name && channels.indexOf(name) < 0) channels.push(name);
    });
    if (!channels.length || !window.WebSocket) return;

    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    var delay = 1000;

    function find(attr, value) {
      return document.querySelectorAll("[" + attr + '="' + value + '"]');
    }

    function announce(message) {
      var text = "";
      [find("data-live-count", message.type), find("data-live-channel", message.channel)]
        .forEach(function (list) {
          list.forEach(function (el) {
            text = text || el.getAttribute("data-live-announce") || "";
          });
        });
      say(text);
    }

    var refetching = null;

    function refetch(names) {
      // one fetch of the page for every channel to refresh; its parts replace ours
      if (refetching || !window.fetch || !window.DOMParser) return;
      refetching = fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          names.forEach(function (name) {
            var mine = find("data-live-channel", name);
            var theirs = fresh.querySelectorAll('[data-live-channel="' + name + '"]');
            for (var i = 0; i < mine.length && i < theirs.length; i++) {
              mine[i].innerHTML = theirs[i].innerHTML;  // our own server's page
            }
          });
        })
        .catch(function () { /* the next update or a reload shows the current state */ })
        .then(function () { refetching = null; });
    }

    function resync(names) {
      var rest = names.filter(function (name) {
        var event = new CustomEvent("live:resync", { detail: { channel: name }, cancelable: true });
        return document.dispatchEvent(event);  // false: a script refetched it itself
      });
      if (rest.length) refetch(rest);
    }

    function receive(message) {
      // subscription replies carry no type; names are checked before use in selectors
      if (!/^[a-z_.]+$/.test(message.type || "") ||
          !/^[a-z_]+(:[\w-]+)?$/.test(message.channel || "")) return;
      if (message.type === "resync") {
        if (channels.indexOf(message.channel) >= 0) resync([message.channel]);
        return;
      }
      find("data-live-count", message.type).forEach(function (el) {
        var n = parseInt(el.textContent, 10);
        el.textContent = String((isNaN(n) ? 0 : n) + 1);
        el.hidden = false;
      });
      document.dispatchEvent(new CustomEvent("live:" + message.type, { detail: message }));
      announce(message);
    }

    var opened = false;  // once opened, a new socket may have missed events in between

    function connect() {
      var socket = new WebSocket(url);
      socket.onopen = function () {
        delay = 1000;
        channels.forEach(function (name) {
          socket.send(JSON.stringify({ subscribe: name }));
        });
        if (opened) resync(channels);
        opened = true;
      };
      socket.onmessage = function (event) {
        var message;
        try { message = JSON.parse(event.data); } catch (e) { return; }
        if (message && typeof message === "object") receive(message);
      };
      socket.onclose = function () {
        setTimeout(connect, delay + Math.random() * 1000);
        delay = Math.min(delay * 2, 30000);
      };
    }

    connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* Relative times: <time datetime data-relative="replace"> shows "il y a 3 h" (the absolute
   time the server wrote stays as its title); data-relative="add" keeps the absolute time
   and adds "(dans 2 jours)". Kept current every minute; without JavaScript the absolute
   time shows. */
(function () {
  "use strict";
  if (!window.Intl || !Intl.RelativeTimeFormat) return;
  var format = new Intl.RelativeTimeFormat(document.documentElement.lang || "fr", { numeric: "auto" });
  var UNITS = [["second", 60], ["minute", 60], ["hour", 24], ["day", 7], ["week", 4.35], ["month", 12], ["year", Infinity]];

  function relative(date) {
    var value = (date.getTime() - Date.now()) / 1000;
    if (Math.abs(value) < 45) return format.format(0, "second");
    for (var i = 0; i < UNITS.length; i++) {
      if (Math.abs(value) < UNITS[i][1] || i === UNITS.length - 1) return format.format(Math.round(value), UNITS[i][0]);
      value /= UNITS[i][1];
    }
    return "";
  }

  function refresh() {
    var times = document.querySelectorAll("time[data-relative]");
    for (var i = 0; i < times.length; i++) {
      var node = times[i];
      var date = new Date(node.getAttribute("datetime"));
      if (isNaN(date.getTime())) continue;
      if (node.getAttribute("data-relative") === "replace") {
        if (!node.title) node.title = node.textContent;
        node.textContent = relative(date);
      } else {
        var extra = node.nextElementSibling;
        if (!extra || !extra.classList.contains("relative-time")) {
          extra = document.createElement("span");
          extra.className = "relative-time";
          node.parentNode.insertBefore(extra, node.nextSibling);
        }
        extra.textContent = " (" + relative(date) + ")";
      }
    }
  }

  document.addEventListener("tl:refresh-times", refresh);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", refresh);
  else refresh();
  setInterval(refresh, 60000);
})();

/* Drafts across an expired form: the page that refused it shows the texts with
   data-draft-path and data-draft-name; they are kept in sessionStorage and put back into the
   empty field of that name when the person, signed in again, is back on that page. */
(function () {
  "use strict";
  var KEY = "tl:drafts";
  function load() {
    try { return JSON.parse(window.sessionStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function save(drafts) {
    try { window.sessionStorage.setItem(KEY, JSON.stringify(drafts)); } catch (e) { /* private mode: nothing kept */ }
  }
  function run() {
    var drafts = load();
    var kept = document.querySelectorAll("[data-draft-path][data-draft-name]");
    for (var i = 0; i < kept.length; i++) {
      var path = kept[i].getAttribute("data-draft-path").split("#")[0];
      drafts[path + "|" + kept[i].getAttribute("data-draft-name")] = kept[i].value;
    }
    if (kept.length) { save(drafts); return; }
    var here = window.location.pathname + window.location.search;
    var changed = false;
    Object.keys(drafts).forEach(function (key) {
      var cut = key.lastIndexOf("|");
      if (key.slice(0, cut) !== here && key.slice(0, cut) !== window.location.pathname) return;
      var fields = document.getElementsByName(key.slice(cut + 1));
      for (var j = 0; j < fields.length; j++) {
        var field = fields[j];
        if ((field.tagName === "TEXTAREA" || field.type === "text") && !field.value) {
          field.value = drafts[key];
          delete drafts[key];
          changed = true;
          break;
        }
      }
    });
    if (changed) save(drafts);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
