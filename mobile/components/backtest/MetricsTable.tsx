/**
 * Every metric of one or more reports, one column each (exact money from its strings). The
 * metrics' names stay put while the reports' columns scroll sideways on a narrow screen; rows
 * have one height on both sides so that they stay in line.
 */
import { StyleSheet, Text, View } from 'react-native';

import { WideTable, table } from '@/components/backtest/WideTable';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { METRICS, metricText, type MetricsRow } from '@/lib/backtest';

export function MetricsTable({ reports, titles, testID = 'metrics' }: { reports: MetricsRow[]; titles: string[]; testID?: string }) {
  const theme = useTheme();
  const { t, money, locale } = useFormat();
  const line = [table.tr, styles.row, { borderColor: theme.border }];
  return (
    <View testID={testID} style={styles.split}>
      <View style={styles.names}>
        <View style={[...line, styles.header]}>
          <Text numberOfLines={3} style={[styles.name, { color: theme.muted }]}>
            {t('backtest.metric')}
          </Text>
        </View>
        {METRICS.map(([key]) => (
          <View key={key} style={line}>
            <Text numberOfLines={1} style={[styles.name, { color: theme.muted }]}>
              {t(`backtest.metrics.${key}`)}
            </Text>
          </View>
        ))}
      </View>
      <WideTable first={0} columns={reports.length} testID={`${testID}-values`}>
        <View style={[...line, styles.header]}>
          {titles.map((title) => (
            <Text key={title} numberOfLines={3} style={[table.td, table.head, { color: theme.text }]}>
              {title}
            </Text>
          ))}
        </View>
        {METRICS.map(([key, kind]) => (
          <View key={key} style={line}>
            {reports.map((report, i) => (
              <Text
                key={i}
                numberOfLines={1}
                testID={`${testID === 'metrics' ? 'metric' : testID}-${key}-${i}`}
                style={[table.td, { color: theme.text }]}>
                {metricText(report, key, kind, { money: (v) => money(v), locale })}
              </Text>
            ))}
          </View>
        ))}
      </WideTable>
    </View>
  );
}

const styles = StyleSheet.create({
  split: { flexDirection: 'row' },
  names: { width: 150 },
  name: { fontSize: 13 },
  row: { height: 22, paddingVertical: 0, alignItems: 'center' },
  // three lines: a long title ("Achat-conservation ETH/USDT") in a phone's narrow column
  header: { height: 54 },
});
