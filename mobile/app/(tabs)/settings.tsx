/** Settings: account and sign-out, theme, language, trading mode, pairs, notifications. */
import { Pressable, ScrollView, StyleSheet, Text, View } from 'react-native';

import { Body, Button, Card, Chip, Label, Row } from '@/components/ui';
import { useLiveTrading, useNotifications, usePairs } from '@/hooks/queries';
import { useFormat } from '@/hooks/useFormat';
import { useTheme } from '@/hooks/useTheme';
import { signOut } from '@/services/api';
import { usePreferences, type LanguageChoice, type ThemeChoice } from '@/store/preferences';
import { useSession } from '@/store/session';

function Choice<T extends string>({
  options,
  value,
  label,
  onChange,
  testID,
}: {
  options: readonly T[];
  value: T;
  label: (option: T) => string;
  onChange: (option: T) => void;
  testID: string;
}) {
  const theme = useTheme();
  return (
    <View style={styles.segmented} accessibilityRole="radiogroup">
      {options.map((option) => {
        const selected = option === value;
        return (
          <Pressable
            key={option}
            testID={`${testID}-${option}`}
            accessibilityRole="radio"
            accessibilityState={{ selected }}
            onPress={() => onChange(option)}
            style={[
              styles.segment,
              { borderColor: theme.border, backgroundColor: selected ? theme.primary : theme.card },
            ]}>
            <Text style={{ color: selected ? '#ffffff' : theme.text }}>{label(option)}</Text>
          </Pressable>
        );
      })}
    </View>
  );
}

export default function SettingsScreen() {
  const { t, dateTime } = useFormat();
  const user = useSession((s) => s.user);
  const server = useSession((s) => s.server);
  const preferences = usePreferences();
  const live = useLiveTrading();
  const pairs = usePairs();
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
        <Row>
          {pairs.data?.data.map((pair) => (
            <Chip key={pair.id} text={`${pair.exchange} ${pair.symbol}`} tone={pair.is_active ? 'ok' : undefined} />
          ))}
        </Row>
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
  segmented: { flexDirection: 'row', flexWrap: 'wrap', gap: 6 },
  segment: { borderWidth: 1, borderRadius: 8, paddingHorizontal: 12, paddingVertical: 6 },
});
