'use dom';
/**
 * The reallocation sweep: the combined portfolio's final capital at each reallocation ratio,
 * with its max drawdown in a pane under it. The horizontal axis is the ratio in percent
 * (Lightweight Charts' options chart: a numeric axis, not time). Floats only draw; the table beside it shows
 * the exact figures.
 */
import { createOptionsChart, LineSeries } from 'lightweight-charts';

import type { DOMProps } from 'expo/dom';

import type { ChartTheme } from '@/components/chartOptions';
import { useLineChart } from '@/hooks/useLineChart';

export interface SweepPoint {
  /** reallocation ratio, e.g. 0.3 */
  ratio: number;
  finalCapital: number;
  /** fraction below the peak, >= 0 */
  maxDrawdown: number;
}

/** The axis is in percent (10, 30, 50): its labels are whole numbers. */
const percent = (ratio: number) => Math.round(ratio * 1000) / 10;

export default function SweepChart({
  points,
  colors,
  height = 320,
}: {
  points: SweepPoint[];
  colors: ChartTheme & { line: string; drawdown: string };
  height?: number;
  dom?: DOMProps;
}) {
  const container = useLineChart(
    {
      create: createOptionsChart,
      colors,
      height,
      options: { verticalGrid: true },
      panes: [0.68, 0.32],
      draw: (chart) => {
        const sorted = [...points].sort((a, b) => a.ratio - b.ratio);
        chart
          .addSeries(LineSeries, { color: colors.line, lineWidth: 2, pointMarkersVisible: true, priceLineVisible: false })
          .setData(sorted.map((p) => ({ time: percent(p.ratio), value: p.finalCapital })));
        chart
          .addSeries(
            LineSeries,
            {
              color: colors.drawdown,
              lineWidth: 1,
              pointMarkersVisible: true,
              priceLineVisible: false,
              priceFormat: { type: 'percent' },
            },
            1,
          )
          .setData(sorted.map((p) => ({ time: percent(p.ratio), value: -p.maxDrawdown * 100 })));
      },
    },
    [points, colors, height],
  );
  return <div data-testid="sweep-chart" ref={container} style={{ width: '100%', height }} />;
}
