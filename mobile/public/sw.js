/* The web build's service worker.
 * - Offline: the app's shell (index.html and the files it loads) is kept in a cache, so the app
 *   still opens when the server is unreachable and shows the last known state (kept by the app
 *   itself, with its age). Network first: a reachable server always serves the fresh build.
 *   Nothing of the API (/api, /auth, /config, /ws, /health, /metrics) is ever cached.
 * - Web Push: shows the notifications the server pushes and tells open pages about each one.
 *   Payload: docs/notifications.md ("The service worker receives this JSON"). */
const SHELL = 'cryptotrader-shell-v1';
const API = /^\/(api|auth|config|ws|health|metrics|docs|openapi\.json)(\/|$)/;

async function keepShell() {
  const cache = await caches.open(SHELL);
  const page = await fetch('/', { cache: 'no-store' });
  const html = await page.clone().text();
  await cache.put('/', page);
  const files = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
  await Promise.all(files.map((file) => cache.add(file).catch(() => undefined)));
}

self.addEventListener('install', (event) => event.waitUntil(keepShell().then(() => self.skipWaiting())));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || API.test(url.pathname)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(SHELL);
      try {
        const fresh = await fetch(event.request);
        if (fresh.ok) await cache.put(event.request.mode === 'navigate' ? '/' : event.request, fresh.clone());
        return fresh;
      } catch (failure) {
        const kept = await cache.match(event.request.mode === 'navigate' ? '/' : event.request);
        if (kept) return kept;
        throw failure;
      }
    })(),
  );
});

self.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { title: 'CryptoTrader', body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    (async () => {
      await self.registration.showNotification(payload.title || 'CryptoTrader', {
        body: payload.body || '',
        tag: payload.tag,
        data: payload.data || {},
      });
      const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const page of pages) page.postMessage({ type: 'push', payload });
    })(),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    (async () => {
      const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      if (pages.length) return pages[0].focus();
      return self.clients.openWindow('/');
    })(),
  );
});
