'use dom';
/**
 * A running total over time (the realised P&L curve), green above zero and red below:
 * TradingView Lightweight Charts in an Expo DOM component, like the price chart.
 */
import { BaselineSeries, createChart, type UTCTimestamp } from 'lightweight-charts';

import type { DOMProps } from 'expo/dom';

import type { ChartTheme } from '@/components/chartOptions';
import { useLineChart } from '@/hooks/useLineChart';

export interface EquityPoint {
  /** epoch seconds */
  time: number;
  /** drawing coordinate only; labels are formatted from the exact strings */
  value: number;
}

export default function EquityChart({
  points,
  colors,
  height = 160,
}: {
  points: EquityPoint[];
  colors: ChartTheme & { up: string; down: string };
  height?: number;
  dom?: DOMProps;
}) {
  const container = useLineChart(
    {
      create: createChart,
      colors,
      height,
      options: { interactive: false },
      draw: (chart) => {
        const series = chart.addSeries(BaselineSeries, {
          baseValue: { type: 'price', price: 0 },
          topLineColor: colors.up,
          bottomLineColor: colors.down,
          topFillColor1: 'rgba(16,185,129,0.25)',
          topFillColor2: 'rgba(16,185,129,0.02)',
          bottomFillColor1: 'rgba(239,68,68,0.02)',
          bottomFillColor2: 'rgba(239,68,68,0.25)',
          priceLineVisible: false,
        });
        // one point per second at most (trades closing in the same second: keep the last total)
        const byTime = new Map<number, number>();
        for (const p of points) byTime.set(p.time, p.value);
        series.setData([...byTime].map(([time, value]) => ({ time: time as UTCTimestamp, value })));
      },
    },
    [points, colors, height],
  );
  return <div data-testid="equity-chart" ref={container} style={{ width: '100%', height }} />;
}
