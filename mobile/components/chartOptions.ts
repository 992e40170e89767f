/**
 * The options every chart of the app starts from (Lightweight Charts): the theme's colours,
 * the height, UTC times with minutes. The chart components (DOM components) pass what differs.
 */
import { ColorType, type ChartOptionsBase, type DeepPartial } from 'lightweight-charts';

export interface ChartTheme {
  background: string;
  text: string;
  grid: string;
}

export function chartOptions(
  colors: ChartTheme,
  height: number,
  {
    verticalGrid = false,
    interactive = true,
  }: {
    /** vertical grid lines (the candle chart has them, curves do not) */
    verticalGrid?: boolean;
    /** scroll and zoom with the pointer (off for small summary charts) */
    interactive?: boolean;
  } = {},
): DeepPartial<ChartOptionsBase> {
  return {
    height,
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: colors.background },
      textColor: colors.text,
      panes: { separatorColor: colors.grid },
    },
    grid: { vertLines: verticalGrid ? { color: colors.grid } : { visible: false }, horzLines: { color: colors.grid } },
    timeScale: { timeVisible: true, secondsVisible: false },
    ...(interactive ? {} : { handleScroll: false, handleScale: false }),
  };
}
