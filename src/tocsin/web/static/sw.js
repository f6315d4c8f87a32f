// The offline inbox. When the hospital's network is down, the pages a signed-in person
// already saw (the inbox, the alerts, the dashboard, the relay board) still show their last
// known state, with a banner saying so. Only pages this browser was served are kept, so a
// reader sees offline exactly what the hub showed them; signing out forgets them all.
"use strict";

const PAGES = "tocsin-pages-v1";
const SHELL = "tocsin-shell-v1";
const SHELL_FILES = [
  "/static/app.css", "/static/app.js", "/static/offline.js", "/static/favicon.svg",
  "/static/vendor/htmx.min.js",
];
const KEPT = /^\/(inbox|dashboard|relay|alerts\/[0-9a-f-]{36})$/;
const FORGETTING = /^\/(signout|signin|organisation)$/;
const WORDS = {
  fr: { offline: "Hors ligne, état au", none: "Hors ligne : cette page n'a pas encore été consultée sur cet appareil.", back: "Retour à la boîte de réception" },
  en: { offline: "Offline, as of", none: "Offline: this page was not opened on this device yet.", back: "Back to the inbox" },
};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

function forget() {
  return caches.delete(PAGES);
}

async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set("X-Tocsin-Kept-At", new Date().toISOString());
  return new Response(await response.text(), { status: response.status, headers: headers });
}

async function keep(url, response) {
  const type = response.headers.get("content-type") || "";
  if (!response.ok || response.redirected || !type.startsWith("text/html")) return;
  const cache = await caches.open(PAGES);
  await cache.put(url, await stamped(response));
}

function languageOf(html) {
  const match = /<html lang="(\w+)"/.exec(html);
  return match && match[1] === "en" ? "en" : "fr";
}

function moment(iso, html) {
  const zone = (/data-time-zone="([^"]+)"/.exec(html) || [])[1] || "Europe/Paris";
  const locale = languageOf(html) === "en" ? "en-GB" : "fr-FR";
  return new Date(iso).toLocaleString(locale, {
    timeZone: zone, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

function withBanner(html, keptAt) {
  const words = WORDS[languageOf(html)];
  const banner = '<div class="offline-banner" id="offline-banner" role="status">' +
    words.offline + " " + moment(keptAt, html) + "</div>";
  return html.replace(/(<body[^>]*>)/, "$1" + banner);
}

function nothingKept(request) {
  const words = WORDS[(self.navigator.language || "fr").startsWith("en") ? "en" : "fr"];
  const html = '<!doctype html><html><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<link rel="stylesheet" href="/static/app.css"></head><body>' +
    '<div class="offline-banner" role="status">' + words.none + "</div>" +
    '<main><p><a href="/inbox">' + words.back + "</a></p></main></body></html>";
  return new Response(html, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
}

async function fromCache(request) {
  const cache = await caches.open(PAGES);
  const hit = await cache.match(request.url);
  if (!hit) return nothingKept(request);
  const html = withBanner(await hit.text(), hit.headers.get("X-Tocsin-Kept-At"));
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
}

async function page(request) {
  try {
    const response = await fetch(request);
    if (response.redirected && new URL(response.url).pathname === "/signin") await forget();
    else await keep(request.url, response.clone());
    return response;
  } catch (error) {
    return fromCache(request);
  }
}

async function shellFile(request) {
  try {
    const response = await fetch(request);
    if (response.ok) (await caches.open(SHELL)).put(request, response.clone());
    return response;
  } catch (error) {
    return (await caches.match(request)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (FORGETTING.test(url.pathname) && (request.method === "POST" || url.pathname === "/signin")) {
    event.waitUntil(forget());
    return;
  }
  if (request.method !== "GET") return;
  if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(shellFile(request));
  } else if (request.mode === "navigate" && KEPT.test(url.pathname) && !url.search) {
    event.respondWith(page(request));
  }
});

// The inbox names the alerts it lists that may be kept for the offline inbox (never
// AMBER+STRICT or RED: fetching them would count as a read in the audit trail).
async function prefetch(urls) {
  const cache = await caches.open(PAGES);
  for (const url of urls.slice(0, 50)) {
    if (!KEPT.test(new URL(url, self.location.origin).pathname)) continue;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(url, await stamped(response));
    } catch (error) {
      return; // offline meanwhile: what is kept stays
    }
  }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) event.waitUntil(prefetch(data.urls));
  if (data.type === "forget") event.waitUntil(forget());
});
