/* Forum enhancements (the pages work without them): new replies announced with a
   button instead of moving the text being read, live scores and solved state,
   similar questions suggested while a title is typed, and people suggested while an
   @handle is typed. */
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

  /* People suggested while an @handle is typed in a message. The text box stays a text box
     (HTML allows no other role on a textarea, nor aria-expanded on a text box): it says
     that it offers a list (aria-autocomplete, aria-controls) and which suggestion is the
     active one (aria-activedescendant); the list is a listbox of options; the number found
     is read out. Up and down arrows choose, Enter or Tab inserts, Escape closes, a click
     inserts. */
  var TYPED_HANDLE = null, lists = 0;
  try {  // a browser that cannot read Unicode classes in a pattern gets no suggestions, the rest runs
    TYPED_HANDLE = new RegExp("(?:^|[^\\p{L}\\p{N}_@])@([\\p{L}\\p{N}_.-]{1,80})$", "u");
  } catch (e) { /* the text box stays as it is */ }

  function mentions(box) {
    var textarea = box.querySelector("textarea");
    if (!textarea || !window.fetch || !TYPED_HANDLE) return;
    var url = box.getAttribute("data-mentions");
    var id = "mention-list-" + (++lists);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", box.getAttribute("data-mentions-label"));
    list.hidden = true;
    textarea.insertAdjacentElement("afterend", list);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", id);
    var options = [], active = -1, timer = null, asked = 0, dismissed = null;

    function typed() {  // the handle written just before the caret (after its "@"), or null
      if (textarea.selectionStart !== textarea.selectionEnd) return null;
      var found = TYPED_HANDLE.exec(textarea.value.slice(0, textarea.selectionStart));
      return found ? found[1] : null;
    }

    function close() {
      clearTimeout(timer);
      asked++;  // an answer still on its way is not shown
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }

    function activate(index) {
      active = index;
      options.forEach(function (option, n) { option.setAttribute("aria-selected", n === index ? "true" : "false"); });
      textarea.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function insert(index) {
      var handle = typed(), chosen = options[index];
      if (handle === null || !chosen) { close(); return; }
      var end = textarea.selectionStart;
      textarea.setRangeText(chosen.getAttribute("data-handle") + " ", end - handle.length, end, "end");
      close();
      textarea.focus();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));  // as if typed (drafts)
    }

    function show(people) {
      list.textContent = "";
      options = people.slice(0, 8).map(function (person, n) {
        var option = document.createElement("li"), name = document.createElement("span");
        var handle = document.createElement("span");
        option.id = id + "-" + n;
        option.setAttribute("role", "option");
        option.setAttribute("data-handle", String(person.handle));
        name.textContent = String(person.name);
        handle.className = "handle";
        handle.textContent = " @" + String(person.handle);
        option.appendChild(name);
        option.appendChild(handle);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keeps the focus
        option.addEventListener("click", function () { insert(n); });
        list.appendChild(option);
        return option;
      });
      if (!options.length) { close(); return; }
      list.hidden = false;
      activate(0);
      say(options.length === 1 ? box.getAttribute("data-mentions-one")
        : box.getAttribute("data-mentions-many").replace("__N__", String(options.length)));
    }

    function lookup() {
      var handle = typed();
      if (handle === null || handle === dismissed) { close(); return; }
      dismissed = null;
      clearTimeout(timer);
      timer = setTimeout(function () {
        var ticket = ++asked;
        fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(handle), {
          credentials: "same-origin", headers: { Accept: "application/json" }
        }).then(function (response) {
          return response.ok ? response.json() : [];
        }).then(function (people) {
          if (ticket === asked && typed() === handle) show(Array.isArray(people) ? people : []);
        }).catch(function () { close(); });
      }, 200);
    }

    textarea.addEventListener("input", lookup);
    textarea.addEventListener("click", lookup);
    textarea.addEventListener("keyup", function (event) {
      if (["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(event.key) >= 0) lookup();
    });
    textarea.addEventListener("blur", close);
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || event.isComposing) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        var step = event.key === "ArrowDown" ? 1 : options.length - 1;
        activate((active + step) % options.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && active >= 0) {
        insert(active);
      } else if (event.key === "Escape") {
        dismissed = typed();
        close();
      } else {
        return;
      }
      event.preventDefault();
    });
  }

  function start() {
    var box = document.querySelector("[data-topic-id]");
    if (box) topicPage(box);
    var section = document.querySelector("[data-similar]");
    if (section) similar(section);
    document.querySelectorAll("[data-mentions]").forEach(mentions);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
