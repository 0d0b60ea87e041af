// Earshot's pages, a little live: the header's counts refresh every few seconds, the queue says when new items
// arrived, and keyboard shortcuts cover the common actions. A file, not inline script: the CSP allows only 'self'.
(function () {
  "use strict";
  var REFRESH_MS = 15000;

  function setCount(name, value) {
    document.querySelectorAll('[data-count="' + name + '"]').forEach(function (el) {
      el.textContent = String(value);
    });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function refreshCounts() {
    getJson("/api/queue/counts").then(function (data) {
      if (!data) { return; }
      Object.keys(data.teams).forEach(function (team) { setCount(team, data.teams[team]); });
      setCount("mine", data.mine);
      if ("links_to_review" in data) { setCount("links_to_review", data.links_to_review); }
    });
  }

  function watchQueue() {
    var total = document.querySelector("[data-live-total]");
    if (!total) { return; }
    var shown = Number(total.getAttribute("data-live-total"));
    getJson("/api/queue?" + total.getAttribute("data-query") + "&limit=1").then(function (data) {
      if (!data || data.total === shown) { return; }
      var notice = document.getElementById("queue-changed");
      notice.hidden = false;
      notice.querySelector("[data-changed-total]").textContent = String(data.total);
    });
  }

  function typing(event) {
    var target = event.target;
    return event.ctrlKey || event.metaKey || event.altKey || (target && (target.isContentEditable ||
      ["INPUT", "TEXTAREA", "SELECT", "BUTTON"].indexOf(target.tagName) >= 0));
  }

  function click(selector) {
    var el = document.querySelector(selector);
    if (el) { el.click(); }
    return Boolean(el);
  }

  function moveSelection(step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-item]"));
    if (!rows.length) { return false; }
    var current = rows.findIndex(function (row) { return row.classList.contains("selected"); });
    var next = current < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, current + step));
    if (current >= 0) { rows[current].classList.remove("selected"); }
    rows[next].classList.add("selected");
    rows[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  var keys = {
    j: function () { return moveSelection(1); },
    k: function () { return moveSelection(-1); },
    o: function () { return click("tr.selected a.open-item"); },
    Enter: function () { return click("tr.selected a.open-item"); },
    c: function () { return click('button[data-action="claim"]'); },
    e: function () { return click('button[data-action="resolve"]'); },
    n: function () { return click("#next-item"); },
    u: function () { return click("#back-to-queue"); },
    r: function () {
      var box = document.querySelector(".reply-box textarea");
      if (box) { box.focus(); }
      return Boolean(box);
    },
    "?": function () {
      var help = document.getElementById("shortcuts");
      if (help) { help.hidden = !help.hidden; }
      return Boolean(help);
    }
  };

  document.addEventListener("keydown", function (event) {
    if (typing(event) || !Object.prototype.hasOwnProperty.call(keys, event.key)) { return; }
    if (keys[event.key]()) { event.preventDefault(); }
  });

  if (document.querySelector("[data-count]")) {
    setInterval(function () { refreshCounts(); watchQueue(); }, REFRESH_MS);
  }
  window.earshotRefresh = function () { refreshCounts(); watchQueue(); };  // for the browser tests
}());
