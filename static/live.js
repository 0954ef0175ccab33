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
