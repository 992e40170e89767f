/**
 * One finished backtest: every metric, the equity curve with its drawdown under it, the
 * trades as markers on the candle chart, the trade list (drawn after the first paint), and the
 * parameters actually used.
 */
import { useLocalSearchParams } from 'expo-router';
import { useMemo } from 'react';
import { ScrollView, StyleSheet, View } from 'react-native';

import BacktestCurves, { type Curve } from '@/components/BacktestCurves';
import { MetricsTable } from '@/components/backtest/MetricsTable';
import { MultiPairResult } from '@/components/backtest/MultiPairResult';
import { PortfolioResult } from '@/components/backtest/PortfolioResult';
import { RequestSummary, StrategySummary } from '@/components/backtest/RequestSummary';
import { runTitle } from '@/components/backtest/RunList';
import { TradeList } from '@/components/backtest/TradeList';
import PriceChart, { type ChartData } from '@/components/PriceChart';
import { Card, ErrorLine, Label } from '@/components/ui';
import { useBacktestResult, useCandles } from '@/hooks/backtests';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { displayCurve, drawdownCurve, strategyParts } from '@/lib/backtest';
import type { Schemas } from '@/services/api';
import { messageOf } from '@/services/errors';

type Report = Schemas['BacktestReportPublic'];
const BOTS = ['safe', 'aggressive'] as const;

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function TradeChart({ report, request }: { report: Report; request: Record<string, unknown> }) {
  const theme = useTheme();
  const { t } = useFormat();
  const market = {
    exchange: String(request.exchange ?? 'binance'),
    pair: report.pair,
    timeframe: report.timeframe as Schemas['Timeframe'],
  };
  const candles = useCandles(market, report.end);
  const data: ChartData | null = useMemo(() => {
    const rows = candles.data?.data ?? [];
    if (!rows.length) return null;
    const first = seconds(rows[0]!.time);
    const markers: ChartData['markers'] = [];
    for (const trade of report.trades) {
      if (trade.entry_time && seconds(trade.entry_time) >= first) {
        markers.push({ time: seconds(trade.entry_time), kind: 'entry', side: 'buy', text: t('trade.entry') });
      }
      if (trade.exit_time && seconds(trade.exit_time) >= first) {
        markers.push({ time: seconds(trade.exit_time), kind: 'exit', side: 'sell', text: trade.reason ?? t('trade.exit') });
      }
    }
    markers.sort((a, b) => a.time - b.time);
    return {
      time: rows.map((c) => seconds(c.time)),
      open: rows.map((c) => c.open),
      high: rows.map((c) => c.high),
      low: rows.map((c) => c.low),
      close: rows.map((c) => c.close),
      series: {},
      markers,
    };
  }, [candles.data, report.trades, t]);
  const colors = useMemo(
    () => ({ background: theme.card, text: theme.text, grid: theme.border, up: theme.gain, down: theme.loss }),
    [theme],
  );
  return (
    <Card title={t('backtest.tradesOnChart')} right={<Label>{t('backtest.lastCandles', { count: data?.time.length ?? 0 })}</Label>}>
      {data ? (
        <PriceChart data={data} colors={colors} height={360} dom={{ scrollEnabled: false, style: { height: 360 } }} />
      ) : (
        <Label>{candles.error ? messageOf(candles.error) : t('common.loading')}</Label>
      )}
    </Card>
  );
}

export default function BacktestResultScreen() {
  const theme = useTheme();
  const { t, dateTime, locale } = useFormat();
  const { id } = useLocalSearchParams<{ id: string }>();
  const result = useBacktestResult(Number(id));
  const colors = useMemo(() => ({ background: theme.card, text: theme.text, grid: theme.border }), [theme]);
  const curves: Curve[] = useMemo(
    () =>
      (result.data?.results ?? []).map((report, i) => {
        const equity = displayCurve(report, 1500);
        return { label: report.strategy, color: ['#2563eb', '#f59e0b', '#10b981', '#a855f7', '#ef4444'][i % 5]!, equity, drawdown: drawdownCurve(equity) };
      }),
    [result.data],
  );
  if (result.error) return <ErrorLine message={messageOf(result.error)} />;
  const data = result.data;
  if (!data) return <Label>{t('common.loading')}</Label>;
  const request = data.job.request;
  const portfolio = data.portfolio ?? [];
  const multipair = data.multipair ?? [];
  // a portfolio run of several pairs or of one: the same header, its own result view
  const run = multipair[0] ?? portfolio[0];
  if (run) {
    const span = multipair[0] ?? portfolio[0]!.bots.safe;
    const market = multipair[0] ? multipair[0].pairs.join(', ') : portfolio[0]!.bots.safe.pair;
    return (
      <ScrollView testID="backtest-result" contentContainerStyle={styles.page}>
        <Card title={runTitle(data.job, locale)} testID="backtest-header">
          <Label>
            {market} · {span.timeframe} · {span.start?.slice(0, 10)} → {span.end?.slice(0, 10)}
            {data.job.finished_at ? ` · ${dateTime(data.job.finished_at)}` : ''}
          </Label>
          <RequestSummary request={request} kind={data.job.kind}>
            {BOTS.map((bot) => {
              const report = run.bots[bot];
              return (
                <StrategySummary
                  key={bot}
                  testID={`strategy-${bot}`}
                  who={t(`portfolio.${bot}`)}
                  label={report.strategy}
                  settings={'settings' in report ? report.settings : undefined}
                />
              );
            })}
          </RequestSummary>
        </Card>
        {multipair.length ? <MultiPairResult runs={multipair} /> : <PortfolioResult runs={portfolio} />}
      </ScrollView>
    );
  }
  return (
    <ScrollView testID="backtest-result" contentContainerStyle={styles.page}>
      <Card title={data.job.name ?? `#${data.job.id} · ${data.results.map((r) => strategyParts(r.strategy).name).join(' / ')}`} testID="backtest-header">
        <Label>
          {data.results[0]?.pair} · {data.results[0]?.timeframe} · {data.results[0]?.start?.slice(0, 10)} →{' '}
          {data.results[0]?.end?.slice(0, 10)}
          {data.job.finished_at ? ` · ${dateTime(data.job.finished_at)}` : ''}
        </Label>
        <RequestSummary request={request} kind={data.job.kind}>
          <View testID="backtest-parameters" style={styles.strategies}>
            {data.results.map((report, i) => (
              <StrategySummary key={report.strategy} testID={`strategy-${i}`} label={report.strategy} settings={report.settings} />
            ))}
          </View>
        </RequestSummary>
      </Card>
      <Card title={t('backtest.metricsTitle')}>
        <MetricsTable reports={data.results} titles={data.results.map((r) => r.strategy)} />
      </Card>
      <Card title={t('backtest.equityCurve')} testID="backtest-equity">
        <BacktestCurves curves={curves} colors={colors} dom={{ scrollEnabled: false, style: { height: 380 } }} />
      </Card>
      {data.results[0] ? <TradeChart report={data.results[0]} request={request} /> : null}
      {data.results.map((report) => (
        <TradeList key={`trades-${report.strategy}`} trades={report.trades} title={t('backtest.tradeList', { count: report.trades.length })} />
      ))}
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  page: { padding: 14, maxWidth: 1100, width: '100%', alignSelf: 'center' },
  strategies: { gap: 6 },
});
