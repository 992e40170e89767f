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
import { WideTable, table } from '@/components/backtest/WideTable';
import { Card, Label } from '@/components/ui';
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
  const cell = [table.td, { color: theme.text }];
  return (
    <WideTable columns={head.length - 1} testID="multipair-pairs-scroll">
      <View testID="multipair-pairs">
        <View style={[table.tr, { borderColor: theme.border }]}>
          {head.map((key, i) => (
            <Text key={key} style={[table.td, i < 2 && table.name, table.head, { color: theme.muted }]}>
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
                <View key={bot} testID={`multipair-share-${pair}-${bot}`} style={[table.tr, { borderColor: theme.border }]}>
                  <Text style={[cell, table.name]}>{pair}</Text>
                  <Text style={[cell, table.name]}>{t(`portfolio.${bot}`)}</Text>
                  <Text style={cell}>{share.total_trades}</Text>
                  <Text style={cell}>{share.win_rate === null ? '—' : `${(share.win_rate * 100).toFixed(1)} %`}</Text>
                  <Text style={cell}>{money(share.net_pnl)}</Text>
                  <Text style={cell}>{money(share.fees_paid)}</Text>
                  <Text style={cell}>{share.refused_entries}</Text>
                </View>
              );
            })}
            {run.buy_and_hold[pair] ? (
              <View style={[table.tr, { borderColor: theme.border }]}>
                <Text style={[cell, table.name]}>{pair}</Text>
                <Text style={[table.td, table.name, styles.wide, { color: theme.muted }]}>
                  {t('portfolio.holdReturn')}: {metricText(run.buy_and_hold[pair], 'total_return', 'pct', { money, locale })}
                </Text>
              </View>
            ) : null}
          </View>
        ))}
      </View>
    </WideTable>
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
  wide: { flex: 6 },
});
