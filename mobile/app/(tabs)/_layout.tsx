import { Ionicons } from '@expo/vector-icons';
import { Tabs } from 'expo-router';
import type { ColorValue } from 'react-native';
import { useTranslation } from 'react-i18next';

import { useTheme } from '@/hooks/useTheme';

type IconName = keyof typeof Ionicons.glyphMap;

function icon(name: IconName) {
  function TabIcon({ color, size }: { color: ColorValue; size: number }) {
    return <Ionicons name={name} color={color} size={size} />;
  }
  return TabIcon;
}

export default function TabsLayout() {
  const theme = useTheme();
  const { t } = useTranslation();
  return (
    <Tabs
      screenOptions={{
        headerStyle: { backgroundColor: theme.card },
        headerTintColor: theme.text,
        tabBarStyle: { backgroundColor: theme.card, borderTopColor: theme.border },
        tabBarActiveTintColor: theme.primary,
        tabBarInactiveTintColor: theme.muted,
        sceneStyle: { backgroundColor: theme.background },
      }}>
      <Tabs.Screen
        name="index"
        options={{ title: t('tabs.dashboard'), tabBarIcon: icon('speedometer-outline'), tabBarButtonTestID: 'tab-dashboard' }}
      />
      <Tabs.Screen
        name="bots"
        options={{ title: t('tabs.bots'), tabBarIcon: icon('hardware-chip-outline'), tabBarButtonTestID: 'tab-bots' }}
      />
      <Tabs.Screen
        name="backtest"
        options={{ title: t('tabs.backtest'), tabBarIcon: icon('flask-outline'), tabBarButtonTestID: 'tab-backtest' }}
      />
      <Tabs.Screen
        name="settings"
        options={{ title: t('tabs.settings'), tabBarIcon: icon('settings-outline'), tabBarButtonTestID: 'tab-settings' }}
      />
    </Tabs>
  );
}
