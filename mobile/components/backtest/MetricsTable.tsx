/** Every metric of one or more reports, one column each (exact money from its strings). */
import { StyleSheet, Text, View } from 'react-native';

import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { METRICS, metricText, type MetricsRow } from '@/lib/backtest';

export function MetricsTable({ reports, titles, testID = 'metrics' }: { reports: MetricsRow[]; titles: string[]; testID?: string }) {
  const theme = useTheme();
  const { t, money, locale } = useFormat();
  return (
    <View testID={testID}>
      <View style={[styles.tr, { borderColor: theme.border }]}>
        <Text style={[styles.th, { color: theme.muted }]}>{t('backtest.metric')}</Text>
        {titles.map((title) => (
          <Text key={title} style={[styles.td, styles.head, { color: theme.text }]}>
            {title}
          </Text>
        ))}
      </View>
      {METRICS.map(([key, kind]) => (
        <View key={key} style={[styles.tr, { borderColor: theme.border }]}>
          <Text style={[styles.th, { color: theme.muted }]}>{t(`backtest.metrics.${key}`)}</Text>
          {reports.map((report, i) => (
            <Text key={i} testID={`${testID === 'metrics' ? 'metric' : testID}-${key}-${i}`} style={[styles.td, { color: theme.text }]}>
              {metricText(report, key, kind, { money: (v) => money(v), locale })}
            </Text>
          ))}
        </View>
      ))}
    </View>
  );
}

const styles = StyleSheet.create({
  tr: { flexDirection: 'row', borderBottomWidth: StyleSheet.hairlineWidth, paddingVertical: 3 },
  th: { width: 170, fontSize: 13 },
  td: { flex: 1, fontSize: 13, textAlign: 'right', fontVariant: ['tabular-nums'] },
  head: { fontWeight: '600' },
});
