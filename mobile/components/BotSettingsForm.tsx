/** Quick settings: risk ratio, stop-loss, take-profit, strategy parameters; the server's
 * validation errors are shown on their field. Decimals are sent as the strings typed. A yes/no
 * parameter is a yes/no choice; an unset one (null) is an empty field, not the word "null". */
import { useState } from 'react';
import { StyleSheet, Text, TextInput, View } from 'react-native';

import { Button, Choice, ErrorLine, Label } from '@/components/ui';
import { useBotSettings, type SettingsChange } from '@/hooks/queries';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import type { Schemas } from '@/services/api';
import { ApiError, messageOf } from '@/services/errors';
import { useOnline } from '@/store/live';

type Values = Record<string, string>;

/** A parameter's value as its field shows it: unset is empty. */
function paramText(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function paramValue(text: string, original: unknown): unknown {
  if (typeof original === 'boolean') return text.trim().toLowerCase() === 'true';
  if (original === null && text.trim() === '') return null;
  if (typeof original === 'number' && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  return text;
}

/** Only what changed, in the API's shape. */
export function changeFrom(config: Schemas['BotConfigPublic'], values: Values): SettingsChange {
  const change: SettingsChange = {};
  if (values.risk_ratio !== config.risk_ratio) change.risk_ratio = values.risk_ratio;
  if (values.stop_loss !== config.stop_loss) change.stop_loss = values.stop_loss;
  if (values.take_profit !== config.take_profit) change.take_profit = values.take_profit;
  const params: Record<string, unknown> = {};
  for (const [key, original] of Object.entries(config.params)) {
    const typed = values[`params.${key}`];
    if (typed !== undefined && typed !== paramText(original)) params[key] = paramValue(typed, original);
  }
  if (Object.keys(params).length) change.params = { ...config.params, ...params };
  return change;
}

export function BotSettingsForm({ bot }: { bot: Schemas['BotPublic'] }) {
  const theme = useTheme();
  const { t } = useFormat();
  const save = useBotSettings();
  const online = useOnline();
  const initial: Values = {
    risk_ratio: bot.config.risk_ratio,
    stop_loss: bot.config.stop_loss,
    take_profit: bot.config.take_profit,
    ...Object.fromEntries(Object.entries(bot.config.params).map(([k, v]) => [`params.${k}`, paramText(v)])),
  };
  const [values, setValues] = useState<Values>(initial);
  const [saved, setSaved] = useState(false);
  const error = save.error instanceof ApiError ? save.error : null;
  const fields = error?.fields ?? {};
  const change = changeFrom(bot.config, values);

  const edit = (name: string, text: string) => {
    setSaved(false);
    setValues((old) => ({ ...old, [name]: text }));
  };
  const choice = (name: string, label: string) => (
    <View key={name} style={styles.field}>
      <Text style={[styles.label, { color: theme.muted }]}>{label}</Text>
      <Choice
        testID={`settings-${bot.kind}-${name}`}
        options={['true', 'false'] as const}
        value={values[name] === 'true' ? 'true' : 'false'}
        label={(o) => t(o === 'true' ? 'summary.yes' : 'summary.no')}
        onChange={(o) => edit(name, o)}
      />
      <ErrorLine testID={`settings-${bot.kind}-${name}-error`} message={fields[name]} />
    </View>
  );
  const field = (name: string, label: string) => (
    <View key={name} style={styles.field}>
      <Text style={[styles.label, { color: theme.muted }]}>{label}</Text>
      <TextInput
        testID={`settings-${bot.kind}-${name}`}
        accessibilityLabel={label}
        style={[styles.input, { color: theme.text, borderColor: fields[name] ? theme.loss : theme.border }]}
        value={values[name] ?? ''}
        placeholder={t('summary.unset')}
        placeholderTextColor={theme.muted}
        onChangeText={(text) => edit(name, text)}
        autoCapitalize="none"
        inputMode="decimal"
      />
      <ErrorLine testID={`settings-${bot.kind}-${name}-error`} message={fields[name]} />
    </View>
  );

  const unplaced = error && !Object.keys(fields).some((f) => f in values) ? messageOf(error) : null;
  return (
    <View style={styles.box} testID={`settings-${bot.kind}`}>
      <View style={styles.grid}>
        {field('risk_ratio', t('bot.riskRatio'))}
        {field('stop_loss', t('bot.stopLoss'))}
        {field('take_profit', t('bot.takeProfit'))}
      </View>
      {Object.keys(bot.config.params).length ? <Label>{t('bot.params')}</Label> : null}
      <View style={styles.grid}>
        {Object.entries(bot.config.params).map(([key, value]) =>
          typeof value === 'boolean' ? choice(`params.${key}`, key) : field(`params.${key}`, key),
        )}
      </View>
      <ErrorLine testID={`settings-${bot.kind}-error`} message={unplaced} />
      {saved ? <Label>{t('bot.saved')}</Label> : null}
      <View style={{ flexDirection: 'row' }}>
        <Button
          testID={`settings-${bot.kind}-save`}
          title={t('common.save')}
          disabled={!Object.keys(change).length || !online}
          busy={save.isPending}
          onPress={() =>
            save.mutate({ bot: bot.kind, change }, { onSuccess: () => setSaved(true) })
          }
        />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  grid: { flexDirection: 'row', flexWrap: 'wrap', gap: 10 },
  field: { minWidth: 180, flexGrow: 1, flexBasis: 180, gap: 2 },
  label: { fontSize: 12 },
  input: { borderWidth: 1, borderRadius: 8, paddingHorizontal: 8, paddingVertical: 6, fontSize: 14 },
});
