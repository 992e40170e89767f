/** What the user chose for this device: theme and language (not secret, kept on the device). */
import { create } from 'zustand';

import { deviceLanguage, i18n, type Language } from '@/i18n';
import { readSetting, writeSetting } from '@/services/storage';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type LanguageChoice = 'system' | Language;

interface Preferences {
  theme: ThemeChoice;
  language: LanguageChoice;
  setTheme: (theme: ThemeChoice) => void;
  setLanguage: (language: LanguageChoice) => void;
  load: () => Promise<void>;
}

function apply(language: LanguageChoice): void {
  void i18n.changeLanguage(language === 'system' ? deviceLanguage() : language);
}

export const usePreferences = create<Preferences>((set) => ({
  theme: 'system',
  language: 'system',
  setTheme: (theme) => {
    set({ theme });
    void writeSetting('theme', theme);
  },
  setLanguage: (language) => {
    set({ language });
    apply(language);
    void writeSetting('language', language);
  },
  load: async () => {
    const theme = await readSetting('theme');
    const language = await readSetting('language');
    const next: Partial<Preferences> = {};
    if (theme === 'light' || theme === 'dark' || theme === 'system') next.theme = theme;
    if (language === 'en' || language === 'fr' || language === 'system') {
      next.language = language;
      apply(language);
    }
    set(next);
  },
}));
