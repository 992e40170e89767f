/**
 * Your notifications (every user): per event, which channel brings it (Web Push, the phone
 * app, ntfy); this browser's Web Push subscription; your devices; a test push.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Platform, Pressable, StyleSheet, Text, View } from 'react-native';

import { ExpoRegistration, NtfyTopic } from '@/components/settings/PushChannels';
import { Body, Button, ErrorLine, Label, Row } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { api, call, type Schemas } from '@/services/api';
import { messageOf } from '@/services/errors';
import { removeDevice, subscribeThisBrowser, webPushSupported } from '@/services/webpush';

type Channel = 'webpush' | 'expo' | 'ntfy';
const CHANNELS: Channel[] = ['webpush', 'expo', 'ntfy'];
type Settings = Schemas['NotificationSettingsPublic'];

export function PushPreferences() {
  const theme = useTheme();
  const { t, dateTime } = useFormat();
  const client = useQueryClient();
  const settings = useQuery({ queryKey: ['push-settings'], queryFn: () => call(api().GET('/api/notifications')) });
  const saved = (data: Settings) => client.setQueryData(['push-settings'], data);
  const change = useMutation({
    retry: 0,
    mutationFn: (body: Schemas['NotificationPreferencesUpdate']) =>
      call(api().PATCH('/api/notifications/preferences', { body })),
    onSuccess: saved,
  });
  const subscribe = useMutation({
    retry: 0,
    mutationFn: () => subscribeThisBrowser(`${Platform.OS === 'web' ? navigator.userAgent.split(' ').at(-1) : Platform.OS}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['push-settings'] }),
  });
  const remove = useMutation({
    retry: 0,
    mutationFn: removeDevice,
    onSuccess: () => void client.invalidateQueries({ queryKey: ['push-settings'] }),
  });
  const test = useMutation({ retry: 0, mutationFn: () => call(api().POST('/api/notifications/test')) });
  const data = settings.data;
  if (!data) return <Label>{settings.error ? messageOf(settings.error) : t('common.loading')}</Label>;
  const failure = change.error ?? subscribe.error ?? remove.error ?? test.error;
  return (
    <View testID="push-preferences" style={styles.box}>
      {data.push_enabled ? null : <Body>{t('settings.push.off')}</Body>}
      <View style={[styles.tr, { borderColor: theme.border }]}>
        <Text style={[styles.event, { color: theme.muted }]}>{t('settings.notify.events')}</Text>
        {CHANNELS.map((c) => (
          <Text key={c} style={[styles.cell, { color: theme.muted }]}>
            {t(`settings.push.channels.${c}`)}
          </Text>
        ))}
      </View>
      {data.events.map((row) => (
        <View key={row.event} style={[styles.tr, { borderColor: theme.border }]}>
          <Text style={[styles.event, { color: theme.text }]}>
            {t(`settings.notify.kinds.${row.event}`, { defaultValue: row.description })}
          </Text>
          {CHANNELS.map((c) => {
            const on = (row.channels as Record<string, boolean>)[c] ?? false;
            return (
              <View key={c} style={styles.cell}>
                <Pressable
                  testID={`push-${row.event}-${c}`}
                  accessibilityRole="switch"
                  accessibilityLabel={`${row.event} ${c}`}
                  accessibilityState={{ checked: on }}
                  onPress={() => change.mutate({ events: { [row.event]: { [c]: !on } } })}
                  style={[styles.toggle, { borderColor: theme.border, backgroundColor: on ? theme.primary : theme.card }]}>
                  <Text style={{ color: on ? '#ffffff' : theme.muted, fontSize: 12 }}>{on ? t('settings.on') : t('settings.off')}</Text>
                </Pressable>
              </View>
            );
          })}
        </View>
      ))}
      <Label>{t('settings.push.devices')}</Label>
      {data.devices.map((device) => (
        <Row key={device.id}>
          <Body>
            {t(`settings.push.channels.${device.channel}`)} · {device.label ?? '—'} · {device.address_masked}
          </Body>
          <Label>{device.last_sent_at ? t('settings.push.lastSent', { at: dateTime(device.last_sent_at) }) : ''}</Label>
          <Button testID={`push-device-${device.id}-remove`} kind="secondary" title={t('backtest.delete')} onPress={() => remove.mutate(device)} />
        </Row>
      ))}
      <Row>
        {webPushSupported() && data.web_push_available ? (
          <Button testID="push-subscribe" title={t('settings.push.subscribe')} busy={subscribe.isPending} onPress={() => subscribe.mutate()} />
        ) : (
          <Label>{t('settings.push.unavailable')}</Label>
        )}
        <Button testID="push-test" kind="secondary" title={t('settings.push.test')} busy={test.isPending} onPress={() => test.mutate()} />
      </Row>
      <NtfyTopic settings={data} />
      <ExpoRegistration settings={data} />
      {test.data ? <Body testID="push-test-result">{t('settings.push.tested', { count: test.data.count })}</Body> : null}
      <ErrorLine testID="push-error" message={failure ? messageOf(failure) : null} />
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  tr: { flexDirection: 'row', alignItems: 'center', borderBottomWidth: StyleSheet.hairlineWidth, paddingVertical: 4, gap: 6 },
  event: { flex: 1, minWidth: 160, fontSize: 13 },
  cell: { width: 110, fontSize: 12 },
  toggle: { borderWidth: 1, borderRadius: 8, paddingVertical: 4, alignItems: 'center', width: 90 },
});
