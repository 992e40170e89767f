/**
 * Exchange API keys (admins): add or replace (stored encrypted by the server, never shown
 * again), delete, and the rotation state (encrypted with the newest key or not).
 */
import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Body, Button, Chip, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useDeleteExchangeKey, useExchangeKeys, usePutExchangeKey, useRotateKeys } from '@/hooks/settings';
import { useFormat } from '@/hooks/useFormat';
import { ApiError, messageOf } from '@/services/errors';

export function ExchangeKeys() {
  const { t, dateTime } = useFormat();
  const keys = useExchangeKeys(true);
  const put = usePutExchangeKey();
  const remove = useDeleteExchangeKey();
  const rotate = useRotateKeys();
  const [exchange, setExchange] = useState('binance');
  const [apiKey, setApiKey] = useState('');
  const [secret, setSecret] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);
  const fields = put.error instanceof ApiError ? put.error.fields : {};
  const unplaced = put.error && !Object.keys(fields).length ? messageOf(put.error) : null;
  const stale = keys.data?.data.some((k) => !k.current_encryption);

  const save = () =>
    put.mutate(
      {
        exchange: exchange.trim(),
        body: { api_key: apiKey, api_secret: secret, ...(passphrase ? { passphrase } : {}) },
      },
      {
        // the secrets leave the screen once stored
        onSuccess: () => {
          setApiKey('');
          setSecret('');
          setPassphrase('');
        },
      },
    );

  return (
    <View testID="exchange-keys" style={styles.box}>
      {keys.error ? <ErrorLine message={messageOf(keys.error)} /> : null}
      {keys.data?.data.length === 0 ? <Label>{t('settings.keys.none')}</Label> : null}
      {keys.data?.data.map((key) => (
        <Row key={key.exchange}>
          <Body style={styles.name}>{key.exchange}</Body>
          <Body testID={`key-${key.exchange}-masked`}>{key.api_key_masked}</Body>
          {key.has_passphrase ? <Chip text={t('settings.keys.passphrase')} /> : null}
          <Chip
            testID={`key-${key.exchange}-rotation`}
            tone={key.current_encryption ? 'ok' : 'warn'}
            text={key.current_encryption ? t('settings.keys.current') : t('settings.keys.stale')}
          />
          <Label>{t('settings.keys.updated', { at: dateTime(key.updated_at), by: key.updated_by ?? '—' })}</Label>
          <Button testID={`key-${key.exchange}-delete`} kind="danger" title={t('backtest.delete')} onPress={() => setDeleting(key.exchange)} />
        </Row>
      ))}
      {stale ? (
        <Row>
          <Label>{t('settings.keys.rotateHint')}</Label>
          <Button testID="keys-rotate" kind="secondary" title={t('settings.keys.rotate')} busy={rotate.isPending} onPress={() => rotate.mutate()} />
        </Row>
      ) : null}
      {rotate.data ? <Label>{t('settings.keys.rotated', { count: rotate.data.re_encrypted })}</Label> : null}
      <Label>{t('settings.keys.add')}</Label>
      <Row style={styles.form}>
        <TextField testID="key-exchange" label={t('settings.exchange')} value={exchange} onChange={setExchange} width={130} />
        <TextField testID="key-api-key" label={t('settings.keys.apiKey')} value={apiKey} onChange={setApiKey} error={fields.api_key} secure />
        <TextField testID="key-secret" label={t('settings.keys.secret')} value={secret} onChange={setSecret} error={fields.api_secret} secure />
        <TextField testID="key-passphrase" label={t('settings.keys.passphraseOptional')} value={passphrase} onChange={setPassphrase} error={fields.passphrase} secure />
        <Button testID="key-save" title={t('common.save')} busy={put.isPending} disabled={!apiKey || !secret} onPress={save} />
      </Row>
      <ErrorLine testID="key-error" message={unplaced ?? (remove.error ? messageOf(remove.error) : null)} />
      <ConfirmDialog
        visible={deleting !== null}
        title={t('settings.keys.deleteTitle', { exchange: deleting ?? '' })}
        body={t('settings.keys.deleteBody')}
        confirmLabel={t('backtest.delete')}
        danger
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          if (deleting) remove.mutate(deleting);
          setDeleting(null);
        }}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  name: { minWidth: 90, fontWeight: '600' },
  form: { alignItems: 'flex-start' },
});
