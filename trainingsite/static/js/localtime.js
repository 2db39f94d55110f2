// One time convention for the whole site: the browser's local time, 24-hour, the zone named
// once. Rewrites <time datetime="…" data-localtime="time|date|datetime"> elements; add
// data-localtime-zone to name the zone after it ("21:33 (Europe/London)"); the footer's
// #site-time-zone names it once per page. Without this file the server's text (in the site's
// zone, saying so: trainingsite/templatetags/site_time.py) stays. attempt.js formats with window.siteTime too.
(function () {
  "use strict";

  function zoneName() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // "21:33": built by hand so every browser and locale shows the same 24-hour form.
  function formatTime(date) {
    return two(date.getHours()) + ":" + two(date.getMinutes());
  }

  // "3 June 2026": the day, the month's name in the page's language, the year.
  function formatDate(date) {
    var lang = document.documentElement.lang || "en";
    var month;
    try {
      month = new Intl.DateTimeFormat(lang, { month: "long" }).format(date);
    } catch (error) {
      month = String(date.getMonth() + 1);
    }
    return date.getDate() + " " + month + " " + date.getFullYear();
  }

  function withZone(text) {
    var zone = zoneName();
    return zone ? text + " (" + zone + ")" : text;
  }

  function rewrite(element) {
    var date = new Date(element.getAttribute("datetime"));
    if (isNaN(date.getTime())) {
      return;
    }
    var mode = element.dataset.localtime || "datetime";
    var text;
    if (mode === "time") {
      text = formatTime(date);
    } else if (mode === "date") {
      text = formatDate(date);
    } else {
      text = formatDate(date) + ", " + formatTime(date);
    }
    element.textContent = element.hasAttribute("data-localtime-zone") ? withZone(text) : text;
    element.dataset.localtimeDone = "1";
  }

  // The footer names the zone once for the whole page, when the page shows any moment.
  function nameZone() {
    var note = document.getElementById("site-time-zone");
    var zone = zoneName();
    if (!note || !zone || !document.querySelector("time[data-localtime-done]")) {
      return;
    }
    note.querySelector("[data-zone]").textContent = zone;
    note.hidden = false;
  }

  function rewriteAll(root) {
    (root || document).querySelectorAll("time[datetime][data-localtime]").forEach(rewrite);
    nameZone();
  }

  window.siteTime = {
    formatTime: formatTime,
    formatDate: formatDate,
    withZone: withZone,
    zoneName: zoneName,
    rewriteAll: rewriteAll,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { rewriteAll(); });
  } else {
    rewriteAll();
  }
})();
