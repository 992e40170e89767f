/**
 * Several finished runs side by side: every metric in one table (exact figures) and the
 * equity curves overlaid with their drawdowns (thinned for display).
 */
import { useLocalSearchParams } from 'expo-router';
import { useMemo } from 'react';
import { ScrollView, StyleSheet } from 'react-native';

import BacktestCurves, { type Curve } from '@/components/BacktestCurves';
import { MetricsTable } from '@/components/backtest/MetricsTable';
import { portfolioColumns } from '@/components/backtest/PortfolioCurves';
import { runTitle } from '@/components/backtest/RunList';
import { Card, ErrorLine, Label } from '@/components/ui';
import { useBacktestResults } from '@/hooks/backtests';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { defaultRun, displayCurve, drawdownCurve, type MetricsRow } from '@/lib/backtest';
import type { Schemas } from '@/services/api';
import { messageOf } from '@/services/errors';

type Column = { report: MetricsRow & { equity_curve: Schemas['EquityPointPublic'][] }; title: string };

const COLORS = ['#2563eb', '#f59e0b', '#10b981', '#a855f7', '#ef4444', '#0ea5e9', '#84cc16'];

export default function CompareScreen() {
  const theme = useTheme();
  const { t, locale } = useFormat();
  const { ids } = useLocalSearchParams<{ ids: string }>();
  const jobIds = useMemo(() => (ids ?? '').split(',').map(Number).filter((n) => n > 0), [ids]);
  const results = useBacktestResults(jobIds);
  const columns = useMemo(
    () =>
      (results.data ?? []).flatMap((result): Column[] => {
        // a portfolio run: its safe, aggressive and combined columns at the default ratio
        const run = defaultRun(result.portfolio ?? []);
        if (run) {
          return portfolioColumns(run, t).map((c) => ({ report: c.row, title: `${runTitle(result.job, locale)} · ${c.title}` }));
        }
        return result.results.map((report) => ({
          report,
          title: `${runTitle(result.job, locale)}${result.results.length > 1 ? ` · ${report.strategy}` : ''}`,
        }));
      }),
    [results.data, t, locale],
  );
  const curves: Curve[] = useMemo(() => {
    // the display budget is shared: ~3000 points in all, whatever the number of runs
    const each = Math.max(300, Math.floor(3000 / Math.max(1, columns.length)));
    return columns.map(({ report, title }, i) => {
      const equity = displayCurve(report, each);
      return { label: title, color: COLORS[i % COLORS.length]!, equity, drawdown: drawdownCurve(equity) };
    });
  }, [columns]);
  const colors = useMemo(() => ({ background: theme.card, text: theme.text, grid: theme.border }), [theme]);
  if (results.error) return <ErrorLine message={messageOf(results.error)} />;
  if (!results.data) return <Label>{t('common.loading')}</Label>;
  return (
    <ScrollView testID="backtest-compare-view" contentContainerStyle={styles.page}>
      <Card title={t('backtest.compareTitle', { count: columns.length })}>
        <MetricsTable reports={columns.map((c) => c.report)} titles={columns.map((c) => c.title)} />
      </Card>
      <Card title={t('backtest.equityCurves')} testID="compare-curves">
        <BacktestCurves curves={curves} colors={colors} dom={{ scrollEnabled: false, style: { height: 420 } }} height={420} />
      </Card>
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  page: { padding: 14, maxWidth: 1200, width: '100%', alignSelf: 'center' },
});
