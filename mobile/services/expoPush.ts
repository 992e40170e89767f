/**
 * This phone's Expo push token (native builds: expoPush.native.ts). The web build has no Expo
 * push: it uses Web Push (services/webpush.ts), so this says so instead.
 */
export const expoPushSupported = false;

export async function expoPushToken(): Promise<string> {
  throw new Error('Expo push is for the phone app; this browser uses Web Push');
}
