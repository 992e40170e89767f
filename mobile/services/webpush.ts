/**
 * Web Push for the web build (docs/notifications.md): the service worker `/sw.js`, the
 * browser's subscription with the server's VAPID key, and the device registered with the API.
 */
import { Platform } from 'react-native';

import { api, call, type Schemas } from '@/services/api';

export function webPushSupported(): boolean {
  return (
    Platform.OS === 'web' &&
    typeof navigator !== 'undefined' &&
    'serviceWorker' in navigator &&
    typeof window !== 'undefined' &&
    'PushManager' in window &&
    'Notification' in window
  );
}

/** A base64url VAPID key as the bytes `applicationServerKey` wants. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Asks permission, subscribes this browser and registers it; returns the device. */
export async function subscribeThisBrowser(label: string): Promise<Schemas['NotificationDevicePublic']> {
  if (!webPushSupported()) throw new Error('this browser has no Web Push');
  if ((await Notification.requestPermission()) !== 'granted') {
    throw new Error('notifications are blocked for this site in the browser');
  }
  const registration = await navigator.serviceWorker.register('/sw.js');
  await navigator.serviceWorker.ready;
  const { public_key } = await call(api().GET('/api/notifications/vapid-public-key'));
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(public_key) }));
  const json = subscription.toJSON() as Schemas['WebPushDeviceCreate']['subscription'];
  return call(api().POST('/api/notifications/devices', { body: { channel: 'webpush', subscription: json, label } }));
}

/** Unsubscribes this browser (when it is subscribed) and forgets the device on the server. */
export async function removeDevice(device: Schemas['NotificationDevicePublic']): Promise<void> {
  if (device.channel === 'webpush' && webPushSupported()) {
    const registration = await navigator.serviceWorker.getRegistration('/sw.js');
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
  }
  await call(api().DELETE('/api/notifications/devices/{device_id}', { params: { path: { device_id: device.id } } }));
}

/**
 * Registers the service worker at launch (web): it keeps the app's shell for offline starts
 * and receives Web Push. Failing to register only loses those two; the app runs on.
 */
export function registerServiceWorker(): void {
  if (Platform.OS !== 'web' || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}
