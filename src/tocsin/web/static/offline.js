// Registers the offline inbox (sw.js) and tells it which alerts of the inbox to keep.
"use strict";

(function () {
  if (!("serviceWorker" in navigator)) return;
  var SHAREABLE = ["clear", "green", "amber"];

  function keepListedAlerts(worker) {
    var urls = [];
    document.querySelectorAll("tr[data-alert-id][data-tlp]").forEach(function (row) {
      if (SHAREABLE.indexOf(row.dataset.tlp) >= 0) urls.push("/alerts/" + row.dataset.alertId);
    });
    if (urls.length && worker) worker.postMessage({ type: "keep", urls: urls });
  }

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    if (document.body.dataset.signedIn === "yes") keepListedAlerts(registration.active);
    else if (registration.active) registration.active.postMessage({ type: "forget" });
  }).catch(function () { /* no offline inbox in this browser: the pages work as before */ });
})();
