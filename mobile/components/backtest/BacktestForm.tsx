/**
 * Launch a backtest: stored data (series and date range), a strategy and its parameters (a
 * form generated from the schema the API serves), capital, costs, protection and stake. The
 * server's validation errors land on their field; a launch is sent once (no retry).
 */
import { useMemo, useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { CandleImport } from '@/components/backtest/CandleImport';
import { Button, Choice, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useLaunchBacktest, useSeries, useStrategies } from '@/hooks/backtests';
import { useFormat } from '@/hooks/useFormat';
import { initialValues, paramsFrom, type FieldError, type FormValues } from '@/lib/backtest';
import type { Schemas } from '@/services/api';
import { ApiError, messageOf } from '@/services/errors';

const MONEY_FIELDS = ['initial_capital', 'fee', 'slippage', 'stop_loss', 'take_profit', 'stake'] as const;
type MoneyField = (typeof MONEY_FIELDS)[number];

type Series = Schemas['SeriesPublic'];

export function seriesKey(s: Series): string {
  return `${s.exchange} ${s.pair} ${s.timeframe}`;
}

/** The stored series to run on, and how many candles it holds over which days. */
export function SeriesPicker({
  series,
  chosen,
  onChange,
  testID,
}: {
  series: Series[];
  chosen: Series | undefined;
  onChange: (key: string) => void;
  testID: string;
}) {
  const { t } = useFormat();
  return (
    <>
      <Label>{t('backtest.data')}</Label>
      <Choice
        testID={testID}
        options={series.map(seriesKey)}
        value={chosen ? seriesKey(chosen) : ''}
        label={(o) => o.split(' ').join(' · ')}
        onChange={onChange}
      />
      {chosen ? (
        <Label>
          {t('backtest.stored', { count: chosen.count, first: chosen.first.slice(0, 10), last: chosen.last.slice(0, 10) })}
        </Label>
      ) : null}
    </>
  );
}

/** A day typed as YYYY-MM-DD to the API's UTC timestamp ('' -> none; null -> invalid). */
export function dayToIso(day: string): string | null | undefined {
  const text = day.trim();
  if (!text) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) return null;
  return `${text}T00:00:00Z`;
}

export function BacktestForm({ onLaunched }: { onLaunched: (job: Schemas['BacktestJobPublic']) => void }) {
  const { t } = useFormat();
  const series = useSeries();
  const strategies = useStrategies();
  const launch = useLaunchBacktest();
  const [seriesChoice, setSeriesChoice] = useState<string | null>(null);
  const [strategy, setStrategy] = useState<string | null>(null);
  // what the user typed, per strategy (the rest are the strategy's defaults)
  const [edits, setEdits] = useState<Record<string, FormValues>>({});
  const [money, setMoney] = useState<Record<MoneyField, string>>({
    initial_capital: '1000',
    fee: '',
    slippage: '',
    stop_loss: '',
    take_profit: '',
    stake: '',
  });
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const allSeries = useMemo(() => series.data?.data ?? [], [series.data]);
  const chosenSeries = allSeries.find((s) => seriesKey(s) === seriesChoice) ?? allSeries[0];
  const specs = strategies.data?.data ?? [];
  const spec = specs.find((s) => s.name === strategy) ?? specs[0];

  const values: FormValues = spec ? { ...initialValues(spec.parameters), ...edits[spec.name] } : {};
  const setValue = (name: string, text: string) => {
    if (spec) setEdits((old) => ({ ...old, [spec.name]: { ...old[spec.name], [name]: text } }));
  };

  const fieldMessage = (error: FieldError): string =>
    'bound' in error ? t(`backtest.errors.${error.key}`, { bound: error.bound }) : t(`backtest.errors.${error.key}`);

  const serverFields = launch.error instanceof ApiError ? launch.error.fields : {};
  const errorOf = (name: string) => localErrors[name] ?? serverFields[name] ?? null;
  const unplaced =
    launch.error && !Object.keys(serverFields).length ? messageOf(launch.error) : null;

  const submit = () => {
    if (!chosenSeries || !spec) return;
    const { params, errors } = paramsFrom(spec.parameters, values);
    const found: Record<string, string> = {};
    for (const [name, error] of Object.entries(errors)) found[`params.${name}`] = fieldMessage(error);
    const startIso = dayToIso(start);
    const endIso = dayToIso(end);
    if (startIso === null) found.start = t('backtest.errors.day');
    if (endIso === null) found.end = t('backtest.errors.day');
    setLocalErrors(found);
    if (Object.keys(found).length) return;
    const body: Schemas['BacktestCreate'] = {
      exchange: chosenSeries.exchange,
      pair: chosenSeries.pair,
      timeframe: chosenSeries.timeframe,
      strategy: spec.name,
      params,
      initial_capital: money.initial_capital.trim(),
      ...(startIso ? { start: startIso } : {}),
      ...(endIso ? { end: endIso } : {}),
    };
    for (const name of MONEY_FIELDS) {
      if (name !== 'initial_capital' && money[name].trim()) body[name] = money[name].trim();
    }
    launch.mutate(body, { onSuccess: onLaunched });
  };

  const importer = <CandleImport onImported={(imported) => setSeriesChoice(seriesKey(imported))} />;
  if (series.data && !allSeries.length) {
    return (
      <View testID="backtest-form" style={styles.box}>
        <Label>{t('backtest.noData')}</Label>
        {importer}
      </View>
    );
  }
  return (
    <View testID="backtest-form" style={styles.box}>
      <SeriesPicker testID="backtest-series" series={allSeries} chosen={chosenSeries} onChange={setSeriesChoice} />
      {importer}
      <Row style={styles.top}>
        <TextField testID="backtest-start" label={t('backtest.start')} placeholder="YYYY-MM-DD" value={start} onChange={setStart} error={errorOf('start')} />
        <TextField testID="backtest-end" label={t('backtest.end')} placeholder="YYYY-MM-DD" value={end} onChange={setEnd} error={errorOf('end')} />
      </Row>
      <Label>{t('backtest.strategy')}</Label>
      <Choice
        testID="backtest-strategy"
        options={specs.map((s) => s.name)}
        value={spec?.name ?? ''}
        label={(o) => o}
        onChange={setStrategy}
      />
      {spec ? <Label>{spec.description}</Label> : null}
      <Row style={styles.top}>
        {spec?.parameters.map((p) =>
          p.kind === 'boolean' || p.kind === 'choice' ? (
            <View key={p.name} style={styles.choice}>
              <Label>{p.name}</Label>
              <Choice
                testID={`param-${p.name}`}
                options={[...(p.kind === 'boolean' ? ['true', 'false'] : (p.choices ?? [])), ...(p.nullable ? [''] : [])]}
                value={values[p.name] ?? ''}
                label={(o) => (o === '' ? t('backtest.none') : p.kind === 'boolean' ? t(o === 'true' ? 'summary.yes' : 'summary.no') : o)}
                onChange={(o) => setValue(p.name, o)}
              />
              <ErrorLine message={errorOf(`params.${p.name}`)} />
            </View>
          ) : (
            <TextField
              key={p.name}
              testID={`param-${p.name}`}
              label={p.name}
              placeholder={p.description ?? undefined}
              inputMode={p.kind === 'string' ? 'text' : 'decimal'}
              value={values[p.name] ?? ''}
              onChange={(text) => setValue(p.name, text)}
              error={errorOf(`params.${p.name}`) ?? (p.name in serverFields ? serverFields[p.name] : null)}
            />
          ),
        )}
      </Row>
      <Label>{t('backtest.money')}</Label>
      <Row style={styles.top}>
        {MONEY_FIELDS.map((name) => (
          <TextField
            key={name}
            testID={`backtest-${name}`}
            label={t(`backtest.fields.${name}`)}
            placeholder={name === 'initial_capital' ? undefined : t('backtest.serverDefault')}
            inputMode="decimal"
            width={140}
            value={money[name]}
            onChange={(text) => setMoney((old) => ({ ...old, [name]: text }))}
            error={errorOf(name)}
          />
        ))}
      </Row>
      <ErrorLine testID="backtest-error" message={unplaced ?? serverFields.params ?? null} />
      <Row>
        <Button testID="backtest-launch" title={t('backtest.launch')} busy={launch.isPending} disabled={!spec || !chosenSeries} onPress={submit} />
      </Row>
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 8 },
  top: { alignItems: 'flex-start' },
  choice: { minWidth: 180, gap: 4 },
});
