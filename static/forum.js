/* Forum enhancements (the pages work without them): new replies announced with a
   button instead of moving the text being read, live scores and solved state, and
   similar questions suggested while a title is typed. */
(function () {
  "use strict";

  function say(text) {  // through live.js, which keeps every text read out (see there)
    document.dispatchEvent(new CustomEvent("tl:say", { detail: text }));
  }

  function topicPage(box) {
    var channel = "topic:" + box.getAttribute("data-topic-id");
    var last = parseInt(box.getAttribute("data-last-number"), 10) || 0;
    var pending = 0;
    var button = box.querySelector("[data-new-replies]");
    var holder = box.querySelector(".live-new");
    var changed = box.querySelector(".live-changed");
    var list = document.getElementById("posts");

    function ours(event) { return event.detail && event.detail.channel === channel; }

    function label() {
      return pending === 1 ? button.getAttribute("data-one")
        : button.getAttribute("data-many").replace("__N__", String(pending));
    }

    document.addEventListener("live:post.created", function (event) {
      if (!ours(event) || (event.detail.number || 0) <= last) return;
      pending = event.detail.number - last;
      button.textContent = label();
      holder.hidden = false;
      say(label());
    });

    button.addEventListener("click", function () {
      if (box.getAttribute("data-on-last-page") !== "yes") {
        location.href = box.getAttribute("data-unread-url");  // the new posts are on a later page
        return;
      }
      var url = box.getAttribute("data-after-url") + "?after=" + last;
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      }).then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;  // server-rendered, sanitised posts
        var first = template.content.querySelector("article");
        template.content.querySelectorAll("article").forEach(function (article) {
          var n = parseInt(article.getAttribute("data-post-number"), 10) || 0;
          if (n > last) last = n;
        });
        list.appendChild(template.content);
        pending = 0;
        holder.hidden = true;
        if (first) {
          var shown = document.getElementById(first.id);
          if (shown) { shown.setAttribute("tabindex", "-1"); shown.focus(); }
        }
      }).catch(function () { location.reload(); });
    });

    document.addEventListener("live:vote.changed", function (event) {
      if (!ours(event)) return;
      document.querySelectorAll('[data-post-score="' + Number(event.detail.id) + '"]').forEach(function (el) {
        el.textContent = String(Number(event.detail.score));
      });
    });

    // events may have been missed (live.js): ask the server for replies after the last one
    // shown, and offer them with the same button
    document.addEventListener("live:resync", function (event) {
      if (!ours(event)) return;
      event.preventDefault();
      fetch(box.getAttribute("data-after-url") + "?after=" + last, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var template = document.createElement("template");
          template.innerHTML = html;
          var newest = last;
          template.content.querySelectorAll("article").forEach(function (article) {
            newest = Math.max(newest, parseInt(article.getAttribute("data-post-number"), 10) || 0);
          });
          if (newest > last) {
            pending = newest - last;
            button.textContent = label();
            holder.hidden = false;
            say(label());
          }
        }).catch(function () { /* the next update or a reload shows them */ });
    });

    function showChanged() { if (changed) changed.hidden = false; }
    document.addEventListener("live:post.updated", function (event) { if (ours(event)) showChanged(); });
    document.addEventListener("live:topic.solved", function (event) {
      if (!ours(event)) return;
      var badge = box.querySelector("[data-topic-solved]");
      if (badge) badge.hidden = !event.detail.post_id;
      showChanged();
    });
  }

  function similar(section) {
    var input = document.getElementById("f-title");
    if (!input || !window.fetch) return;
    var list = section.querySelector("ul");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var title = input.value.trim();
        if (title.length < 6) return;
        fetch("/api/v1/forum/similar?title=" + encodeURIComponent(title))
          .then(function (response) { return response.ok ? response.json() : { items: [] }; })
          .then(function (data) {
            list.textContent = "";
            (data.items || []).forEach(function (item) {
              var li = document.createElement("li"), a = document.createElement("a");
              a.href = "/forum/t/" + Number(item.id);
              a.textContent = item.title;
              li.appendChild(a);
              list.appendChild(li);
            });
            section.hidden = !(data.items || []).length;
          });
      }, 400);
    });
  }

  function start() {
    var box = document.querySelector("[data-topic-id]");
    if (box) topicPage(box);
    var section = document.querySelector("[data-similar]");
    if (section) similar(section);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
