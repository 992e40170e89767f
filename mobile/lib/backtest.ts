/**
 * The backtest form and result helpers: a strategy's parameter form from the schema the API
 * serves (types, bounds, choices, defaults), and curves thinned for display (tables keep the
 * exact strings; floats only draw).
 */
import { plotValue, sumDecimals } from '@/lib/decimal';
import type { Schemas } from '@/services/api';

export type ParameterSpec = Schemas['ParameterSpecPublic'];
export type FormValues = Record<string, string>;

/** The text a field starts with: the default the strategy really applies ('' for none). */
export function initialValues(parameters: ParameterSpec[]): FormValues {
  return Object.fromEntries(
    parameters.map((p) => [p.name, p.default === null || p.default === undefined ? '' : String(p.default)]),
  );
}

export type FieldError =
  | { key: 'required' }
  | { key: 'integer' }
  | { key: 'number' }
  | { key: 'min' | 'max' | 'above' | 'below'; bound: number }
  | { key: 'choice' };

/** One field's value in the API's type, or what is wrong with the text. */
export function parseParameter(
  spec: ParameterSpec,
  text: string,
): { value: unknown } | { error: FieldError } {
  const raw = text.trim();
  if (raw === '') return spec.nullable ? { value: null } : { error: { key: 'required' } };
  switch (spec.kind) {
    case 'boolean':
      return { value: raw === 'true' };
    case 'choice':
      return spec.choices?.includes(raw) ? { value: raw } : { error: { key: 'choice' } };
    case 'string':
      return { value: raw };
    case 'integer':
    case 'number': {
      const pattern = spec.kind === 'integer' ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i;
      if (!pattern.test(raw)) return { error: { key: spec.kind === 'integer' ? 'integer' : 'number' } };
      const value = Number(raw);
      if (spec.minimum != null && value < spec.minimum) return { error: { key: 'min', bound: spec.minimum } };
      if (spec.maximum != null && value > spec.maximum) return { error: { key: 'max', bound: spec.maximum } };
      if (spec.exclusive_minimum != null && value <= spec.exclusive_minimum) {
        return { error: { key: 'above', bound: spec.exclusive_minimum } };
      }
      if (spec.exclusive_maximum != null && value >= spec.exclusive_maximum) {
        return { error: { key: 'below', bound: spec.exclusive_maximum } };
      }
      return { value };
    }
  }
}

/**
 * The parameters to send: only those that differ from the strategy's defaults (the result
 * shows every parameter used), or the errors per field.
 */
export function paramsFrom(
  parameters: ParameterSpec[],
  values: FormValues,
): { params: Record<string, unknown>; errors: Record<string, FieldError> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, FieldError> = {};
  for (const spec of parameters) {
    const parsed = parseParameter(spec, values[spec.name] ?? '');
    if ('error' in parsed) errors[spec.name] = parsed.error;
    else if (parsed.value !== spec.default) params[spec.name] = parsed.value;
  }
  return { params, errors };
}

export interface CurvePoint {
  /** epoch seconds */
  time: number;
  value: number;
}

/**
 * Indices of at most about `max` of `values` (in time order): per bucket its first, lowest and
 * highest, so peaks and troughs (the drawdown) survive thinning; the last index is always kept.
 */
export function downsampleIndices(values: readonly number[], max: number): number[] {
  if (values.length <= max) return values.map((_, i) => i);
  const buckets = Math.max(1, Math.floor(max / 3));
  const size = values.length / buckets;
  const out: number[] = [];
  for (let b = 0; b < buckets; b += 1) {
    const from = Math.floor(b * size);
    const to = Math.min(values.length, Math.floor((b + 1) * size));
    if (from >= to) continue;
    let low = from;
    let high = from;
    for (let i = from; i < to; i += 1) {
      if (values[i]! < values[low]!) low = i;
      if (values[i]! > values[high]!) high = i;
    }
    out.push(...[...new Set([from, low, high])].sort((a, c) => a - c));
  }
  const last = values.length - 1;
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

/** At most about `max` of `points` (see `downsampleIndices`). */
export function downsample(points: CurvePoint[], max: number): CurvePoint[] {
  if (points.length <= max) return points;
  return downsampleIndices(
    points.map((p) => p.value),
    max,
  ).map((i) => points[i]!);
}

/** Each point's fall below the running peak, as a negative fraction (0 at a new peak). */
export function drawdownCurve(points: CurvePoint[]): CurvePoint[] {
  let peak = -Infinity;
  return points.map((p) => {
    peak = Math.max(peak, p.value);
    return { time: p.time, value: peak > 0 ? p.value / peak - 1 : 0 };
  });
}

/** A report's equity curve as drawing points (the strings stay exact in the tables). */
export function equityPoints(report: { equity_curve: Schemas['EquityPointPublic'][] }): CurvePoint[] {
  const byTime = new Map<number, number>();
  for (const p of report.equity_curve) byTime.set(Math.floor(Date.parse(p.time) / 1000), Number(p.equity));
  return [...byTime].map(([time, value]) => ({ time, value })).sort((a, b) => a.time - b.time);
}

type Curved = { equity_curve: Schemas['EquityPointPublic'][] };
const thinned = new WeakMap<Curved, Map<number, CurvePoint[]>>();

/**
 * `downsample(equityPoints(report), max)`, computed once per report object (a finished run's
 * report never changes; reopening a view reuses it) and cheaply: the values are read for every
 * point, the times parsed only for the points kept.
 */
export function displayCurve(report: Curved, max: number): CurvePoint[] {
  let byMax = thinned.get(report);
  if (!byMax) {
    byMax = new Map();
    thinned.set(report, byMax);
  }
  const known = byMax.get(max);
  if (known) return known;
  const curve = report.equity_curve;
  // the API's curves rise one candle at a time; anything else takes the general path
  const rising = curve.every((p, i) => i === 0 || p.time > curve[i - 1]!.time);
  const out = rising
    ? downsampleIndices(
        curve.map((p) => Number(p.equity)),
        max,
      ).map((i) => ({ time: Math.floor(Date.parse(curve[i]!.time) / 1000), value: Number(curve[i]!.equity) }))
    : downsample(equityPoints(report), max);
  byMax.set(max, out);
  return out;
}

type Report = Schemas['BacktestReportPublic'];
/** A column of a metrics table: a strategy's report, or a portfolio's combined metrics. */
export type MetricsRow = Schemas['MetricsPublic'] & Partial<Pick<Report, 'refused_entries' | 'candles'>>;
type Kind = 'money' | 'pct' | 'share' | 'ratio' | 'count' | 'day';

/** Every metric of a report, in the order shown, with how each is written. */
export const METRICS: readonly (readonly [keyof MetricsRow, Kind])[] = [
  ['initial_capital', 'money'],
  ['final_capital', 'money'],
  ['net_profit', 'money'],
  ['total_return', 'pct'],
  ['cagr', 'pct'],
  ['max_drawdown', 'share'],
  ['max_drawdown_peak', 'day'],
  ['max_drawdown_trough', 'day'],
  ['max_drawdown_recovery', 'day'],
  ['sharpe_ratio', 'ratio'],
  ['sortino_ratio', 'ratio'],
  ['total_trades', 'count'],
  ['win_rate', 'share'],
  ['profit_factor', 'ratio'],
  ['expectancy', 'money'],
  ['exposure', 'share'],
  ['fees_paid', 'money'],
  ['best_trade', 'pct'],
  ['worst_trade', 'pct'],
  ['average_trade', 'pct'],
  ['refused_entries', 'count'],
  ['candles', 'count'],
];

/** A metric as text: money from its exact string, ratios and counts from their numbers. */
export function metricText(
  report: MetricsRow,
  key: keyof MetricsRow,
  kind: Kind,
  format: { money: (value: string) => string; locale: string },
): string {
  const value = report[key];
  if (value === null || value === undefined) return '—';
  const number = (n: number, digits: number, signed = false) =>
    n.toLocaleString(format.locale, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
  switch (kind) {
    case 'money':
      return format.money(String(value));
    case 'pct':
      return `${number(Number(value) * 100, 2, true)} %`;
    case 'share':
      return `${number(Number(value) * 100, 2)} %`;
    case 'ratio':
      return Number.isFinite(Number(value)) ? number(Number(value), 2) : '∞';
    case 'count':
      return number(Number(value), 0);
    case 'day':
      return String(value).slice(0, 10);
  }
}

type PortfolioRun = Schemas['PortfolioRunPublic'];

/** The run of a sweep shown first: the ratio asked for most often (0.3, the default), else the first. */
export function defaultRun<Run extends { reallocation_ratio: string }>(runs: Run[], preferred = '0.3'): Run | undefined {
  return runs.find((r) => Number(r.reallocation_ratio) === Number(preferred)) ?? runs[0];
}

/** What a run moved from the aggressive bot to the safe one, summed exactly. */
export function reallocated(run: PortfolioRun): string {
  return sumDecimals(run.reallocations.map((r) => r.amount));
}

/** Each ratio of a sweep as a point of the sweep chart (drawing floats only). */
export function sweepPoints(runs: PortfolioRun[]): { ratio: number; finalCapital: number; maxDrawdown: number }[] {
  return runs
    .map((r) => ({ ratio: Number(r.reallocation_ratio), finalCapital: plotValue(r.final_capital), maxDrawdown: r.max_drawdown ?? 0 }))
    .sort((a, b) => a.ratio - b.ratio);
}

/** A parameter's value as the strategy's label writes it: a Python literal. */
export type ParameterValue =
  | { kind: 'boolean'; value: boolean }
  | { kind: 'none' }
  | { kind: 'number'; value: string }
  | { kind: 'text'; value: string };

function literal(raw: string): ParameterValue {
  if (raw === 'True' || raw === 'False') return { kind: 'boolean', value: raw === 'True' };
  if (raw === 'None') return { kind: 'none' };
  if (/^-?\d+(\.\d+)?$/.test(raw)) return { kind: 'number', value: raw };
  const quoted = /^(['"])(.*)\1$/s.exec(raw);
  return { kind: 'text', value: quoted ? quoted[2]! : raw };
}

/**
 * A strategy's label as the API writes it ("conservative(buy_threshold=0.3, trend_timeframe=None)")
 * as its name and its parameters, in order; a label without parameters is only a name. Numbers
 * stay strings (shown with their own digits).
 */
export function strategyParts(label: string): { name: string; params: [string, ParameterValue][] } {
  const open = label.indexOf('(');
  if (open < 0 || !label.endsWith(')')) return { name: label.trim(), params: [] };
  const inner = label.slice(open + 1, -1);
  const items: string[] = [];
  let quote: string | null = null;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i += 1) {
    const c = inner[i]!;
    if (quote) {
      if (c === quote && inner[i - 1] !== '\\') quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') depth -= 1;
    else if (c === ',' && depth === 0) {
      items.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  items.push(inner.slice(start));
  const params: [string, ParameterValue][] = [];
  for (const item of items.map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq < 0) params.push([item, { kind: 'none' }]);
    else params.push([item.slice(0, eq).trim(), literal(item.slice(eq + 1).trim())]);
  }
  return { name: label.slice(0, open).trim(), params };
}
