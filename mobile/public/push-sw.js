/* The web build's service worker: shows the notifications the server pushes (Web Push), and
 * tells open pages about each one (they may refresh what they show). Payload: see
 * docs/notifications.md ("The service worker receives this JSON"). */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

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
