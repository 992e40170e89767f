/**
 * The safe, aggressive and combined columns of a portfolio run at one ratio (one pair or
 * several), and the card that overlays their equity curves with their drawdowns (thinned for
 * display): one for the one-pair and the multi-pair results. ``name`` prefixes the card's test
 * id (``{name}-curves``).
 */
import { useMemo } from 'react';

import BacktestCurves, { type Curve } from '@/components/BacktestCurves';
import { Card } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { displayCurve, drawdownCurve, type MetricsRow } from '@/lib/backtest';
import type { Schemas } from '@/services/api';

export const PORTFOLIO_COLORS = { safe: '#10b981', aggressive: '#f59e0b', combined: '#2563eb' } as const;

type Report = MetricsRow & { equity_curve: Schemas['EquityPointPublic'][] };
/** A portfolio run of one pair or of several: each bot's own report, and the combined one. */
type BotsRun = Report & { bots: { safe: Report; aggressive: Report } };
export type PortfolioColumn = { key: keyof typeof PORTFOLIO_COLORS; title: string; row: Report };

/** The three columns of one ratio: each bot's own report and the combined portfolio. */
export function portfolioColumns(run: BotsRun, t: (key: string) => string): PortfolioColumn[] {
  return [
    { key: 'safe', title: t('portfolio.safe'), row: run.bots.safe },
    { key: 'aggressive', title: t('portfolio.aggressive'), row: run.bots.aggressive },
    { key: 'combined', title: t('portfolio.combined'), row: run },
  ];
}

export function PortfolioCurves({ name, columns }: { name: string; columns: PortfolioColumn[] }) {
  const theme = useTheme();
  const { t } = useFormat();
  const colors = useMemo(() => ({ background: theme.card, text: theme.text, grid: theme.border }), [theme]);
  const curves: Curve[] = useMemo(
    () =>
      columns.map((c) => {
        const equity = displayCurve(c.row, 1500);
        return { label: c.title, color: PORTFOLIO_COLORS[c.key], equity, drawdown: drawdownCurve(equity) };
      }),
    [columns],
  );
  return (
    <Card title={t('portfolio.curves')} testID={`${name}-curves`}>
      <BacktestCurves curves={curves} colors={colors} dom={{ scrollEnabled: false, style: { height: 400 } }} height={400} />
    </Card>
  );
}
