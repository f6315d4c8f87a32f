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

  // Live inbox: the stream announces an alert; we fetch its row as this reader may see it.
  function insertRow(alertId, severity, table) {
    if (!/^[0-9a-f-]{36}$/.test(alertId) || document.getElementById("alert-" + alertId)) return;
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
      body.insertBefore(row, body.firstChild);
      var empty = document.getElementById("inbox-empty");
      if (empty) empty.hidden = true;
      if (severity === "critical") {
        showBanner(table.dataset.criticalText + " : " + row.querySelector("a").textContent,
                   "/alerts/" + alertId);
        beep();
      }
    });
  }

  function wireStream() {
    var table = document.getElementById("inbox");
    if (!table || !table.dataset.stream || !window.EventSource) return;
    var source = new EventSource(table.dataset.stream, { withCredentials: true });
    function handle(event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      // The stream's envelope carries the alert, as this reader may see it, under "data".
      var alert = data.data || data;
      insertRow(String(alert.id || ""), String(alert.severity || ""), table);
    }
    ["alert.publish", "alert.update"].forEach(function (name) {
      source.addEventListener(name, handle);
    });
  }

  onReady(function () {
    wireButtons();
    wireSound();
    wireStream();
  });
})();
