/**
 * A Lightweight Charts chart in a DOM component's div, for the app's line charts (the realised
 * P&L curve, backtest equity curves, the reallocation sweep): made with the app's chart options,
 * drawn, its panes sized, fitted to its content, and made again when its inputs change. The
 * charts differ only in what they draw.
 */
import type { ChartOptionsBase, DeepPartial, IChartApiBase } from 'lightweight-charts';
import { useEffect, useRef, type DependencyList, type RefObject } from 'react';

import { chartOptions, type ChartTheme } from '@/components/chartOptions';

export interface LineChartSpec<H> {
  /** createChart (a time axis) or createOptionsChart (a numeric axis) */
  create: (element: HTMLElement, options: DeepPartial<ChartOptionsBase>) => IChartApiBase<H>;
  colors: ChartTheme;
  height: number;
  options?: Parameters<typeof chartOptions>[2];
  /** each pane's share of the height, top first (charts with a pane under the main one) */
  panes?: number[];
  /** adds the series and their data */
  draw: (chart: IChartApiBase<H>) => void;
}

/** Returns the ref of the div to draw in; `inputs` are what the drawing depends on. */
export function useLineChart<H>(spec: LineChartSpec<H>, inputs: DependencyList): RefObject<HTMLDivElement | null> {
  const container = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const chart = spec.create(element, chartOptions(spec.colors, spec.height, spec.options));
    spec.draw(chart);
    const panes = chart.panes();
    spec.panes?.forEach((share, i) => panes[i]?.setHeight(Math.round(spec.height * share)));
    chart.timeScale().fitContent();
    return () => chart.remove();
    // the spec is a new object at each render; what it draws is named by `inputs`
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, inputs);
  return container;
}
