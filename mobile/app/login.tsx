/** Sign in: the server's URL (self-hosted), username, password, and whether to stay signed in. */
import { useState } from 'react';
import { KeyboardAvoidingView, Platform, ScrollView, StyleSheet, Switch, Text, View } from 'react-native';
import { useTranslation } from 'react-i18next';

import { Button, ErrorLine, TextField } from '@/components/ui';
import { useTheme } from '@/hooks/useTheme';
import { signIn } from '@/services/api';
import { ApiError, messageOf } from '@/services/errors';
import { normaliseServer, useSession } from '@/store/session';

type Field = 'server' | 'username' | 'password';

export default function LoginScreen() {
  const theme = useTheme();
  const { t } = useTranslation();
  const notice = useSession((s) => s.notice);
  const [server, setServer] = useState(useSession.getState().server);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [keep, setKeep] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({});

  async function submit() {
    const url = normaliseServer(server);
    const found: Partial<Record<Field, string>> = {};
    if (!url) found.server = t('login.badUrl');
    if (!username.trim()) found.username = t('login.required');
    if (!password) found.password = t('login.required');
    setErrors(found);
    if (!url || Object.keys(found).length) return;
    setBusy(true);
    try {
      await signIn(url, username.trim(), password, keep);
    } catch (failure) {
      if (failure instanceof ApiError && failure.unreachable) {
        setErrors({ server: t('login.unreachable', { url }) });
      } else if (failure instanceof ApiError && failure.status === 401) {
        setErrors({ form: t('login.invalid') });
      } else if (failure instanceof ApiError && Object.keys(failure.fields).length) {
        setErrors(failure.fields as Partial<Record<Field, string>>);
      } else {
        setErrors({ form: messageOf(failure) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <KeyboardAvoidingView
      behavior={Platform.OS === 'ios' ? 'padding' : undefined}
      style={{ flex: 1, backgroundColor: theme.background }}>
      <ScrollView contentContainerStyle={styles.page} keyboardShouldPersistTaps="handled">
        <View style={[styles.box, { backgroundColor: theme.card, borderColor: theme.border }]}>
          <Text accessibilityRole="header" style={[styles.title, { color: theme.text }]}>
            {t('app.name')}
          </Text>
          <Text style={{ color: theme.muted }}>{t('login.subtitle')}</Text>
          {notice ? <ErrorLine testID="login-notice" message={t(notice)} /> : null}
          <TextField
            testID="login-server"
            label={t('login.server')}
            value={server}
            onChange={setServer}
            error={errors.server}
            inputMode="url"
            autoComplete="url"
            placeholder="http://127.0.0.1:8000"
            width="100%"
          />
          <TextField
            testID="login-username"
            label={t('login.username')}
            value={username}
            onChange={setUsername}
            error={errors.username}
            autoComplete="username"
            width="100%"
          />
          <TextField
            testID="login-password"
            label={t('login.password')}
            value={password}
            onChange={setPassword}
            error={errors.password}
            secure
            autoComplete="current-password"
            onSubmit={() => void submit()}
            width="100%"
          />
          <View style={styles.keep}>
            <Switch testID="login-keep" value={keep} onValueChange={setKeep} accessibilityLabel={t('login.keep')} />
            <Text style={{ color: theme.text, flex: 1 }}>{t('login.keep')}</Text>
          </View>
          <ErrorLine testID="login-error" message={errors.form} />
          <Button testID="login-submit" title={t('login.submit')} busy={busy} onPress={() => void submit()} />
        </View>
      </ScrollView>
    </KeyboardAvoidingView>
  );
}

const styles = StyleSheet.create({
  page: { flexGrow: 1, alignItems: 'center', justifyContent: 'center', padding: 20 },
  box: { width: '100%', maxWidth: 420, borderWidth: 1, borderRadius: 12, padding: 20, gap: 6 },
  title: { fontSize: 24, fontWeight: '700' },
  keep: { flexDirection: 'row', alignItems: 'center', gap: 10, marginVertical: 10 },
});
