'use dom';
/**
 * Candlesticks with SMA/EMA/Bollinger overlays, RSI and MACD panes, and the trades' entry and
 * exit markers: TradingView Lightweight Charts in an Expo DOM component (rendered in place on
 * web, in a WebView on iOS and Android). Props are plain JSON.
 */
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  LineSeries,
  type IChartApi,
  type SeriesMarker,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';

import type { DOMProps } from 'expo/dom';

import { chartOptions, type ChartTheme } from '@/components/chartOptions';

export interface ChartData {
  /** epoch seconds, open time */
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  series: Record<string, (number | null)[]>;
  markers: { time: number; kind: 'entry' | 'exit'; side: 'buy' | 'sell'; text: string }[];
}

export interface ChartColors extends ChartTheme {
  up: string;
  down: string;
}

const OVERLAYS: [string, string][] = [
  ['sma_200', '#a855f7'],
  ['ema_50', '#f59e0b'],
  ['bb_upper', '#64748b'],
  ['bb_middle', '#94a3b8'],
  ['bb_lower', '#64748b'],
];

function line(times: number[], values: (number | null)[] | undefined) {
  const out: { time: UTCTimestamp; value: number }[] = [];
  values?.forEach((value, i) => {
    const time = times[i];
    if (value !== null && value !== undefined && time !== undefined) {
      out.push({ time: time as UTCTimestamp, value });
    }
  });
  return out;
}

export default function PriceChart({
  data,
  colors,
  height = 520,
}: {
  data: ChartData;
  colors: ChartColors;
  height?: number;
  dom?: DOMProps;
}) {
  const container = useRef<HTMLDivElement | null>(null);
  const chartRef = useRef<IChartApi | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const chart = createChart(element, chartOptions(colors, height, { verticalGrid: true }));
    chartRef.current = chart;
    const times = data.time;
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: colors.up,
      downColor: colors.down,
      wickUpColor: colors.up,
      wickDownColor: colors.down,
      borderVisible: false,
    });
    candles.setData(
      times.map((time, i) => ({
        time: time as UTCTimestamp,
        open: data.open[i] ?? 0,
        high: data.high[i] ?? 0,
        low: data.low[i] ?? 0,
        close: data.close[i] ?? 0,
      })),
    );
    for (const [name, color] of OVERLAYS) {
      if (!data.series[name]) continue;
      chart
        .addSeries(LineSeries, { color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false })
        .setData(line(times, data.series[name]));
    }
    const markers: SeriesMarker<UTCTimestamp>[] = data.markers.map((m) => ({
      time: m.time as UTCTimestamp,
      position: m.kind === 'entry' ? 'belowBar' : 'aboveBar',
      shape: m.kind === 'entry' ? 'arrowUp' : 'arrowDown',
      color: m.kind === 'entry' ? colors.up : colors.down,
      text: m.text,
    }));
    createSeriesMarkers(candles, markers);
    if (data.series.rsi_14) {
      chart
        .addSeries(LineSeries, { color: '#0ea5e9', lineWidth: 1, priceLineVisible: false }, 1)
        .setData(line(times, data.series.rsi_14));
    }
    if (data.series.macd) {
      chart
        .addSeries(HistogramSeries, { color: '#94a3b8', priceLineVisible: false, lastValueVisible: false }, 2)
        .setData(line(times, data.series.macd_hist));
      chart
        .addSeries(LineSeries, { color: '#2563eb', lineWidth: 1, priceLineVisible: false }, 2)
        .setData(line(times, data.series.macd));
      chart
        .addSeries(LineSeries, { color: '#f97316', lineWidth: 1, priceLineVisible: false, lastValueVisible: false }, 2)
        .setData(line(times, data.series.macd_signal));
    }
    const panes = chart.panes();
    panes[0]?.setHeight(Math.round(height * 0.6));
    panes[1]?.setHeight(Math.round(height * 0.2));
    panes[2]?.setHeight(Math.round(height * 0.2));
    return () => {
      chart.remove();
      chartRef.current = null;
    };
  }, [data, colors, height]);

  return (
    <div
      data-testid="price-chart"
      ref={container}
      style={{ width: '100%', height, position: 'relative' }}
    />
  );
}
