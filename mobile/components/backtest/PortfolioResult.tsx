/**
 * A finished portfolio backtest: safe vs aggressive vs the combined portfolio (every metric,
 * with buy & hold, and the three equity curves overlaid), what was reallocated, and for a sweep
 * the combined result at each reallocation ratio as a chart and a table. Money is formatted
 * from the API's strings; curves are thinned for display only.
 */
import { useMemo, useState } from 'react';
import { Text, View } from 'react-native';

import { PortfolioCompare } from '@/components/backtest/PortfolioCompare';
import { PORTFOLIO_COLORS, PortfolioCurves, portfolioColumns } from '@/components/backtest/PortfolioCurves';
import { WideTable, snapStart, table } from '@/components/backtest/WideTable';
import SweepChart from '@/components/SweepChart';
import { Card, Label } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { defaultRun, metricText, reallocated, sweepPoints } from '@/lib/backtest';
import type { Schemas } from '@/services/api';

type Run = Schemas['PortfolioRunPublic'];

function SweepTable({ runs }: { runs: Run[] }) {
  const theme = useTheme();
  const { t, money, ratio, locale } = useFormat();
  const head = ['portfolio.ratio', 'backtest.metrics.final_capital', 'backtest.metrics.total_return', 'backtest.metrics.max_drawdown', 'backtest.metrics.sharpe_ratio', 'portfolio.reallocated'];
  return (
    <WideTable columns={head.length - 1}>
      <View testID="sweep-table">
        <View style={[table.tr, { borderColor: theme.border }]}>
          {head.map((key) => (
            <Text key={key} style={[table.td, table.head, snapStart, { color: theme.muted }]}>
              {t(key)}
            </Text>
          ))}
        </View>
        {runs.map((run, i) => (
          <View key={run.reallocation_ratio} testID={`sweep-row-${i}`} style={[table.tr, { borderColor: theme.border }]}>
            <Text style={[table.td, { color: theme.text }]}>{ratio(run.reallocation_ratio, { places: 0 })}</Text>
            <Text testID={`sweep-final-${i}`} style={[table.td, { color: theme.text }]}>
              {money(run.final_capital)}
            </Text>
            <Text style={[table.td, { color: theme.text }]}>{metricText(run, 'total_return', 'pct', { money, locale })}</Text>
            <Text style={[table.td, { color: theme.text }]}>{metricText(run, 'max_drawdown', 'share', { money, locale })}</Text>
            <Text style={[table.td, { color: theme.text }]}>{metricText(run, 'sharpe_ratio', 'ratio', { money, locale })}</Text>
            <Text style={[table.td, { color: theme.text }]}>{money(reallocated(run))}</Text>
          </View>
        ))}
      </View>
    </WideTable>
  );
}

export function PortfolioResult({ runs }: { runs: Run[] }) {
  const theme = useTheme();
  const { t, money } = useFormat();
  const [shown, setShown] = useState(() => defaultRun(runs)?.reallocation_ratio ?? '');
  const run = runs.find((r) => r.reallocation_ratio === shown) ?? runs[0];
  const sweepColors = useMemo(
    () => ({ background: theme.card, text: theme.text, grid: theme.border, line: PORTFOLIO_COLORS.combined, drawdown: theme.loss }),
    [theme],
  );
  const columns = useMemo(() => (run ? portfolioColumns(run, t) : []), [run, t]);
  const points = useMemo(() => sweepPoints(runs), [runs]);
  if (!run) return null;
  return (
    <>
      <PortfolioCompare
        name="portfolio"
        ratios={runs.map((r) => r.reallocation_ratio)}
        ratio={run.reallocation_ratio}
        onRatio={setShown}
        reports={[...columns.map((c) => c.row), run.buy_and_hold]}
        titles={[...columns.map((c) => c.title), t('portfolio.buyAndHold')]}
        after={
          <Label>
            {t('portfolio.moved', {
              count: run.reallocations.length,
              amount: money(reallocated(run)),
              changes: run.risk_changes.length,
            })}
          </Label>
        }
      />
      <PortfolioCurves name="portfolio" columns={columns} />
      {runs.length > 1 ? (
        <Card title={t('portfolio.sweepTitle', { count: runs.length })} testID="portfolio-sweep-card">
          <Label>{t('portfolio.sweepExplain')}</Label>
          <SweepChart points={points} colors={sweepColors} dom={{ scrollEnabled: false, style: { height: 320 } }} />
          <SweepTable runs={runs} />
        </Card>
      ) : null}
    </>
  );
}
