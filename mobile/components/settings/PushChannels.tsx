/**
 * Your ntfy topic (server URL, topic, optional access token: set, tested, removed) and, in the
 * phone app, this phone's Expo push registration. The server's refusals land on their field;
 * the token is write-only (the server only says whether one is set).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Platform, StyleSheet, View } from 'react-native';

import { Body, Button, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { api, call, type Schemas } from '@/services/api';
import { ApiError, messageOf } from '@/services/errors';
import { expoPushSupported, expoPushToken } from '@/services/expoPush';

type Settings = Schemas['NotificationSettingsPublic'];

export function NtfyTopic({ settings }: { settings: Settings }) {
  const { t } = useFormat();
  const client = useQueryClient();
  const current = settings.ntfy;
  const [baseUrl, setBaseUrl] = useState(current?.base_url ?? 'https://ntfy.sh');
  const [topic, setTopic] = useState(current?.topic ?? '');
  const [token, setToken] = useState('');
  const refresh = () => client.invalidateQueries({ queryKey: ['push-settings'] });
  const save = useMutation({
    retry: 0,
    mutationFn: () =>
      call(
        api().PUT('/api/notifications/ntfy', {
          body: { base_url: baseUrl.trim(), topic: topic.trim(), token: token.trim() || null },
        }),
      ),
    onSuccess: (saved) => {
      client.setQueryData(['push-settings'], saved);
      setToken('');
    },
  });
  const remove = useMutation({
    retry: 0,
    mutationFn: () => call(api().DELETE('/api/notifications/ntfy')),
    onSuccess: () => {
      client.setQueryData(['push-settings'], (old: Settings | undefined) => (old ? { ...old, ntfy: null } : old));
      void refresh();
    },
  });
  const test = useMutation({ retry: 0, mutationFn: () => call(api().POST('/api/notifications/test')) });
  const fields = save.error instanceof ApiError ? save.error.fields : {};
  const unplaced = save.error && !Object.keys(fields).length ? messageOf(save.error) : null;
  const ntfyResult = test.data?.data.find((r) => r.channel === 'ntfy');
  return (
    <View testID="ntfy" style={styles.box}>
      <Label>{t('settings.ntfy.title')}</Label>
      {current ? (
        <Body testID="ntfy-current">
          {t('settings.ntfy.current', { topic: current.topic, url: current.base_url })}
          {current.token_set ? ` · ${t('settings.ntfy.tokenSet')}` : ''}
        </Body>
      ) : (
        <Label>{t('settings.ntfy.none')}</Label>
      )}
      <Row style={styles.top}>
        <TextField
          testID="ntfy-url"
          label={t('settings.ntfy.url')}
          inputMode="url"
          width={240}
          value={baseUrl}
          onChange={setBaseUrl}
          error={fields.base_url ?? null}
        />
        <TextField testID="ntfy-topic" label={t('settings.ntfy.topic')} value={topic} onChange={setTopic} error={fields.topic ?? null} />
        <TextField
          testID="ntfy-token"
          label={t('settings.ntfy.token')}
          placeholder={t('settings.ntfy.tokenHint')}
          secure
          value={token}
          onChange={setToken}
          error={fields.token ?? null}
        />
      </Row>
      <Row>
        <Button testID="ntfy-save" title={t('settings.ntfy.save')} busy={save.isPending} onPress={() => save.mutate()} />
        {current ? (
          <>
            <Button testID="ntfy-test" kind="secondary" title={t('settings.push.test')} busy={test.isPending} onPress={() => test.mutate()} />
            <Button testID="ntfy-remove" kind="danger" title={t('backtest.delete')} busy={remove.isPending} onPress={() => remove.mutate()} />
          </>
        ) : null}
      </Row>
      {ntfyResult ? (
        <Body testID="ntfy-test-result">
          {t(`settings.ntfy.results.${ntfyResult.status}`, { detail: ntfyResult.detail })}
        </Body>
      ) : null}
      <ErrorLine testID="ntfy-error" message={unplaced ?? (remove.error || test.error ? messageOf(remove.error ?? test.error) : null)} />
    </View>
  );
}

/** The phone app only: registers this phone's Expo push token with the server. */
export function ExpoRegistration({ settings }: { settings: Settings }) {
  const { t } = useFormat();
  const client = useQueryClient();
  const [label, setLabel] = useState(`${Platform.OS}`);
  const register = useMutation({
    retry: 0,
    mutationFn: async () => {
      const token = await expoPushToken();
      return call(api().POST('/api/notifications/devices', { body: { channel: 'expo', token, label: label.trim() || null } }));
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['push-settings'] }),
  });
  if (!expoPushSupported) return null;
  const fields = register.error instanceof ApiError ? register.error.fields : {};
  const phones = settings.devices.filter((d) => d.channel === 'expo').length;
  return (
    <View testID="expo-push" style={styles.box}>
      <Label>{t('settings.expo.title', { count: phones })}</Label>
      <Row style={styles.top}>
        <TextField testID="expo-label" label={t('settings.expo.label')} value={label} onChange={setLabel} error={fields.label ?? null} />
        <Button testID="expo-register" title={t('settings.expo.register')} busy={register.isPending} onPress={() => register.mutate()} />
      </Row>
      <ErrorLine
        testID="expo-error"
        message={register.error ? (fields.token ?? (fields.label ? null : messageOf(register.error))) : null}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  top: { alignItems: 'flex-start' },
});
