'use dom';
/**
 * Equity curves (one run, or several overlaid to compare) with their drawdown in a pane
 * under them: TradingView Lightweight Charts in an Expo DOM component. The curves come
 * thinned for display (lib/backtest.ts `downsample`); the tables show the exact figures.
 */
import { AreaSeries, createChart, LineSeries, type UTCTimestamp } from 'lightweight-charts';

import type { DOMProps } from 'expo/dom';

import type { ChartTheme } from '@/components/chartOptions';
import { useLineChart } from '@/hooks/useLineChart';

export interface Curve {
  label: string;
  color: string;
  /** epoch seconds, ascending */
  equity: { time: number; value: number }[];
  /** fraction below the running peak, <= 0 */
  drawdown: { time: number; value: number }[];
}

export default function BacktestCurves({
  curves,
  colors,
  height = 380,
}: {
  curves: Curve[];
  colors: ChartTheme;
  height?: number;
  dom?: DOMProps;
}) {
  const container = useLineChart(
    {
      create: createChart,
      colors,
      height,
      panes: [0.7, 0.3],
      draw: (chart) => {
        const single = curves.length === 1;
        for (const curve of curves) {
          chart
            .addSeries(LineSeries, {
              color: curve.color,
              lineWidth: 2,
              title: single ? '' : curve.label,
              priceLineVisible: false,
              lastValueVisible: single,
            })
            .setData(curve.equity.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
          const drawdown = single
            ? chart.addSeries(
                AreaSeries,
                {
                  lineColor: '#ef4444',
                  topColor: 'rgba(239,68,68,0.05)',
                  bottomColor: 'rgba(239,68,68,0.35)',
                  lineWidth: 1,
                  priceLineVisible: false,
                  lastValueVisible: false,
                  priceFormat: { type: 'percent' },
                },
                1,
              )
            : chart.addSeries(
                LineSeries,
                {
                  color: curve.color,
                  lineWidth: 1,
                  priceLineVisible: false,
                  lastValueVisible: false,
                  priceFormat: { type: 'percent' },
                },
                1,
              );
          drawdown.setData(curve.drawdown.map((p) => ({ time: p.time as UTCTimestamp, value: p.value * 100 })));
        }
      },
    },
    [curves, colors, height],
  );
  return <div data-testid="backtest-curves" ref={container} style={{ width: '100%', height }} />;
}
