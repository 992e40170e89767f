/**
 * Where the app keeps things between launches.
 *
 * Native: everything in SecureStore (Keychain / Keystore). Web: settings (server URL, theme,
 * language) in localStorage; the access token only ever in memory; the refresh token in
 * localStorage only when the user ticked "keep me signed in" (it rotates on every use and is
 * revoked by signing out), otherwise in memory, so a reload asks to sign in again.
 */
import * as SecureStore from 'expo-secure-store';
import { Platform } from 'react-native';

const PREFIX = 'cryptotrader.';
const web = Platform.OS === 'web';

function webStorage(): Storage | null {
  return typeof window !== 'undefined' && window.localStorage ? window.localStorage : null;
}

export async function readSetting(key: string): Promise<string | null> {
  if (web) return webStorage()?.getItem(PREFIX + key) ?? null;
  return SecureStore.getItemAsync(PREFIX + key);
}

export async function writeSetting(key: string, value: string | null): Promise<void> {
  if (web) {
    const storage = webStorage();
    if (value === null) storage?.removeItem(PREFIX + key);
    else storage?.setItem(PREFIX + key, value);
    return;
  }
  if (value === null) await SecureStore.deleteItemAsync(PREFIX + key);
  else await SecureStore.setItemAsync(PREFIX + key, value);
}

/** The refresh token kept for the next launch, or null. */
export function readRefreshToken(): Promise<string | null> {
  return readSetting('refresh');
}

/** Keeps (or forgets, with null) the refresh token for the next launch. */
export function keepRefreshToken(token: string | null): Promise<void> {
  return writeSetting('refresh', token);
}
