/** A bot's latest signal with each indicator's share of the score. */
import { StyleSheet, Text, View } from 'react-native';

import { Chip } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';

export interface SignalView {
  bot: 'safe' | 'aggressive';
  strategy: string;
  action: 'buy' | 'sell' | 'hold';
  confidence: number;
  score: number;
  timestamp: string;
  contributions: Record<string, number>;
}

export function SignalCard({ signal }: { signal: SignalView }) {
  const theme = useTheme();
  const { t, number, dateTime } = useFormat();
  const entries = Object.entries(signal.contributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const largest = Math.max(1e-9, ...entries.map(([, v]) => Math.abs(v)));
  return (
    <View testID={`signal-${signal.bot}`} style={[styles.box, { borderColor: theme.border }]}>
      <View style={styles.header}>
        <Text style={[styles.name, { color: theme.text }]}>
          {t(`bot.${signal.bot}`)} · {signal.strategy}
        </Text>
        <Chip
          testID={`signal-${signal.bot}-action`}
          tone={signal.action === 'buy' ? 'ok' : signal.action === 'sell' ? 'bad' : undefined}
          text={t(`signal.${signal.action}`)}
        />
      </View>
      <Text style={[styles.small, { color: theme.muted }]}>
        {t('signal.confidence', { value: number(signal.confidence) })} ·{' '}
        {t('signal.score', { value: number(signal.score) })} · {dateTime(signal.timestamp)}
      </Text>
      {entries.map(([name, value]) => (
        <View key={name} style={styles.bar}>
          <Text style={[styles.barName, { color: theme.text }]}>{name}</Text>
          <View style={styles.track}>
            <View
              style={{
                width: `${(Math.abs(value) / largest) * 100}%`,
                height: 8,
                borderRadius: 4,
                backgroundColor: value >= 0 ? theme.gain : theme.loss,
              }}
            />
          </View>
          <Text style={[styles.barValue, { color: theme.muted }]}>{number(value)}</Text>
        </View>
      ))}
    </View>
  );
}

const styles = StyleSheet.create({
  box: { borderWidth: 1, borderRadius: 10, padding: 12, gap: 6, flexGrow: 1, flexBasis: 300 },
  header: { flexDirection: 'row', justifyContent: 'space-between', alignItems: 'center' },
  name: { fontWeight: '600' },
  small: { fontSize: 12 },
  bar: { flexDirection: 'row', alignItems: 'center', gap: 8 },
  barName: { width: 110, fontSize: 12 },
  track: { flex: 1 },
  barValue: { width: 48, fontSize: 11, textAlign: 'right', fontVariant: ['tabular-nums'] },
});
