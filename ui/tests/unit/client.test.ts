import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authFetch } from '../../src/api/client';
import { getSession, setSession, type Session, type User } from '../../src/api/session';

const user = { id: 'u1', email: 'a@b.c', name: 'A' } as unknown as User;
const session = (n: number): Session => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, user });
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

// A fake server: /api/auth/refresh trades refresh-N for access-(N+1), other
// paths answer 200 only to the current access token.
function fakeServer({ refreshOk = true } = {}) {
  let current = 1;
  const seen: string[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const path = new URL(req.url).pathname;
    if (path === '/api/auth/refresh') {
      seen.push('refresh');
      const body = (await req.json()) as { refresh_token: string };
      if (!refreshOk || body.refresh_token !== `refresh-${current}`) return json(401, { error: { code: 'UNAUTHENTICATED', message: 'no', fields: {} } });
      current += 1;
      return json(200, { access_token: `access-${current}`, refresh_token: `refresh-${current}`, token_type: 'Bearer', expires_in: 60, user });
    }
    const auth = req.headers.get('Authorization');
    seen.push(`${path} ${auth}`);
    return auth === `Bearer access-${current}` ? json(200, { ok: true }) : json(401, { error: { code: 'UNAUTHENTICATED', message: 'expired', fields: {} } });
  });
  return { fetchMock, seen, rotate: () => (current += 1) };
}

describe('authFetch', () => {
  beforeEach(() => setSession(session(1)));
  afterEach(() => {
    vi.unstubAllGlobals();
    setSession(null);
  });

  it('sends the bearer token of the session', async () => {
    const s = fakeServer();
    vi.stubGlobal('fetch', s.fetchMock);
    const res = await authFetch(new Request('http://x/api/projects'));
    expect(res.status).toBe(200);
    expect(s.seen).toEqual(['/api/projects Bearer access-1']);
  });

  it('refreshes once on a 401 and retries with the new token', async () => {
    const s = fakeServer();
    vi.stubGlobal('fetch', s.fetchMock);
    setSession({ ...session(1), accessToken: 'access-0' }); // the access token expired, the refresh token is good
    const res = await authFetch(new Request('http://x/api/projects', { method: 'POST', body: '{"a":1}' }));
    expect(res.status).toBe(200);
    expect(s.seen).toEqual(['/api/projects Bearer access-0', 'refresh', '/api/projects Bearer access-2']);
    expect(getSession()?.accessToken).toBe('access-2');
  });

  it('concurrent 401s share one refresh', async () => {
    const s = fakeServer();
    vi.stubGlobal('fetch', s.fetchMock);
    setSession({ ...session(1), accessToken: 'stale' });
    const all = await Promise.all([1, 2, 3].map((i) => authFetch(new Request(`http://x/api/p${i}`))));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(s.seen.filter((x) => x === 'refresh')).toHaveLength(1);
  });

  it('a refused refresh ends the session and returns the 401', async () => {
    const s = fakeServer({ refreshOk: false });
    vi.stubGlobal('fetch', s.fetchMock);
    setSession({ ...session(1), accessToken: 'stale' });
    const res = await authFetch(new Request('http://x/api/projects'));
    expect(res.status).toBe(401);
    expect(getSession()).toBeNull();
  });

  it('never refreshes for the auth endpoints themselves (a wrong password stays a 401)', async () => {
    const s = fakeServer();
    vi.stubGlobal('fetch', s.fetchMock);
    setSession({ ...session(1), accessToken: 'stale' });
    const res = await authFetch(new Request('http://x/api/auth/login', { method: 'POST', body: '{}' }));
    expect(res.status).toBe(401);
    expect(s.seen).not.toContain('refresh');
  });
});
