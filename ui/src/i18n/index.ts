import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import ru from './locales/ru.json';

export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
export const resources = { en: { translation: en }, ru: { translation: ru } } as const;

// The language: the one chosen in the header (saved in localStorage), else the
// browser's, else English.
void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources,
    fallbackLng: 'en',
    supportedLngs: LANGUAGES,
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    interpolation: { escapeValue: false },
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: 'm3m.language',
      caches: ['localStorage'],
    },
    returnNull: false,
  });

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});
document.documentElement.lang = i18n.resolvedLanguage ?? 'en';

export function currentLanguage(): Language {
  const l = i18n.resolvedLanguage;
  return l === 'ru' ? 'ru' : 'en';
}

export default i18n;

// The browser's own language (what "follow the browser" means).
export function browserLanguage(): Language {
  const langs = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const l of langs) {
    const base = l?.toLowerCase().split('-')[0];
    if (base === 'ru' || base === 'en') return base;
  }
  return 'en';
}

// An account's language (GET /api/users/me `language`): wins over the browser's
// at sign-in and app start; null or absent (older servers) leaves the choice to
// this browser.
export function applyAccountLanguage(lang: unknown): void {
  if ((lang === 'en' || lang === 'ru') && i18n.resolvedLanguage !== lang) void i18n.changeLanguage(lang);
}
