/**
 * This phone's Expo push token, for the API's Expo channel (docs/notifications.md): asks the
 * notification permission first. The project id comes from the app config (EAS), when set.
 */
import Constants from 'expo-constants';
import * as Notifications from 'expo-notifications';

export const expoPushSupported = true;

export async function expoPushToken(): Promise<string> {
  const current = await Notifications.getPermissionsAsync();
  const allowed = current.granted || (await Notifications.requestPermissionsAsync()).granted;
  if (!allowed) throw new Error('notifications are not allowed for this app in the phone settings');
  const projectId: string | undefined =
    Constants.expoConfig?.extra?.eas?.projectId ?? Constants.easConfig?.projectId ?? undefined;
  return (await Notifications.getExpoPushTokenAsync(projectId ? { projectId } : undefined)).data;
}
