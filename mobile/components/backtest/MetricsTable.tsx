/**
 * Every metric of one or more reports, one column each (exact money from its strings). The
 * metrics' names stay put while the reports' columns scroll sideways on a narrow screen, whole
 * columns at a time; rows have one height on both sides so that they stay in line. On a phone
 * the names take 40 % of the width (the longest, "Sommet du drawdown", fits 118 px), leaving
 * room for two whole columns at 390 px.
 */
import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { WideTable, snapStart, table } from '@/components/backtest/WideTable';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { METRICS, metricText, type MetricsRow } from '@/lib/backtest';

export function MetricsTable({ reports, titles, testID = 'metrics' }: { reports: MetricsRow[]; titles: string[]; testID?: string }) {
  const theme = useTheme();
  const { t, money, locale } = useFormat();
  const [width, setWidth] = useState(0);
  const line = [table.tr, styles.row, { borderColor: theme.border }];
  // a metric none of the reports has (a multi-pair run's candles) is left out, not a row of dashes
  const metrics = METRICS.filter(([key]) => reports.some((r) => r[key] !== null && r[key] !== undefined));
  return (
    <View testID={testID} style={styles.split} onLayout={(e) => setWidth(Math.floor(e.nativeEvent.layout.width))}>
      <View testID={`${testID}-names`} style={{ width: namesWidth(width) }}>
        <View style={[...line, styles.header]}>
          <Text numberOfLines={3} style={[styles.name, { color: theme.muted }]}>
            {t('backtest.metric')}
          </Text>
        </View>
        {metrics.map(([key]) => (
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
            <Text key={title} numberOfLines={3} style={[table.td, table.head, snapStart, { color: theme.text }]}>
              {title}
            </Text>
          ))}
        </View>
        {metrics.map(([key, kind]) => (
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

/** The names' column: 150 px, or 40 % of a narrow table (118 px at least). */
export function namesWidth(width: number): number {
  return width > 0 && width < 375 ? Math.round(Math.max(118, width * 0.4)) : 150;
}

const styles = StyleSheet.create({
  split: { flexDirection: 'row' },
  name: { fontSize: 13 },
  row: { height: 22, paddingVertical: 0, alignItems: 'center' },
  // three lines: a long title ("Achat-conservation ETH/USDT") in a phone's narrow column
  header: { height: 54 },
});
