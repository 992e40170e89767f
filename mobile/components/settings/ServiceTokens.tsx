/**
 * Service tokens (for the Discord bot and scripts): create with scopes and a lifetime (the
 * token is shown once, here, and never again), list, revoke.
 */
import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { Body, Button, Chip, Choice, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useCreateServiceToken, useRevokeServiceToken, useServiceTokens } from '@/hooks/settings';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { ApiError, messageOf } from '@/services/errors';

export function ServiceTokens() {
  const theme = useTheme();
  const { t, dateTime } = useFormat();
  const tokens = useServiceTokens();
  const create = useCreateServiceToken();
  const revoke = useRevokeServiceToken();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'read' | 'control'>('read');
  const [days, setDays] = useState('');
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const unplaced = create.error && !Object.keys(fields).length ? messageOf(create.error) : null;
  const shown = create.data;
  return (
    <View testID="service-tokens" style={styles.box}>
      {tokens.data?.data.map((token) => (
        <Row key={token.id}>
          <Body style={styles.name}>{token.name}</Body>
          {token.scopes.map((s) => (
            <Chip key={s} text={s} />
          ))}
          <Label>
            {t('settings.tokens.created', { at: dateTime(token.created_at) })}
            {token.expires_at ? ` · ${t('settings.tokens.expires', { at: dateTime(token.expires_at) })}` : ''}
            {token.last_used_at ? ` · ${t('settings.tokens.used', { at: dateTime(token.last_used_at) })}` : ''}
          </Label>
          {token.revoked_at ? (
            <Chip tone="bad" text={t('settings.tokens.revoked')} />
          ) : (
            <Button testID={`token-${token.name}-revoke`} kind="danger" title={t('settings.tokens.revoke')} onPress={() => revoke.mutate(token.id)} />
          )}
        </Row>
      ))}
      {shown ? (
        <View style={[styles.once, { borderColor: theme.warning }]}>
          <Label>{t('settings.tokens.once')}</Label>
          <Body testID="token-shown-once" style={styles.secret}>
            {shown.token}
          </Body>
        </View>
      ) : null}
      <Row style={styles.form}>
        <TextField testID="token-name" label={t('backtest.name')} value={name} onChange={setName} error={fields.name} placeholder="discord-bot" />
        <View style={{ gap: 4 }}>
          <Label>{t('settings.tokens.scopes')}</Label>
          <Choice
            testID="token-scope"
            options={['read', 'control'] as const}
            value={scope}
            label={(o) => t(`settings.tokens.scope.${o}`)}
            onChange={setScope}
          />
        </View>
        <TextField testID="token-days" label={t('settings.tokens.days')} value={days} onChange={setDays} error={fields.expires_in_days} inputMode="numeric" width={140} />
        <Button
          testID="token-create"
          title={t('settings.tokens.create')}
          disabled={!name.trim()}
          busy={create.isPending}
          onPress={() =>
            create.mutate(
              {
                name: name.trim(),
                scopes: scope === 'read' ? ['read'] : ['read', 'control'],
                ...(days.trim() ? { expires_in_days: Number(days) } : {}),
              },
              { onSuccess: () => setName('') },
            )
          }
        />
      </Row>
      <ErrorLine message={unplaced ?? (revoke.error ? messageOf(revoke.error) : null)} />
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  name: { minWidth: 120, fontWeight: '600' },
  form: { alignItems: 'flex-start' },
  once: { borderWidth: 1, borderRadius: 8, padding: 10, gap: 4 },
  secret: { fontFamily: 'monospace' },
});
