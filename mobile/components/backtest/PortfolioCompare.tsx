/**
 * The per-bot metrics of a portfolio backtest at one reallocation ratio (safe, aggressive,
 * combined, then buy & hold), with the ratio picker of a sweep: one card for the one-pair and
 * the multi-pair results. ``name`` prefixes the test ids (``{name}-compare``, ``-ratio``,
 * ``-metrics``).
 */
import type { ReactNode } from 'react';

import { MetricsTable } from '@/components/backtest/MetricsTable';
import { Card, Choice } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import type { MetricsRow } from '@/lib/backtest';

export function PortfolioCompare({
  name,
  ratios,
  ratio: shown,
  onRatio,
  reports,
  titles,
  before,
  after,
}: {
  name: string;
  /** every ratio run, as the API wrote them */
  ratios: string[];
  ratio: string;
  onRatio: (ratio: string) => void;
  reports: MetricsRow[];
  titles: string[];
  before?: ReactNode;
  after?: ReactNode;
}) {
  const { t, ratio } = useFormat();
  return (
    <Card
      testID={`${name}-compare`}
      title={t('portfolio.compareTitle', { ratio: ratio(shown, { places: 0 }) })}
      right={
        ratios.length > 1 ? (
          <Choice testID={`${name}-ratio`} options={ratios} value={shown} label={(o) => ratio(o, { places: 0 })} onChange={onRatio} />
        ) : undefined
      }>
      {before}
      <MetricsTable testID={`${name}-metrics`} reports={reports} titles={titles} />
      {after}
    </Card>
  );
}
