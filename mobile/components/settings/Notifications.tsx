/**
 * Notification preferences: on or off, the least severity sent, each event on or off (muted
 * kinds), and the channels (push, Discord). Saved at once; what shows is what the server says.
 */
import { StyleSheet, View } from 'react-native';

import { Choice, ErrorLine, Label, Row } from '@/components/ui';
import { useNotifications } from '@/hooks/queries';
import { useUpdateNotifications } from '@/hooks/settings';
import { useFormat } from '@/hooks/useFormat';
import { messageOf } from '@/services/errors';

/** The events the notifier sends (backend notify/events.py), each with its own toggle. */
export const EVENTS = [
  'trade_opened',
  'trade_closed',
  'reallocation',
  'risk_reduced',
  'risk_restored',
  'circuit_breaker',
  'bot_paused',
  'order_failed',
  'protection_failed',
  'engine_silent',
  'daily_digest',
] as const;

export function Notifications({ canEdit }: { canEdit: boolean }) {
  const { t } = useFormat();
  const settings = useNotifications();
  const update = useUpdateNotifications();
  const data = settings.data;
  if (!data) return <Label>{settings.error ? messageOf(settings.error) : t('common.loading')}</Label>;
  const onOff = (value: boolean) => (value ? 'on' : 'off');
  const toggle = (testID: string, value: boolean, change: (on: boolean) => void, label: string) => (
    <View style={styles.item} key={testID}>
      <Label>{label}</Label>
      <Choice
        testID={testID}
        options={['on', 'off'] as const}
        value={onOff(value)}
        label={(o) => t(`settings.${o}`)}
        onChange={(o) => canEdit && change(o === 'on')}
      />
    </View>
  );
  return (
    <View testID="notifications" style={styles.box}>
      <Row style={styles.top}>
        {toggle('notify-enabled', data.enabled, (on) => update.mutate({ enabled: on }), t('settings.notify.enabled'))}
        {toggle('notify-push', data.push_enabled, (on) => update.mutate({ push_enabled: on }), t('settings.notify.push'))}
        {toggle('notify-discord', data.discord_enabled, (on) => update.mutate({ discord_enabled: on }), t('settings.notify.discord'))}
        <View style={styles.item}>
          <Label>{t('settings.notify.severity')}</Label>
          <Choice
            testID="notify-severity"
            options={['info', 'warning', 'critical'] as const}
            value={data.min_severity}
            label={(o) => t(`settings.notify.severities.${o}`)}
            onChange={(o) => canEdit && update.mutate({ min_severity: o })}
          />
        </View>
      </Row>
      {data.discord_webhook ? <Label>{t('settings.notify.webhook', { url: data.discord_webhook })}</Label> : null}
      <Label>{t('settings.notify.events')}</Label>
      <Row style={styles.top}>
        {EVENTS.map((kind) => {
          const muted = data.muted_kinds.includes(kind);
          return toggle(
            `notify-event-${kind}`,
            !muted,
            (on) =>
              update.mutate({
                muted_kinds: on ? data.muted_kinds.filter((k) => k !== kind) : [...data.muted_kinds, kind],
              }),
            t(`settings.notify.kinds.${kind}`),
          );
        })}
      </Row>
      <ErrorLine testID="notify-error" message={update.error ? messageOf(update.error) : null} />
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 8 },
  top: { alignItems: 'flex-start' },
  item: { gap: 4, minWidth: 200 },
});
