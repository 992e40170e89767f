/**
 * A finished portfolio backtest over several pairs: safe vs aggressive vs combined (every
 * metric, with each pair's buy & hold), their equity curves, and each pair's share of each
 * bot's trading (trades, win rate, net P&L, fees, refused entries). Money from the API's strings.
 */
import { useMemo, useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import BacktestCurves, { type Curve } from '@/components/BacktestCurves';
import { MetricsTable } from '@/components/backtest/MetricsTable';
import { PORTFOLIO_COLORS } from '@/components/backtest/PortfolioResult';
import { Card, Choice, Label } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { displayCurve, drawdownCurve, metricText } from '@/lib/backtest';
import type { Schemas } from '@/services/api';

type Run = Schemas['MultiPairRunPublic'];
const BOTS = ['safe', 'aggressive'] as const;

/** One row per pair and bot, then the pair's buy & hold. */
function PairsTable({ run }: { run: Run }) {
  const theme = useTheme();
  const { t, money, locale } = useFormat();
  const head = ['portfolio.pair', 'portfolio.bot', 'portfolio.trades', 'portfolio.winRate', 'portfolio.netPnl', 'portfolio.fees', 'portfolio.refused'];
  const cell = [styles.td, { color: theme.text }];
  return (
    <View testID="multipair-pairs">
      <View style={[styles.tr, { borderColor: theme.border }]}>
        {head.map((key) => (
          <Text key={key} style={[styles.td, styles.head, { color: theme.muted }]}>
            {t(key)}
          </Text>
        ))}
      </View>
      {run.pairs.map((pair) => (
        <View key={pair}>
          {BOTS.map((bot) => {
            const share = run.bots[bot].pairs[pair];
            if (!share) return null;
            return (
              <View key={bot} testID={`multipair-share-${pair}-${bot}`} style={[styles.tr, { borderColor: theme.border }]}>
                <Text style={cell}>{pair}</Text>
                <Text style={cell}>{t(`portfolio.${bot}`)}</Text>
                <Text style={cell}>{share.total_trades}</Text>
                <Text style={cell}>{share.win_rate === null ? '—' : `${(share.win_rate * 100).toFixed(1)} %`}</Text>
                <Text style={cell}>{money(share.net_pnl)}</Text>
                <Text style={cell}>{money(share.fees_paid)}</Text>
                <Text style={cell}>{share.refused_entries}</Text>
              </View>
            );
          })}
          {run.buy_and_hold[pair] ? (
            <View style={[styles.tr, { borderColor: theme.border }]}>
              <Text style={cell}>{pair}</Text>
              <Text style={[styles.td, styles.wide, { color: theme.muted }]}>
                {t('portfolio.holdReturn')}: {metricText(run.buy_and_hold[pair], 'total_return', 'pct', { money, locale })}
              </Text>
            </View>
          ) : null}
        </View>
      ))}
    </View>
  );
}

export function MultiPairResult({ runs }: { runs: Run[] }) {
  const theme = useTheme();
  const { t, ratio } = useFormat();
  const [shown, setShown] = useState(() => (runs.find((r) => Number(r.reallocation_ratio) === 0.3) ?? runs[0])?.reallocation_ratio ?? '');
  const run = runs.find((r) => r.reallocation_ratio === shown) ?? runs[0];
  const colors = useMemo(() => ({ background: theme.card, text: theme.text, grid: theme.border }), [theme]);
  const curves: Curve[] = useMemo(() => {
    if (!run) return [];
    const lines = [
      { key: 'safe' as const, curve: run.bots.safe },
      { key: 'aggressive' as const, curve: run.bots.aggressive },
      { key: 'combined' as const, curve: run },
    ];
    return lines.map(({ key, curve }) => {
      const equity = displayCurve(curve, 1500);
      return { label: t(`portfolio.${key}`), color: PORTFOLIO_COLORS[key], equity, drawdown: drawdownCurve(equity) };
    });
  }, [run, t]);
  if (!run) return null;
  const holds = run.pairs.filter((p) => run.buy_and_hold[p]);
  return (
    <>
      <Card
        testID="multipair-compare"
        title={t('portfolio.compareTitle', { ratio: ratio(run.reallocation_ratio, { places: 0 }) })}
        right={
          runs.length > 1 ? (
            <Choice
              testID="multipair-ratio"
              options={runs.map((r) => r.reallocation_ratio)}
              value={run.reallocation_ratio}
              label={(o) => ratio(o, { places: 0 })}
              onChange={setShown}
            />
          ) : undefined
        }>
        <Label>{t('portfolio.pairs', { pairs: run.pairs.join(', ') })}</Label>
        <MetricsTable
          testID="multipair-metrics"
          reports={[run.bots.safe, run.bots.aggressive, run, ...holds.map((p) => run.buy_and_hold[p]!)]}
          titles={[t('portfolio.safe'), t('portfolio.aggressive'), t('portfolio.combined'), ...holds.map((p) => `${t('portfolio.buyAndHold')} ${p}`)]}
        />
      </Card>
      <Card title={t('portfolio.pairsTitle', { ratio: ratio(run.reallocation_ratio, { places: 0 }) })}>
        <PairsTable run={run} />
      </Card>
      <Card title={t('portfolio.curves')} testID="multipair-curves">
        <BacktestCurves curves={curves} colors={colors} dom={{ scrollEnabled: false, style: { height: 400 } }} height={400} />
      </Card>
    </>
  );
}

const styles = StyleSheet.create({
  tr: { flexDirection: 'row', borderBottomWidth: StyleSheet.hairlineWidth, paddingVertical: 3 },
  td: { flex: 1, fontSize: 13, textAlign: 'right', fontVariant: ['tabular-nums'] },
  wide: { flex: 6 },
  head: { fontWeight: '600' },
});
