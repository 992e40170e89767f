/**
 * What a backtest was asked, for a reader: labelled fields (market, period, costs, protection,
 * capital, reallocation) in the user's language and number format, each strategy's parameters
 * as a compact list, and the complete request as JSON behind a button (to reproduce the run).
 * Money and ratios are written from their strings; a value the request left empty says what
 * the run took instead (the bot's setting, the server's default).
 */
import { useState, type ReactNode } from 'react';
import { Platform, StyleSheet, Text, View } from 'react-native';

import { Button } from '@/components/ui';
import { useFormat, type Format } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { strategyParts, type ParameterValue } from '@/lib/backtest';
import { formatPercent, formatPlain } from '@/lib/decimal';
import type { Schemas } from '@/services/api';

type Request = Record<string, unknown>;
type Settings = Schemas['BacktestSettingsPublic'];

/** A request's value as a decimal string, if it is one (stored requests keep strings). */
function decimal(value: unknown): string | null {
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function day(value: unknown): string | null {
  return typeof value === 'string' && value ? value.slice(0, 10) : null;
}

/** The request's fields worth reading, labelled, in order; `[label, value, testID]`. */
export function requestFields(request: Request, kind: string, format: Format): [string, string, string][] {
  const { t, money, locale } = format;
  const percent = (value: unknown, empty: string) => {
    const text = decimal(value);
    return text === null ? empty : formatPercent(text, locale);
  };
  const fields: [string, string, string][] = [];
  const add = (key: string, label: string, value: string | null) => {
    if (value !== null && value !== '') fields.push([label, value, key]);
  };
  const pairs = Array.isArray(request.pairs) && request.pairs.length ? request.pairs.map(String) : null;
  add('exchange', t('summary.exchange'), typeof request.exchange === 'string' ? request.exchange : null);
  if (pairs && pairs.length > 1) add('pairs', t('summary.pairs'), pairs.join(', '));
  else add('pair', t('summary.pair'), typeof request.pair === 'string' ? request.pair : (pairs?.[0] ?? null));
  add('timeframe', t('summary.timeframe'), typeof request.timeframe === 'string' ? request.timeframe : null);
  const [start, end] = [day(request.start), day(request.end)];
  add(
    'period',
    t('summary.period'),
    start || end ? `${start ?? t('summary.first')} → ${end ?? t('summary.last')}` : t('summary.allCandles'),
  );
  if (kind === 'portfolio') {
    const capital = (value: unknown) => {
      const text = decimal(value);
      return text === null ? t('summary.botSetting') : money(text);
    };
    add('safe_capital', t('portfolio.fields.safe_capital'), capital(request.safe_capital));
    add('aggressive_capital', t('portfolio.fields.aggressive_capital'), capital(request.aggressive_capital));
    const ratios = Array.isArray(request.ratios) ? request.ratios.map(decimal).filter((r): r is string => r !== null) : [];
    if (ratios.length) {
      add(
        'ratios',
        ratios.length > 1 || request.swept ? t('summary.ratios') : t('summary.ratio'),
        ratios.map((r) => formatPercent(r, locale)).join(', '),
      );
    }
    if (request.on_deep_streak === 'quarter' || request.on_deep_streak === 'pause') {
      add('on_deep_streak', t('portfolio.onDeepStreak'), t(`portfolio.streak.${request.on_deep_streak}`));
    }
  } else {
    const capital = decimal(request.initial_capital);
    add('initial_capital', t('summary.capital'), capital === null ? null : money(capital));
  }
  add('fee', t('summary.fee'), percent(request.fee, t('summary.serverDefault')));
  add('slippage', t('summary.slippage'), percent(request.slippage, t('summary.serverDefault')));
  add('stop_loss', t('summary.stopLoss'), percent(request.stop_loss, t('summary.botSetting')));
  add('take_profit', t('summary.takeProfit'), percent(request.take_profit, t('summary.botSetting')));
  add('risk_ratio', t('summary.risk'), percent(request.risk_ratio, t('summary.botSetting')));
  add('stake', t('summary.stake'), percent(request.stake, t('summary.byRisk')));
  if (request.fill === 'open' || request.fill === 'close') add('fill', t('summary.fill'), t(`summary.fills.${request.fill}`));
  return fields;
}

/** A strategy parameter's value in the user's language. */
export function parameterText(value: ParameterValue, format: Format): string {
  switch (value.kind) {
    case 'boolean':
      return format.t(value.value ? 'summary.yes' : 'summary.no');
    case 'none':
      return format.t('summary.unset');
    case 'number':
      return formatPlain(value.value, format.locale);
    case 'text':
      return value.value;
  }
}

/** Labelled values that wrap: two or three to a line on a phone, more when wide. */
function Fields({ fields, testID }: { fields: [string, string, string][]; testID: string }) {
  const theme = useTheme();
  return (
    <View testID={testID} style={styles.fields}>
      {fields.map(([label, value, key]) => (
        <View key={key} style={styles.field}>
          <Text style={[styles.fieldLabel, { color: theme.muted }]}>{label}</Text>
          <Text testID={`${testID}-${key}`} style={[styles.fieldValue, { color: theme.text }]}>
            {value}
          </Text>
        </View>
      ))}
    </View>
  );
}

/**
 * One strategy: who runs it (a bot, or nothing for a plain backtest), its name, its parameters
 * as `name value` pairs, and the protection it really used when the report says.
 */
export function StrategySummary({
  label,
  who,
  settings,
  testID,
}: {
  label: string;
  who?: string;
  settings?: Settings;
  testID: string;
}) {
  const theme = useTheme();
  const format = useFormat();
  const { t, locale } = format;
  const { name, params } = strategyParts(label);
  const used: [string, string][] = settings
    ? [
        [t('summary.stopLoss'), formatPercent(settings.stop_loss, locale)],
        [t('summary.takeProfit'), formatPercent(settings.take_profit, locale)],
        [t('summary.risk'), formatPercent(settings.risk_ratio, locale)],
        ...(settings.stake ? ([[t('summary.stake'), formatPercent(settings.stake, locale)]] as [string, string][]) : []),
      ]
    : [];
  return (
    <View testID={testID} style={styles.strategy}>
      <Text style={[styles.strategyName, { color: theme.text }]}>
        {who ? `${who} · ` : ''}
        {name}
      </Text>
      <View style={styles.params}>
        {params.length ? (
          params.map(([key, value]) => (
            <Text key={key} testID={`${testID}-${key}`} style={[styles.param, { color: theme.text }]}>
              <Text style={{ color: theme.muted }}>{key} </Text>
              {parameterText(value, format)}
            </Text>
          ))
        ) : (
          <Text style={[styles.param, { color: theme.muted }]}>{t('summary.noParams')}</Text>
        )}
      </View>
      {used.length ? (
        <Text testID={`${testID}-used`} style={[styles.param, { color: theme.muted }]}>
          {t('common.labelled', { label: t('summary.used'), value: used.map(([k, v]) => `${k} ${v}`).join(' · ') })}
        </Text>
      ) : null}
    </View>
  );
}

/** The request's fields, then the complete request as JSON when asked for. */
export function RequestSummary({
  request,
  kind,
  children,
  testID = 'request',
}: {
  request: Request;
  kind: string;
  /** the strategies run (`StrategySummary`), under the fields */
  children?: ReactNode;
  testID?: string;
}) {
  const theme = useTheme();
  const format = useFormat();
  const [raw, setRaw] = useState(false);
  return (
    <View style={styles.summary}>
      <Fields testID={testID} fields={requestFields(request, kind, format)} />
      {children ? (
        <View style={styles.strategies}>
          <Text style={[styles.fieldLabel, { color: theme.muted }]}>{format.t('summary.parameters')}</Text>
          {children}
        </View>
      ) : null}
      <View style={styles.rawButton}>
        <Button
          kind="secondary"
          testID={`${testID}-raw-toggle`}
          title={format.t(raw ? 'summary.hideRequest' : 'summary.showRequest')}
          onPress={() => setRaw((shown) => !shown)}
        />
      </View>
      {raw ? (
        <Text selectable testID={`${testID}-raw`} style={[styles.raw, { color: theme.text, borderColor: theme.border }]}>
          {JSON.stringify(request, null, 2)}
        </Text>
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  summary: { gap: 8 },
  fields: { flexDirection: 'row', flexWrap: 'wrap', columnGap: 16, rowGap: 6 },
  // one width for every field: they line up in columns (two on a phone, seven on a desktop)
  field: { width: 140 },
  fieldLabel: { fontSize: 11 },
  fieldValue: { fontSize: 13, fontVariant: ['tabular-nums'] },
  strategies: { gap: 6 },
  strategy: { gap: 2 },
  strategyName: { fontSize: 13, fontWeight: '600' },
  params: { flexDirection: 'row', flexWrap: 'wrap', columnGap: 12, rowGap: 2 },
  param: { fontSize: 12, fontVariant: ['tabular-nums'] },
  rawButton: { alignSelf: 'flex-start' },
  raw: {
    fontSize: 11,
    fontFamily: Platform.select({ web: 'monospace', ios: 'Menlo', default: 'monospace' }),
    borderWidth: StyleSheet.hairlineWidth,
    borderRadius: 6,
    padding: 8,
  },
});
