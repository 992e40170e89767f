/**
 * Settings: the account (password, sign out here or everywhere), appearance (theme, language),
 * trading (the live switch with the API's warnings, pairs, exchange keys), notifications,
 * service tokens, and users for an admin.
 */
import { ScrollView, StyleSheet } from 'react-native';

import { Account } from '@/components/settings/Account';
import { ExchangeKeys } from '@/components/settings/ExchangeKeys';
import { LiveTrading } from '@/components/settings/LiveTrading';
import { Notifications } from '@/components/settings/Notifications';
import { PairsEditor } from '@/components/settings/PairsEditor';
import { PushPreferences } from '@/components/settings/PushPreferences';
import { ServiceTokens } from '@/components/settings/ServiceTokens';
import { Users } from '@/components/settings/Users';
import { Card, Choice, Label } from '@/components/ui';
import { useFormat } from '@/hooks/useFormat';
import { usePreferences, type LanguageChoice, type ThemeChoice } from '@/store/preferences';
import { useSession } from '@/store/session';

export default function SettingsScreen() {
  const { t } = useFormat();
  const user = useSession((s) => s.user);
  const preferences = usePreferences();
  const admin = user?.role === 'admin';
  const trader = admin || user?.role === 'trader';
  return (
    <ScrollView testID="settings" contentContainerStyle={styles.page}>
      <Card title={t('settings.account')}>
        <Account />
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
        <LiveTrading canEdit={admin} />
      </Card>
      <Card title={t('settings.pairs')}>
        <PairsEditor canEdit={trader} />
      </Card>
      {admin ? (
        <Card title={t('settings.keys.title')}>
          <ExchangeKeys />
        </Card>
      ) : null}
      <Card title={t('settings.notifications')}>
        <Notifications canEdit={admin} />
      </Card>
      <Card title={t('settings.push.title')}>
        <PushPreferences />
      </Card>
      <Card title={t('settings.tokens.title')}>
        <ServiceTokens />
      </Card>
      {admin && user ? (
        <Card title={t('settings.users.title')}>
          <Users me={user.username} />
        </Card>
      ) : null}
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  page: { padding: 14, maxWidth: 900, width: '100%', alignSelf: 'center' },
});
