import 'i18next';
import type en from './locales/en.json';

// Typed keys: t('projects.title') compiles, a misspelt key does not.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
