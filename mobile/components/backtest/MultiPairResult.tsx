/**
 * A finished portfolio backtest over several pairs: safe vs aggressive vs combined (every
 * metric, with each pair's buy & hold), their equity curves, and each pair's share of each
 * bot's trading (trades, win rate, net P&L, fees, refused entries). Money from the API's strings.
 */
import { useMemo, useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import BacktestCurves, { type Curve } from '@/components/BacktestCurves';
import { PortfolioCompare } from '@/components/backtest/PortfolioCompare';
import { PORTFOLIO_COLORS } from '@/components/backtest/PortfolioResult';
import { table } from '@/components/backtest/WideTable';
import { Card, Label } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { displayCurve, drawdownCurve, metricText } from '@/lib/backtest';
import type { Schemas } from '@/services/api';

type Run = Schemas['MultiPairRunPublic'];
const BOTS = ['safe', 'aggressive'] as const;
type Share = NonNullable<Run['bots']['safe']['pairs'][string]>;

/**
 * Each pair on its own: its buy & hold return, then one column per bot (trades, win rate, net
 * P&L, fees, refused entries). Three columns fit a phone; pairs sit side by side when wide.
 */
function PairsTable({ run }: { run: Run }) {
  const theme = useTheme();
  const { t, money, locale, number } = useFormat();
  const cell = [table.td, { color: theme.text }];
  const rows: [string, (share: Share) => string][] = [
    ['portfolio.trades', (s) => String(s.total_trades)],
    ['portfolio.winRate', (s) => (s.win_rate === null ? '—' : `${number(s.win_rate * 100, 1)} %`)],
    ['portfolio.netPnl', (s) => money(s.net_pnl)],
    ['portfolio.fees', (s) => money(s.fees_paid)],
    ['portfolio.refused', (s) => String(s.refused_entries)],
  ];
  return (
    <View testID="multipair-pairs" style={styles.pairs}>
      {run.pairs.map((pair) => {
        const bots = BOTS.filter((bot) => run.bots[bot].pairs[pair]);
        const hold = run.buy_and_hold[pair];
        return (
          <View key={pair} testID={`multipair-pair-${pair}`} style={[styles.pair, { borderColor: theme.border }]}>
            <Text style={[styles.pairName, { color: theme.text }]}>{pair}</Text>
            {hold ? (
              <Text style={[styles.hold, { color: theme.muted }]}>
                {t('portfolio.holdReturn')}: {metricText(hold, 'total_return', 'pct', { money, locale })}
              </Text>
            ) : null}
            <View style={[table.tr, { borderColor: theme.border }]}>
              <Text style={[table.td, table.name, styles.label]} />
              {bots.map((bot) => (
                <Text key={bot} testID={`multipair-share-${pair}-${bot}`} style={[table.td, table.head, { color: theme.muted }]}>
                  {t(`portfolio.${bot}`)}
                </Text>
              ))}
            </View>
            {rows.map(([key, value]) => (
              <View key={key} style={[table.tr, { borderColor: theme.border }]}>
                <Text style={[table.td, table.name, styles.label, { color: theme.muted }]}>{t(key)}</Text>
                {bots.map((bot) => (
                  <Text key={bot} style={cell}>
                    {value(run.bots[bot].pairs[pair]!)}
                  </Text>
                ))}
              </View>
            ))}
          </View>
        );
      })}
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
      <PortfolioCompare
        name="multipair"
        ratios={runs.map((r) => r.reallocation_ratio)}
        ratio={run.reallocation_ratio}
        onRatio={setShown}
        reports={[run.bots.safe, run.bots.aggressive, run, ...holds.map((p) => run.buy_and_hold[p]!)]}
        titles={[t('portfolio.safe'), t('portfolio.aggressive'), t('portfolio.combined'), ...holds.map((p) => `${t('portfolio.buyAndHold')} ${p}`)]}
        before={<Label>{t('portfolio.pairs', { pairs: run.pairs.join(', ') })}</Label>}
      />
      <Card testID="multipair-pairs-card" title={t('portfolio.pairsTitle', { ratio: ratio(run.reallocation_ratio, { places: 0 }) })}>
        <PairsTable run={run} />
      </Card>
      <Card title={t('portfolio.curves')} testID="multipair-curves">
        <BacktestCurves curves={curves} colors={colors} dom={{ scrollEnabled: false, style: { height: 400 } }} height={400} />
      </Card>
    </>
  );
}

const styles = StyleSheet.create({
  pairs: { flexDirection: 'row', flexWrap: 'wrap', gap: 12 },
  pair: { flexGrow: 1, flexBasis: 280, borderWidth: 1, borderRadius: 8, padding: 10, gap: 2 },
  pairName: { fontSize: 15, fontWeight: '700' },
  hold: { fontSize: 12, marginBottom: 4 },
  label: { flex: 1.3 },
});
