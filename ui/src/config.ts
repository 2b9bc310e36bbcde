// What the server injects into index.html: window.__APP_CONFIG__ = {apiURL, version}.
// apiURL "" means "the origin this page came from" (the usual case, and `npm run dev`,
// whose proxy forwards /api to a running m3m).
export interface AppConfig {
  apiURL: string;
  version: string;
}

declare global {
  interface Window {
    __APP_CONFIG__?: Partial<AppConfig>;
  }
}

export function readAppConfig(raw: unknown): AppConfig {
  const c = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof AppConfig, unknown>>;
  const apiURL = typeof c.apiURL === 'string' ? c.apiURL.replace(/\/+$/, '') : '';
  const version = typeof c.version === 'string' ? c.version : 'dev';
  return { apiURL, version };
}

export const appConfig: AppConfig = readAppConfig(typeof window === 'undefined' ? undefined : window.__APP_CONFIG__);
