import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '@/api/client';
import { unwrap } from '@/api/errors';
import { getSession, sessionFromTokens, setSession, subscribe, type Session } from '@/api/session';
import { applyAccountLanguage } from '@/i18n';

interface AuthState {
  session: Session | null;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setState] = useState<Session | null>(getSession);
  const queryClient = useQueryClient();
  useEffect(() => subscribe(setState), []);
  // At app start the account is read again (its language may have changed elsewhere).
  useEffect(() => {
    if (!getSession()) return;
    void api.GET('/api/users/me').then((r) => {
      const s = getSession();
      if (r.data && s) setSession({ ...s, user: r.data });
    }, () => {});
  }, []);
  // The account's language wins over the browser's (at sign-in and app start).
  const accountLanguage = session?.user.language;
  useEffect(() => applyAccountLanguage(accountLanguage), [accountLanguage]);

  const login = useCallback(async (email: string, password: string) => {
    const tokens = unwrap(await api.POST('/api/auth/login', { body: { email, password } }));
    setSession(sessionFromTokens(tokens));
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.POST('/api/auth/logout');
    } catch {
      /* the session ends locally anyway */
    }
    setSession(null);
    queryClient.clear();
  }, [queryClient]);

  const value = useMemo(() => ({ session, login, logout }), [session, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const c = useContext(AuthContext);
  if (!c) throw new Error('useAuth outside AuthProvider');
  return c;
}
