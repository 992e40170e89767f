/** Every metric of one or more reports, one column each (exact money from its strings). */
import { StyleSheet, Text, View } from 'react-native';

import { WideTable, table } from '@/components/backtest/WideTable';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { METRICS, metricText, type MetricsRow } from '@/lib/backtest';

export function MetricsTable({ reports, titles, testID = 'metrics' }: { reports: MetricsRow[]; titles: string[]; testID?: string }) {
  const theme = useTheme();
  const { t, money, locale } = useFormat();
  return (
    <WideTable first={LABEL_WIDTH} columns={reports.length}>
      <View testID={testID}>
        <View style={[table.tr, { borderColor: theme.border }]}>
          <Text style={[styles.th, { color: theme.muted }]}>{t('backtest.metric')}</Text>
          {titles.map((title) => (
            <Text key={title} style={[table.td, table.head, { color: theme.text }]}>
              {title}
            </Text>
          ))}
        </View>
        {METRICS.map(([key, kind]) => (
          <View key={key} style={[table.tr, { borderColor: theme.border }]}>
            <Text style={[styles.th, { color: theme.muted }]}>{t(`backtest.metrics.${key}`)}</Text>
            {reports.map((report, i) => (
              <Text key={i} testID={`${testID === 'metrics' ? 'metric' : testID}-${key}-${i}`} style={[table.td, { color: theme.text }]}>
                {metricText(report, key, kind, { money: (v) => money(v), locale })}
              </Text>
            ))}
          </View>
        ))}
      </View>
    </WideTable>
  );
}

/** A metric's name. */
const LABEL_WIDTH = 170;

const styles = StyleSheet.create({
  th: { width: LABEL_WIDTH, fontSize: 13 },
});
