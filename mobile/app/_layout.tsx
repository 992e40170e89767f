/** Providers (server state, theme, i18n), the session restored at launch, the live socket. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { useEffect, useState } from 'react';
import { ActivityIndicator, Platform, View } from 'react-native';
import { useTranslation } from 'react-i18next';

import '@/i18n';
import { useLiveConnection } from '@/hooks/useLiveConnection';
import { useTheme } from '@/hooks/useTheme';
import { restoreSession } from '@/services/api';
import { keepSnapshots, readSnapshot, restoreSnapshot } from '@/services/snapshot';
import { registerServiceWorker } from '@/services/webpush';
import { ApiError } from '@/services/errors';
import { usePreferences } from '@/store/preferences';
import { useSession } from '@/store/session';

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // the last data stays on screen (with its age) while the server is away
        gcTime: 24 * 3600 * 1000,
        staleTime: 5_000,
        retry: (count, error) =>
          count < 2 && (!(error instanceof ApiError) || error.unreachable || error.status >= 500),
      },
      mutations: { retry: 0 },
    },
  });
}

/** The server this page came from (web), or the local default (native, editable on login). */
export function defaultServer(): string {
  if (Platform.OS === 'web' && typeof window !== 'undefined') return window.location.origin;
  return 'http://127.0.0.1:8000';
}

function Navigator() {
  const theme = useTheme();
  const { t } = useTranslation();
  const status = useSession((s) => s.status);
  useLiveConnection();
  if (status === 'restoring') {
    return (
      <View style={{ flex: 1, alignItems: 'center', justifyContent: 'center', backgroundColor: theme.background }}>
        <ActivityIndicator color={theme.primary} />
      </View>
    );
  }
  const signedIn = status === 'signedIn';
  return (
    <>
      <StatusBar style={theme.scheme === 'dark' ? 'light' : 'dark'} />
      <Stack
        screenOptions={{
          headerStyle: { backgroundColor: theme.card },
          headerTintColor: theme.text,
          contentStyle: { backgroundColor: theme.background },
        }}>
        <Stack.Protected guard={signedIn}>
          <Stack.Screen name="(tabs)" options={{ headerShown: false, title: t('app.name') }} />
          <Stack.Screen name="bot/[id]" options={{ title: t('bot.details') }} />
          <Stack.Screen name="backtest/[id]" options={{ title: t('backtest.result') }} />
          <Stack.Screen name="backtest/compare" options={{ title: t('backtest.compare') }} />
        </Stack.Protected>
        <Stack.Protected guard={!signedIn}>
          <Stack.Screen name="login" options={{ headerShown: false, title: t('login.title') }} />
        </Stack.Protected>
      </Stack>
    </>
  );
}

export default function RootLayout() {
  const [client] = useState(makeQueryClient);
  useEffect(() => {
    registerServiceWorker();
    void usePreferences.getState().load();
    void restoreSession(defaultServer(), async (server) => {
      const snapshot = await readSnapshot(server);
      if (!snapshot) return null;
      restoreSnapshot(client, snapshot);
      return snapshot.owner;
    });
    return keepSnapshots(client, () => {
      const { status, user, server } = useSession.getState();
      return status === 'signedIn' && user ? { server, username: user.username, role: user.role } : null;
    });
  }, [client]);
  return (
    <QueryClientProvider client={client}>
      <Navigator />
    </QueryClientProvider>
  );
}
