/** The backtest form's parsing from a strategy's schema, and curves thinned for display. */
import {
  displayCurve,
  downsample,
  drawdownCurve,
  equityPoints,
  initialValues,
  paramsFrom,
  parseParameter,
  type ParameterSpec,
} from '@/lib/backtest';

function spec(over: Partial<ParameterSpec>): ParameterSpec {
  return {
    name: 'p',
    kind: 'number',
    default: null,
    nullable: false,
    description: null,
    minimum: null,
    maximum: null,
    exclusive_minimum: null,
    exclusive_maximum: null,
    choices: null,
    search: null,
    ...over,
  };
}

describe('parameter form', () => {
  const buy = spec({ name: 'buy_threshold', default: 0.3, exclusive_minimum: 0, maximum: 1 });
  const fast = spec({ name: 'fast', kind: 'integer', default: 20, minimum: 1, maximum: 10_000 });
  const trend = spec({ name: 'trend_timeframe', kind: 'choice', nullable: true, choices: ['1h', '4h'] });
  const agree = spec({ name: 'require_trend_agreement', kind: 'boolean', default: true });

  it('starts from the defaults the strategy applies', () => {
    expect(initialValues([buy, fast, trend, agree])).toEqual({
      buy_threshold: '0.3',
      fast: '20',
      trend_timeframe: '',
      require_trend_agreement: 'true',
    });
  });

  it('checks types and bounds as the schema says (exclusive bounds are strict)', () => {
    expect(parseParameter(buy, '0')).toEqual({ error: { key: 'above', bound: 0 } });
    expect(parseParameter(buy, '1')).toEqual({ value: 1 });
    expect(parseParameter(buy, '1.5')).toEqual({ error: { key: 'max', bound: 1 } });
    expect(parseParameter(buy, 'abc')).toEqual({ error: { key: 'number' } });
    expect(parseParameter(fast, '2.5')).toEqual({ error: { key: 'integer' } });
    expect(parseParameter(fast, '0')).toEqual({ error: { key: 'min', bound: 1 } });
    expect(parseParameter(fast, '')).toEqual({ error: { key: 'required' } });
    expect(parseParameter(trend, '')).toEqual({ value: null });
    expect(parseParameter(trend, '1d')).toEqual({ error: { key: 'choice' } });
    expect(parseParameter(agree, 'false')).toEqual({ value: false });
  });

  it('sends only what differs from the defaults, and says what is wrong per field', () => {
    const values = { buy_threshold: '0.25', fast: '20', trend_timeframe: '4h', require_trend_agreement: 'true' };
    expect(paramsFrom([buy, fast, trend, agree], values)).toEqual({
      params: { buy_threshold: 0.25, trend_timeframe: '4h' },
      errors: {},
    });
    expect(paramsFrom([buy, fast], { buy_threshold: '-1', fast: 'x' }).errors).toEqual({
      buy_threshold: { key: 'above', bound: 0 },
      fast: { key: 'integer' },
    });
  });
});

describe('curves for display', () => {
  const points = Array.from({ length: 70_000 }, (_, i) => ({
    time: i * 3600,
    value: 1000 + Math.sin(i / 500) * 100 + (i === 40_000 ? -600 : 0),
  }));

  it('thins 70k points to the budget, keeping the last point and the deepest trough', () => {
    const thin = downsample(points, 1500);
    expect(thin.length).toBeLessThanOrEqual(1501);
    expect(thin.at(-1)).toBe(points.at(-1));
    expect(Math.min(...thin.map((p) => p.value))).toBe(Math.min(...points.map((p) => p.value)));
    const times = thin.map((p) => p.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("thins a report's 70k-point curve as the general path does, once per report", () => {
    const report = {
      equity_curve: points.map((p) => ({ time: new Date(Date.UTC(2018, 0, 1) + p.time * 1000).toISOString().replace('.000Z', 'Z'), equity: p.value.toFixed(8) })),
    };
    const thin = displayCurve(report, 1500);
    expect(thin).toEqual(downsample(equityPoints(report), 1500));
    expect(displayCurve(report, 1500)).toBe(thin); // reopened: the same points, not recomputed
    // a curve whose times do not rise (two points in one second) takes the general path
    const odd = { equity_curve: [report.equity_curve[1]!, report.equity_curve[0]!, ...report.equity_curve.slice(2, 10)] };
    expect(displayCurve(odd, 1500)).toEqual(equityPoints(odd));
  });

  it('leaves a short curve as it is', () => {
    expect(downsample(points.slice(0, 10), 100)).toEqual(points.slice(0, 10));
  });

  it('measures each point below the running peak', () => {
    const dd = drawdownCurve([
      { time: 1, value: 100 },
      { time: 2, value: 120 },
      { time: 3, value: 90 },
      { time: 4, value: 130 },
    ]);
    expect(dd.map((p) => Number(p.value.toFixed(4)))).toEqual([0, 0, -0.25, 0]);
  });
});
