/**
 * Tells the user what the connection is doing and how old the data on screen is: live, or
 * reconnecting in N s, or the API down; never a blank screen.
 */
import { useEffect, useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { useLive } from '@/store/live';

export function ConnectionBanner({
  dataAt,
  apiError,
  onRetry,
}: {
  /** when the screen's data was last fetched (epoch ms), 0 if never */
  dataAt: number;
  /** the last request's failure, if it failed */
  apiError?: string | null;
  onRetry?: () => void;
}) {
  const theme = useTheme();
  const { t, age } = useFormat();
  const status = useLive((s) => s.status);
  const lastEventAt = useLive((s) => s.lastEventAt);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const freshest = Math.max(dataAt, lastEventAt ?? 0);
  const since = freshest ? age(freshest, now) : '—';

  let message: string | null = null;
  if (apiError) message = t('connection.apiDown', { detail: apiError, age: since });
  else if (status.kind === 'waiting')
    message = t('connection.reconnecting', {
      seconds: Math.max(0, Math.ceil((status.retryAt - now) / 1000)),
      age: since,
    });

  if (!message) {
    const live = status.kind === 'live';
    return (
      <View style={styles.line} testID="connection-ok">
        <View
          style={[styles.dot, { backgroundColor: live ? theme.gain : theme.muted }]}
          accessibilityLabel={live ? t('connection.live') : t('connection.connecting')}
        />
        <Text testID="connection-state" style={[styles.small, { color: theme.muted }]}>
          {live ? t('connection.live') : t('connection.connecting')}
          {freshest ? ` · ${t('common.updated', { age: since })}` : ''}
        </Text>
      </View>
    );
  }
  return (
    <View
      testID="connection-banner"
      accessibilityRole="alert"
      style={[styles.banner, { backgroundColor: theme.warning }]}>
      <Text style={[styles.text, { color: theme.warningText }]}>{message}</Text>
      {onRetry ? (
        <Pressable accessibilityRole="button" onPress={onRetry}>
          <Text style={[styles.retry, { color: theme.warningText }]}>{t('common.retry')}</Text>
        </Pressable>
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  line: { flexDirection: 'row', alignItems: 'center', gap: 6, marginBottom: 8 },
  dot: { width: 8, height: 8, borderRadius: 4 },
  small: { fontSize: 12 },
  banner: {
    borderRadius: 8,
    padding: 10,
    marginBottom: 10,
    flexDirection: 'row',
    alignItems: 'center',
    gap: 12,
  },
  text: { flex: 1, fontSize: 13 },
  retry: { fontWeight: '700', fontSize: 13 },
});
