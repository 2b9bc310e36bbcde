import createClient from 'openapi-fetch';
import { appConfig } from '@/config';
import type { paths } from './schema';
import { getSession, sessionFromTokens, setSession, type TokenPair } from './session';

// The typed API client: every path, method, body and answer comes from
// schema.d.ts (generated from the OpenAPI document), so calling an operation the
// server does not have fails to compile, and tests/unit/api_coverage.test.ts
// checks the calls against the document as well.
//
// Requests carry the session's bearer token; a 401 triggers one refresh
// (shared by concurrent requests) and a retry; a failed refresh ends the session.

// Where the API is: __APP_CONFIG__.apiURL, else this page's origin.
export const baseUrl =
  appConfig.apiURL || (typeof window === 'undefined' ? 'http://localhost' : window.location.origin);

let refreshing: Promise<boolean> | null = null;

async function refresh(): Promise<boolean> {
  const s = getSession();
  if (!s) return false;
  try {
    const res = await fetch(`${baseUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: s.refreshToken }),
    });
    if (!res.ok) {
      setSession(null);
      return false;
    }
    setSession(sessionFromTokens((await res.json()) as TokenPair));
    return true;
  } catch {
    return false; // offline: keep the session, the request fails with a network error
  }
}

function withToken(req: Request): Request {
  const s = getSession();
  if (!s) return req;
  const r = new Request(req);
  r.headers.set('Authorization', `Bearer ${s.accessToken}`);
  return r;
}

export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const res = await fetch(withToken(input));
  const isAuthCall = new URL(input.url).pathname.startsWith('/api/auth/');
  if (res.status !== 401 || isAuthCall || !getSession()) return res;
  refreshing ??= refresh().finally(() => {
    refreshing = null;
  });
  if (!(await refreshing)) return res;
  return fetch(withToken(retry));
}

export const api = createClient<paths>({ baseUrl, fetch: authFetch });
