/**
 * The live-trading switch (admins): the server's state and every blocker it reports as a
 * warning; turning it on needs the exact phrase typed and the password; off needs a confirm.
 */
import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Body, Button, Chip, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useLiveTrading } from '@/hooks/queries';
import { useSwitchLiveTrading } from '@/hooks/settings';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { ApiError, messageOf } from '@/services/errors';

export function LiveTrading({ canEdit }: { canEdit: boolean }) {
  const theme = useTheme();
  const { t, dateTime } = useFormat();
  const live = useLiveTrading();
  const change = useSwitchLiveTrading();
  const [phrase, setPhrase] = useState('');
  const [password, setPassword] = useState('');
  const [confirmOff, setConfirmOff] = useState(false);
  const data = live.data;
  if (!data) return <Label>{live.error ? messageOf(live.error) : t('common.loading')}</Label>;
  const fields = change.error instanceof ApiError ? change.error.fields : {};
  const unplaced = change.error && !Object.keys(fields).length ? messageOf(change.error) : null;
  const typed = phrase.trim() === data.confirmation_phrase;
  return (
    <View testID="live-trading" style={styles.box}>
      <Row>
        <Label>{t('settings.mode')}</Label>
        <Chip testID="live-mode" tone={data.mode === 'live' ? 'bad' : undefined} text={data.mode === 'live' ? t('common.live') : t('common.paper')} />
        <Label>{t('settings.liveSwitch')}</Label>
        <Chip testID="live-switch" tone={data.enabled ? 'bad' : undefined} text={data.enabled ? t('settings.on') : t('settings.off')} />
        <Chip tone={data.effective ? 'bad' : 'ok'} text={data.effective ? t('settings.live.effective') : t('settings.live.notEffective')} />
        {data.changed_at ? <Label>{dateTime(data.changed_at)} · {data.changed_by}</Label> : null}
      </Row>
      {data.blockers.map((blocker) => (
        <Body key={blocker} testID="live-blocker" style={{ color: theme.warningText }}>
          ⚠ {blocker}
        </Body>
      ))}
      {canEdit && !data.enabled ? (
        <>
          <Body>{t('settings.live.warning')}</Body>
          <Label>{t('settings.live.typePhrase', { phrase: data.confirmation_phrase })}</Label>
          <Row style={styles.form}>
            <TextField testID="live-phrase" label={t('settings.live.phrase')} value={phrase} onChange={setPhrase} error={fields.confirmation} width={300} />
            <TextField testID="live-password" label={t('login.password')} value={password} onChange={setPassword} error={fields.password} secure />
            <Button
              testID="live-enable"
              kind="danger"
              title={t('settings.live.enable')}
              disabled={!typed || !password}
              busy={change.isPending}
              onPress={() =>
                change.mutate(
                  { enabled: true, confirmation: phrase.trim(), password },
                  { onSettled: () => setPassword('') },
                )
              }
            />
          </Row>
        </>
      ) : null}
      {canEdit && data.enabled ? (
        <Row>
          <Button testID="live-disable" kind="secondary" title={t('settings.live.disable')} busy={change.isPending} onPress={() => setConfirmOff(true)} />
        </Row>
      ) : null}
      <ErrorLine testID="live-error" message={unplaced} />
      <ConfirmDialog
        visible={confirmOff}
        title={t('settings.live.disable')}
        body={t('settings.live.disableBody')}
        confirmLabel={t('settings.live.disable')}
        onCancel={() => setConfirmOff(false)}
        onConfirm={() => {
          setConfirmOff(false);
          change.mutate({ enabled: false });
        }}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  form: { alignItems: 'flex-start' },
});
