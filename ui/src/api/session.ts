import type { components } from './schema';

export type TokenPair = components['schemas']['TokenPair'];
export type User = components['schemas']['User'];

// The session lives in localStorage (survives reloads and tabs). Listeners hear
// every change, including a logout forced by a failed refresh.
const KEY = 'm3m.session';

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: User;
}

type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return s && typeof s.accessToken === 'string' && typeof s.refreshToken === 'string' && s.user ? s : null;
  } catch {
    return null;
  }
}

let current: Session | null = typeof localStorage === 'undefined' ? null : load();

export function getSession(): Session | null {
  return current;
}

export function setSession(s: Session | null) {
  current = s;
  try {
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
  } catch {
    /* storage unavailable: the session lasts for this page only */
  }
  for (const l of listeners) l(s);
}

export function sessionFromTokens(t: TokenPair): Session {
  return { accessToken: t.access_token, refreshToken: t.refresh_token, user: t.user };
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
