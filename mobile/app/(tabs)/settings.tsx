/** Settings: account and sign-out, theme, language, trading mode, pairs, notifications. */
import { ScrollView, StyleSheet, View } from 'react-native';

import { Body, Button, Card, Chip, Choice, Label, Row } from '@/components/ui';
import { PairsEditor } from '@/components/settings/PairsEditor';
import { useLiveTrading, useNotifications } from '@/hooks/queries';
import { useFormat } from '@/hooks/useFormat';
import { signOut } from '@/services/api';
import { usePreferences, type LanguageChoice, type ThemeChoice } from '@/store/preferences';
import { useSession } from '@/store/session';

export default function SettingsScreen() {
  const { t, dateTime } = useFormat();
  const user = useSession((s) => s.user);
  const server = useSession((s) => s.server);
  const preferences = usePreferences();
  const live = useLiveTrading();
  const notifications = useNotifications();
  return (
    <ScrollView testID="settings" contentContainerStyle={styles.page}>
      <Card title={t('settings.account')}>
        <Body testID="signed-in-as">
          {t('settings.signedInAs', { user: user?.username ?? '', role: user?.role ?? '', server })}
        </Body>
        <View style={{ flexDirection: 'row' }}>
          <Button testID="logout" kind="secondary" title={t('settings.logout')} onPress={() => void signOut()} />
        </View>
      </Card>
      <Card title={t('settings.appearance')}>
        <Label>{t('settings.theme')}</Label>
        <Choice<ThemeChoice>
          testID="theme"
          options={['system', 'light', 'dark']}
          value={preferences.theme}
          label={(o) => t(`settings.themes.${o}`)}
          onChange={preferences.setTheme}
        />
        <Label>{t('settings.language')}</Label>
        <Choice<LanguageChoice>
          testID="language"
          options={['system', 'en', 'fr']}
          value={preferences.language}
          label={(o) => t(`settings.languages.${o}`)}
          onChange={preferences.setLanguage}
        />
      </Card>
      <Card title={t('settings.trading')}>
        {live.data ? (
          <>
            <Row>
              <Label>{t('settings.mode')}</Label>
              <Chip
                tone={live.data.mode === 'live' ? 'bad' : undefined}
                text={live.data.mode === 'live' ? t('common.live') : t('common.paper')}
              />
            </Row>
            <Row>
              <Label>{t('settings.liveSwitch')}</Label>
              <Chip text={live.data.enabled ? t('settings.on') : t('settings.off')} />
              {live.data.changed_at ? (
                <Label>
                  {dateTime(live.data.changed_at)} · {live.data.changed_by}
                </Label>
              ) : null}
            </Row>
            {live.data.blockers.map((b) => (
              <Label key={b}>• {b}</Label>
            ))}
          </>
        ) : null}
        <Label>{t('settings.pairs')}</Label>
        <PairsEditor canEdit={user?.role === 'admin' || user?.role === 'trader'} />
        {notifications.data ? (
          <>
            <Label>{t('settings.notifications')}</Label>
            <Body>
              {notifications.data.enabled ? t('settings.on') : t('settings.off')} · {notifications.data.min_severity}
              {notifications.data.muted_kinds.length ? ` · −${notifications.data.muted_kinds.join(', ')}` : ''}
            </Body>
          </>
        ) : null}
      </Card>
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  page: { padding: 14, maxWidth: 800, width: '100%', alignSelf: 'center' },
});
