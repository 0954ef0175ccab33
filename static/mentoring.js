/* A mentoring thread's new messages appear without reload (live.js delivers them); the page
   works without it. Text is set with textContent: nothing received is read as HTML. */
(function () {
  "use strict";
  var list = document.getElementById("thread-list");
  if (!list) return;
  var channel = list.getAttribute("data-live-channel");
  var empty = document.getElementById("thread-empty");
  document.addEventListener("live:mentoring.message", function (event) {
    var message = event.detail || {};
    if (message.channel !== channel || !message.id) return;
    if (document.getElementById("message-" + message.id)) return;
    var item = document.createElement("li");
    item.id = "message-" + message.id;
    var head = document.createElement("p");
    var who = document.createElement("strong");
    who.textContent = String(message.author || "");
    head.appendChild(who);
    var body = document.createElement("p");
    body.className = "message-body";
    body.textContent = String(message.body || "");
    item.appendChild(head);
    item.appendChild(body);
    list.appendChild(item);
    if (empty) empty.hidden = true;
  });
})();
