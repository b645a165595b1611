// Live updates for the Today page: poll /api/status every few seconds and
// refresh the figures in place; fetch the timeline again when a new event arrives.
// A static file (no inline script) so the Content-Security-Policy can forbid inline code.
(function () {
  "use strict";
  var card = document.getElementById("status");
  if (!card) { return; }
  var POLL_MS = Math.max(200, parseInt(card.getAttribute("data-poll-ms"), 10) || 4000);
  var lastEvent = card.getAttribute("data-last-event") || "";
  var day = card.getAttribute("data-day");
  var polls = 0;

  function hm(s) {
    if (s === null || s === undefined) { return "\u2013"; }
    if (s < 59.5) { return Math.round(s) + " s"; }
    var m = Math.round(s / 60);
    if (m >= 60) { return Math.floor(m / 60) + " h " + String(m % 60).padStart(2, "0") + " min"; }
    return m + " min";
  }
  function set(id, text) {
    var el = document.getElementById(id);
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function render(st) {
    var d = st.daemon, t = st.today;
    if (st.day !== day) { window.location.reload(); return; }  // a new desk day began
    card.className = "card status state-" + d.state;
    // the words come from the server (dashboard/today.py), so they match the page it rendered
    set("state", d.label);
    set("alert", d.alert_text);
    document.getElementById("alert").className = "alert-" + d.alert;
    set("bout", d.seated ? hm(d.bout_s) : "\u2013");
    set("next-prompt", d.next_prompt_in_s === null ? "\u2013" : hm(d.next_prompt_in_s));
    set("state-detail", d.detail);
    // only the buttons that mean something now (the server's list: dashboard/today.py)
    Array.prototype.forEach.call(card.querySelectorAll("button[name=action]"), function (b) {
      b.hidden = (d.actions || []).indexOf(b.value) < 0;
    });
    set("seated-today", hm(t.seated_s));
    var bar = document.getElementById("budget-bar");
    if (bar) {
      bar.setAttribute("width", Math.min(100, 100 * t.seated_s / st.budget_s).toFixed(1));
      bar.setAttribute("class", "budget-fill" + (t.seated_s > st.budget_s ? " over" : ""));
    }
    set("breaks", String(t.breaks));
    set("longest", hm(t.longest_bout_s));
    set("prompts", String(t.prompts));
    set("done", String(t.exercises_done));
    set("done-by", t.done_by_text);
    set("compliance-text", "Compliance: " + t.compliance_text);
    set("compliance", t.compliance_shown);  // the server's text: the same rounding as the page
    // redraw on a new event, while a seated span grows, and once a minute anyway (the "now" line)
    polls += 1;
    if ((st.last_event_id || "") !== lastEvent || d.seated || polls * POLL_MS >= 60000) {
      lastEvent = st.last_event_id || "";
      polls = 0;
      refreshTimeline();
    }
  }

  function refreshTimeline() {
    fetch("/partials/timeline", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        // parsed inertly (DOMParser runs no script); only the <svg> elements are taken
        var doc = new DOMParser().parseFromString(html, "text/html");
        var svgs = Array.prototype.slice.call(doc.querySelectorAll("body > svg"));
        if (!svgs.length) { return; }
        document.getElementById("timeline").replaceChildren.apply(
          document.getElementById("timeline"), svgs.map(function (n) { return document.importNode(n, true); }));
      })
      .catch(function () { /* next poll retries */ });
  }

  function poll() {
    fetch("/api/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (st) { if (st) { render(st); } card.classList.remove("offline"); })
      .catch(function () { card.classList.add("offline"); })
      .finally(function () { window.setTimeout(poll, POLL_MS); });
  }
  window.setTimeout(poll, POLL_MS);
})();
