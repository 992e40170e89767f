/** The market's chart for one bot: candles, overlays, RSI/MACD panes, its trades' markers. */
import { useMemo } from 'react';

import PriceChart, { type ChartData } from '@/components/PriceChart';
import { Card, Label } from '@/components/ui';
import { useChart, type BotKind, type Market } from '@/hooks/queries';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { formatDecimal } from '@/lib/decimal';
import type { Schemas } from '@/services/api';

/** The API's chart as the chart component's plain arrays (floats are for drawing only). */
export function chartData(chart: Schemas['ChartPublic'], text: (m: Schemas['ChartMarkerPublic']) => string): ChartData {
  const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  return {
    time: chart.candles.map((c) => seconds(c.time)),
    open: chart.candles.map((c) => c.open),
    high: chart.candles.map((c) => c.high),
    low: chart.candles.map((c) => c.low),
    close: chart.candles.map((c) => c.close),
    series: chart.series,
    markers: chart.markers.map((m) => ({
      time: seconds(m.candle_time),
      kind: m.kind,
      side: m.side,
      text: text(m),
    })),
  };
}

export function ChartCard({ market, bot }: { market: Market; bot?: BotKind }) {
  const theme = useTheme();
  const { t, locale } = useFormat();
  const chart = useChart(market, bot);
  const data = useMemo(
    () =>
      chart.data
        ? chartData(chart.data, (m) =>
            m.kind === 'entry'
              ? `${t('trade.entry')} ${formatDecimal(m.price, { locale })}`
              : `${t('trade.exit')} ${formatDecimal(m.pnl ?? m.price, { locale, signed: !!m.pnl })}`,
          )
        : null,
    [chart.data, t, locale],
  );
  const colors = useMemo(
    () => ({ background: theme.card, text: theme.text, grid: theme.border, up: theme.gain, down: theme.loss }),
    [theme],
  );
  return (
    <Card
      testID="chart-card"
      title={`${t('bot.chart')} · ${market.pair} ${market.timeframe}`}
      right={<Label>{`${t('chart.overlays')} · ${t('chart.rsi')} · ${t('chart.macd')}`}</Label>}>
      {data && data.time.length ? (
        <PriceChart data={data} colors={colors} dom={{ scrollEnabled: false, style: { height: 520 } }} />
      ) : (
        <Label>{chart.isLoading ? t('common.loading') : t('chart.noData')}</Label>
      )}
    </Card>
  );
}
