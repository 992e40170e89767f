/**
 * The account: who is signed in where, change the password (every session ends, so this one
 * too), sign out here, sign out everywhere.
 */
import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Body, Button, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useChangePassword, useLogoutEverywhere } from '@/hooks/settings';
import { useFormat } from '@/hooks/useFormat';
import { endSession, signOut } from '@/services/api';
import { ApiError, messageOf } from '@/services/errors';
import { useSession } from '@/store/session';

export function Account() {
  const { t } = useFormat();
  const user = useSession((s) => s.user);
  const server = useSession((s) => s.server);
  const password = useChangePassword();
  const everywhere = useLogoutEverywhere();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirmAll, setConfirmAll] = useState(false);
  const fields = password.error instanceof ApiError ? password.error.fields : {};
  const unplaced = password.error && !Object.keys(fields).length ? messageOf(password.error) : null;
  return (
    <View style={styles.box}>
      <Body testID="signed-in-as">
        {t('settings.signedInAs', { user: user?.username ?? '', role: user?.role ?? '', server })}
      </Body>
      <Row>
        <Button testID="logout" kind="secondary" title={t('settings.logout')} onPress={() => void signOut()} />
        <Button testID="logout-all" kind="danger" title={t('settings.logoutAll')} onPress={() => setConfirmAll(true)} />
      </Row>
      <ErrorLine message={everywhere.error ? messageOf(everywhere.error) : null} />
      <Label>{t('settings.password.title')}</Label>
      <Row style={styles.form}>
        <TextField testID="password-current" label={t('settings.password.current')} value={current} onChange={setCurrent} error={fields.current_password} secure />
        <TextField testID="password-new" label={t('settings.password.new')} value={next} onChange={setNext} error={fields.new_password} secure />
        <Button
          testID="password-save"
          title={t('settings.password.change')}
          disabled={!current || next.length < 12}
          busy={password.isPending}
          onPress={() =>
            password.mutate(
              { current_password: current, new_password: next },
              { onSuccess: () => void endSession('settings.password.changed') },
            )
          }
        />
      </Row>
      <Label>{t('settings.password.rule')}</Label>
      <ErrorLine testID="password-error" message={unplaced} />
      <ConfirmDialog
        visible={confirmAll}
        title={t('settings.logoutAll')}
        body={t('settings.logoutAllBody')}
        confirmLabel={t('settings.logoutAll')}
        danger
        onCancel={() => setConfirmAll(false)}
        onConfirm={() => {
          setConfirmAll(false);
          everywhere.mutate(undefined, { onSuccess: () => void endSession('settings.loggedOutEverywhere') });
        }}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  form: { alignItems: 'flex-start' },
});
