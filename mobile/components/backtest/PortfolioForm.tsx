/**
 * Launch a portfolio backtest: the safe and the aggressive bot on the same stored candles,
 * with profit reallocation at one ratio, or a sweep of ratios (START:STOP:STEP) to chart.
 * Empty fields take the server's trading settings (700 / 300, ratio 0.30). Other stored pairs
 * of the same exchange and timeframe can be added: both bots then trade every pair together
 * (the API's `pairs`). The server's validation errors land on their field.
 */
import { useMemo, useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { dayToIso, seriesKey, SeriesPicker } from '@/components/backtest/BacktestForm';
import { Button, Choice, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useLaunchPortfolio, useSeries, useStrategies } from '@/hooks/backtests';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import type { Schemas } from '@/services/api';
import { ApiError, messageOf } from '@/services/errors';

const TEXT_FIELDS = ['safe_capital', 'aggressive_capital', 'reallocation', 'sweep', 'fee', 'slippage'] as const;
type TextName = (typeof TEXT_FIELDS)[number];
const PLACEHOLDERS: Record<TextName, string> = {
  safe_capital: '700',
  aggressive_capital: '300',
  reallocation: '0.30',
  sweep: '0.1:0.5:0.1',
  fee: '0.001',
  slippage: '0.0005',
};

/** Pairs to add to the run, each toggled on or off. */
function PairToggles({ options, chosen, onChange }: { options: string[]; chosen: string[]; onChange: (pairs: string[]) => void }) {
  const theme = useTheme();
  return (
    <View style={styles.toggles}>
      {options.map((pair) => {
        const on = chosen.includes(pair);
        return (
          <Pressable
            key={pair}
            testID={`portfolio-pair-${pair}`}
            accessibilityRole="checkbox"
            accessibilityState={{ checked: on }}
            onPress={() => onChange(on ? chosen.filter((p) => p !== pair) : [...chosen, pair])}
            style={[styles.toggle, { borderColor: theme.border, backgroundColor: on ? theme.primary : theme.card }]}>
            <Text style={{ color: on ? '#ffffff' : theme.text }}>{pair}</Text>
          </Pressable>
        );
      })}
    </View>
  );
}

/** The other stored pairs a run on `chosen` can trade with: same exchange and timeframe. */
export function companionPairs(all: Schemas['SeriesPublic'][], chosen: Schemas['SeriesPublic'] | undefined): string[] {
  if (!chosen) return [];
  return all
    .filter((s) => s.exchange === chosen.exchange && s.timeframe === chosen.timeframe && s.pair !== chosen.pair)
    .map((s) => s.pair);
}

export function PortfolioForm({ onLaunched }: { onLaunched: (job: Schemas['BacktestJobPublic']) => void }) {
  const { t } = useFormat();
  const series = useSeries();
  const strategies = useStrategies();
  const launch = useLaunchPortfolio();
  const [seriesChoice, setSeriesChoice] = useState<string | null>(null);
  const [morePairs, setMorePairs] = useState<string[]>([]);
  const [safe, setSafe] = useState('conservative');
  const [aggressive, setAggressive] = useState('aggressive');
  const [text, setText] = useState<Record<TextName, string>>({
    safe_capital: '',
    aggressive_capital: '',
    reallocation: '',
    sweep: '',
    fee: '',
    slippage: '',
  });
  const [streak, setStreak] = useState<'quarter' | 'pause'>('quarter');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const allSeries = useMemo(() => series.data?.data ?? [], [series.data]);
  const chosen = allSeries.find((s) => seriesKey(s) === seriesChoice) ?? allSeries[0];
  const names = (strategies.data?.data ?? []).map((s) => s.name);
  const companions = companionPairs(allSeries, chosen);
  const extra = morePairs.filter((p) => companions.includes(p));

  const serverFields = launch.error instanceof ApiError ? launch.error.fields : {};
  const errorOf = (name: string) => localErrors[name] ?? serverFields[name] ?? null;
  const unplaced = launch.error && !Object.keys(serverFields).length ? messageOf(launch.error) : null;

  /** One ratio (the reallocation field, or the server's) or, with `sweep`, every ratio of the range. */
  const submit = (sweep: boolean) => {
    if (!chosen) return;
    const startIso = dayToIso(start);
    const endIso = dayToIso(end);
    const found: Record<string, string> = {};
    if (startIso === null) found.start = t('backtest.errors.day');
    if (endIso === null) found.end = t('backtest.errors.day');
    setLocalErrors(found);
    if (Object.keys(found).length) return;
    const body: Schemas['PortfolioBacktestCreate'] = {
      exchange: chosen.exchange,
      pair: chosen.pair,
      timeframe: chosen.timeframe,
      safe_strategy: safe,
      aggressive_strategy: aggressive,
      on_deep_streak: streak,
      fill: 'open',
      ...(extra.length ? { pairs: [chosen.pair, ...extra] } : {}),
      ...(startIso ? { start: startIso } : {}),
      ...(endIso ? { end: endIso } : {}),
    };
    for (const name of TEXT_FIELDS) {
      const value = text[name].trim();
      if (name === 'sweep') {
        if (sweep) body.sweep = value || PLACEHOLDERS.sweep;
      } else if (name === 'reallocation') {
        if (!sweep && value) body.reallocation = value;
      } else if (value) {
        body[name] = value;
      }
    }
    launch.mutate(body, { onSuccess: onLaunched });
  };

  if (series.data && !allSeries.length) return <Label>{t('backtest.noData')}</Label>;
  return (
    <View testID="portfolio-form" style={styles.box}>
      <Label>{t('portfolio.explain')}</Label>
      <SeriesPicker testID="portfolio-series" series={allSeries} chosen={chosen} onChange={setSeriesChoice} />
      {companions.length ? (
        <>
          <Label>{t('portfolio.morePairs')}</Label>
          <PairToggles options={companions} chosen={extra} onChange={setMorePairs} />
          <ErrorLine message={errorOf('pairs')} />
        </>
      ) : null}
      <Row style={styles.top}>
        <TextField testID="portfolio-start" label={t('backtest.start')} placeholder="YYYY-MM-DD" value={start} onChange={setStart} error={errorOf('start')} />
        <TextField testID="portfolio-end" label={t('backtest.end')} placeholder="YYYY-MM-DD" value={end} onChange={setEnd} error={errorOf('end')} />
      </Row>
      <Row style={styles.top}>
        <View style={styles.choice}>
          <Label>{t('portfolio.safeStrategy')}</Label>
          <Choice testID="portfolio-safe" options={names} value={safe} label={(o) => o} onChange={setSafe} />
          <ErrorLine message={errorOf('safe_strategy')} />
        </View>
        <View style={styles.choice}>
          <Label>{t('portfolio.aggressiveStrategy')}</Label>
          <Choice testID="portfolio-aggressive" options={names} value={aggressive} label={(o) => o} onChange={setAggressive} />
          <ErrorLine message={errorOf('aggressive_strategy')} />
        </View>
        <View style={styles.choice}>
          <Label>{t('portfolio.onDeepStreak')}</Label>
          <Choice
            testID="portfolio-streak"
            options={['quarter', 'pause'] as const}
            value={streak}
            label={(o) => t(`portfolio.streak.${o}`)}
            onChange={setStreak}
          />
        </View>
      </Row>
      <Row style={styles.top}>
        {TEXT_FIELDS.map((name) => (
          <TextField
            key={name}
            testID={`portfolio-${name}`}
            label={t(`portfolio.fields.${name}`)}
            placeholder={PLACEHOLDERS[name]}
            inputMode={name === 'sweep' ? 'text' : 'decimal'}
            width={150}
            value={text[name]}
            onChange={(value) => setText((old) => ({ ...old, [name]: value }))}
            error={errorOf(name)}
          />
        ))}
      </Row>
      <ErrorLine testID="portfolio-error" message={unplaced} />
      <Row>
        <Button testID="portfolio-launch" title={t('portfolio.launch')} busy={launch.isPending} disabled={!chosen} onPress={() => submit(false)} />
        <Button testID="portfolio-launch-sweep" kind="secondary" title={t('portfolio.launchSweep')} busy={launch.isPending} disabled={!chosen} onPress={() => submit(true)} />
      </Row>
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 8 },
  top: { alignItems: 'flex-start' },
  choice: { minWidth: 260, gap: 4, flexShrink: 1 },
  toggles: { flexDirection: 'row', flexWrap: 'wrap', gap: 6 },
  toggle: { borderWidth: 1, borderRadius: 6, paddingHorizontal: 10, paddingVertical: 5 },
});
