// tocsin pages: small behaviours, no inline script anywhere (the CSP forbids them).
"use strict";

(function () {
  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function copyText(text, button) {
    if (!navigator.clipboard) return;
    navigator.clipboard.writeText(text).then(function () {
      if (button && button.dataset.copied) {
        var before = button.textContent;
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = before; }, 1500);
      }
    }, function () { /* clipboard refused: the value stays selectable */ });
  }

  function wireButtons() {
    document.addEventListener("click", function (event) {
      var target = event.target;
      if (!(target instanceof HTMLElement)) return;
      if (target.matches("button.copy")) copyText(target.dataset.copy || "", target);
      if (target.matches("button.copy-all")) {
        var values = Array.prototype.map.call(
          document.querySelectorAll(target.dataset.copyTarget || "code"),
          function (node) { return node.textContent; });
        copyText(values.join("\n"), target);
      }
      if (target.matches("button.print-button")) window.print();
      if (target.matches("button.fill-demo")) {
        var form = document.querySelector("form[action='/signin']");
        form.querySelector("input[name=email]").value = target.dataset.email || "";
        form.querySelector("input[name=password]").value = target.dataset.password || "";
      }
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  // Sound for critical alerts: off unless the reader ticks the box (kept in localStorage).
  var audio = null;
  function soundWanted() { return window.localStorage.getItem("tocsin.sound") === "on"; }
  function beep() {
    if (!soundWanted()) return;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = audio || new Context();
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.value = 0.15;
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.6);
  }
  function wireSound() {
    var toggle = document.getElementById("sound-toggle");
    if (!toggle) return;
    toggle.checked = soundWanted();
    toggle.addEventListener("change", function () {
      window.localStorage.setItem("tocsin.sound", toggle.checked ? "on" : "off");
    });
  }

  function showBanner(text, href) {
    var banner = document.getElementById("live-banner");
    if (!banner) return;
    banner.textContent = "";
    var link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    banner.appendChild(link);
    banner.hidden = false;
  }

  var UUID = /^[0-9a-f-]{36}$/;

  // Live inbox: the stream announces an alert; we fetch its row as this reader may see it.
  // A new alert goes on top; an update or a closure replaces the row where it stands.
  function placeRow(alertId, severity, action, table) {
    if (!UUID.test(alertId)) return;
    fetch("/alerts/" + alertId + "/row", { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      if (!html) return;
      var body = document.getElementById("inbox-rows");
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.querySelector("tr");
      if (!row || !body) return;
      row.classList.add("fresh");
      var existing = document.getElementById("alert-" + alertId);
      if (existing) existing.replaceWith(row);
      else body.insertBefore(row, body.firstChild);
      var empty = document.getElementById("inbox-empty");
      if (empty) empty.hidden = true;
      if (severity === "critical" && action === "alert.publish") {
        showBanner(table.dataset.criticalText + " : " + row.querySelector("a").textContent,
                   "/alerts/" + alertId);
        beep();
      }
    });
  }

  // An open alert page follows its alert: a new revision or a closure redraws the page
  // (unless the reader is typing, then only the banner says it changed).
  function redrawAlert(article) {
    var typing = Array.prototype.some.call(document.querySelectorAll("#alert-page textarea"),
      function (area) { return area.value.trim() !== ""; });
    var text = article.dataset.updatedText;
    if (typing) { showBanner(text, window.location.pathname); return; }
    fetch(window.location.pathname, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("alert-page");
      var current = document.getElementById("alert-page");
      if (!fresh || !current) return;
      current.replaceWith(fresh);
      showBanner(text, window.location.pathname);
    });
  }

  function openStream(url, handle) {
    var source = new EventSource(url, { withCredentials: true });
    ["alert.publish", "alert.update", "alert.close", "alert.retract"].forEach(function (name) {
      source.addEventListener(name, function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (e) { return; }
        // The stream's envelope carries the alert, as this reader may see it, under "data".
        var alert = data.data || data;
        handle(name, String(alert.id || ""), String(alert.severity || ""));
      });
    });
  }

  function wireStream() {
    if (!window.EventSource) return;
    var table = document.getElementById("inbox");
    if (table && table.dataset.stream) {
      openStream(table.dataset.stream, function (name, alertId, severity) {
        placeRow(alertId, severity, name, table);
      });
    }
    var article = document.getElementById("alert-page");
    if (article && article.dataset.stream) {
      openStream(article.dataset.stream, function (name, alertId) {
        var shown = document.getElementById("alert-page");
        if (shown && alertId === shown.dataset.alertId) redrawAlert(shown);
      });
    }
  }

  onReady(function () {
    wireButtons();
    wireSound();
    wireStream();
  });
})();
