/**
 * A finished portfolio backtest over several pairs: safe vs aggressive vs combined (every
 * metric, with each pair's buy & hold), their equity curves, and each pair's share of each
 * bot's trading (trades, win rate, net P&L, fees, refused entries). Money from the API's strings.
 */
import { useMemo, useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { PortfolioCompare } from '@/components/backtest/PortfolioCompare';
import { PortfolioCurves, portfolioColumns } from '@/components/backtest/PortfolioCurves';
import { table } from '@/components/backtest/WideTable';
import { Card, Label } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { defaultRun, metricText } from '@/lib/backtest';
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
                {t('common.labelled', { label: t('portfolio.holdReturn'), value: metricText(hold, 'total_return', 'pct', { money, locale }) })}
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
  const { t, ratio } = useFormat();
  const [shown, setShown] = useState(() => defaultRun(runs)?.reallocation_ratio ?? '');
  const run = runs.find((r) => r.reallocation_ratio === shown) ?? runs[0];
  const columns = useMemo(() => (run ? portfolioColumns(run, t) : []), [run, t]);
  if (!run) return null;
  const holds = run.pairs.filter((p) => run.buy_and_hold[p]);
  return (
    <>
      <PortfolioCompare
        name="multipair"
        ratios={runs.map((r) => r.reallocation_ratio)}
        ratio={run.reallocation_ratio}
        onRatio={setShown}
        reports={[...columns.map((c) => c.row), ...holds.map((p) => run.buy_and_hold[p]!)]}
        titles={[...columns.map((c) => c.title), ...holds.map((p) => `${t('portfolio.buyAndHold')} ${p}`)]}
        before={<Label>{t('portfolio.pairs', { pairs: run.pairs.join(', ') })}</Label>}
      />
      <Card testID="multipair-pairs-card" title={t('portfolio.pairsTitle', { ratio: ratio(run.reallocation_ratio, { places: 0 }) })}>
        <PairsTable run={run} />
      </Card>
      <PortfolioCurves name="multipair" columns={columns} />
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
