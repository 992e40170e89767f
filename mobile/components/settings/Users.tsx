/** Users and roles (admins): create a user, change a role, deactivate or reactivate. */
import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { Body, Button, Chip, Choice, ErrorLine, Label, Row, TextField } from '@/components/ui';
import { useCreateUser, useUpdateUser, useUsers } from '@/hooks/settings';
import { useFormat } from '@/hooks/useFormat';
import type { Schemas } from '@/services/api';
import { ApiError, messageOf } from '@/services/errors';

const ROLES = ['viewer', 'trader', 'admin'] as const satisfies readonly Schemas['Role'][];

export function Users({ me }: { me: string }) {
  const { t, dateTime } = useFormat();
  const users = useUsers(true);
  const create = useCreateUser();
  const update = useUpdateUser();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Schemas['Role']>('viewer');
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const unplaced = create.error && !Object.keys(fields).length ? messageOf(create.error) : null;
  return (
    <View testID="users" style={styles.box}>
      {users.data?.data.map((user) => (
        <Row key={user.id}>
          <Body style={styles.name}>{user.username}</Body>
          <Choice
            testID={`user-${user.username}-role`}
            options={ROLES}
            value={user.role}
            label={(o) => t(`settings.users.roles.${o}`)}
            onChange={(o) => user.username !== me && update.mutate({ id: user.id, body: { role: o } })}
          />
          {user.is_active ? null : <Chip tone="bad" text={t('settings.users.inactive')} />}
          <Label>{user.last_login_at ? t('settings.users.lastLogin', { at: dateTime(user.last_login_at) }) : t('settings.users.never')}</Label>
          {user.username !== me ? (
            <Button
              testID={`user-${user.username}-active`}
              kind={user.is_active ? 'danger' : 'secondary'}
              title={user.is_active ? t('settings.users.deactivate') : t('settings.users.reactivate')}
              onPress={() => update.mutate({ id: user.id, body: { is_active: !user.is_active } })}
            />
          ) : null}
        </Row>
      ))}
      <ErrorLine message={update.error ? messageOf(update.error) : null} />
      <Label>{t('settings.users.add')}</Label>
      <Row style={styles.form}>
        <TextField testID="user-name" label={t('login.username')} value={username} onChange={setUsername} error={fields.username} />
        <TextField testID="user-password" label={t('login.password')} value={password} onChange={setPassword} error={fields.password} secure />
        <View style={{ gap: 4 }}>
          <Label>{t('settings.users.role')}</Label>
          <Choice testID="user-role" options={ROLES} value={role} label={(o) => t(`settings.users.roles.${o}`)} onChange={setRole} />
        </View>
        <Button
          testID="user-create"
          title={t('settings.add')}
          disabled={!username.trim() || !password}
          busy={create.isPending}
          onPress={() =>
            create.mutate(
              { username: username.trim(), password, role },
              {
                onSuccess: () => {
                  setUsername('');
                  setPassword('');
                },
              },
            )
          }
        />
      </Row>
      <ErrorLine message={unplaced} />
    </View>
  );
}

const styles = StyleSheet.create({
  box: { gap: 6 },
  name: { minWidth: 120, fontWeight: '600' },
  form: { alignItems: 'flex-start' },
});
