import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { envValuePreview, envValueToInput, parseEnvValue, validateEnvKey } from '../../src/lib/admin/env';
import {
  baseName,
  breadcrumbs,
  formatBytes,
  isImage,
  isText,
  joinPath,
  nameProblem,
  normalizePath,
  parentPath,
  percent,
  targetProblem,
} from '../../src/lib/admin/files';
import { userFormProblems } from '../../src/lib/admin/user-form';
import { can, confirmed, initials } from '../../src/lib/admin/users';
import { ApiError } from '../../src/api/errors';
import { setSession, type Session, type User } from '../../src/api/session';

describe('environment values', () => {
  it('parses each type from what was typed', () => {
    expect(parseEnvValue('string', 'https://x')).toEqual({ ok: true, value: 'https://x' });
    expect(parseEnvValue('string', 'a\nb')).toEqual({ ok: false, error: { key: 'oneLine' } });
    expect(parseEnvValue('text', 'a\nb')).toEqual({ ok: true, value: 'a\nb' });
    expect(parseEnvValue('integer', ' -42 ')).toEqual({ ok: true, value: -42 });
    expect(parseEnvValue('integer', '3.5').ok).toBe(false);
    expect(parseEnvValue('integer', '9007199254740993').ok).toBe(false); // beyond a safe integer
    expect(parseEnvValue('integer', '').ok).toBe(false);
    expect(parseEnvValue('float', '2.5e3')).toEqual({ ok: true, value: 2500 });
    expect(parseEnvValue('float', 'abc')).toEqual({ ok: false, error: { key: 'float' } });
    expect(parseEnvValue('float', ' ').ok).toBe(false);
    expect(parseEnvValue('boolean', true)).toEqual({ ok: true, value: true });
    expect(parseEnvValue('boolean', 'false')).toEqual({ ok: true, value: false });
  });

  it('checks JSON and names the parser position', () => {
    expect(parseEnvValue('json', '{"a": [1, 2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(parseEnvValue('json', 'null')).toEqual({ ok: true, value: null });
    expect(parseEnvValue('json', '  ')).toEqual({ ok: false, error: { key: 'valueRequired' } });
    const bad = parseEnvValue('json', '{"a": 1,');
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.key).toBe('json');
      expect(bad.error.detail).toMatch(/position|JSON/);
    }
  });

  it('validates keys like the API', () => {
    expect(validateEnvKey('API_URL')).toBeNull();
    expect(validateEnvKey('_x1')).toBeNull();
    expect(validateEnvKey('')).toEqual({ key: 'keyRequired' });
    expect(validateEnvKey('1ABC')).toEqual({ key: 'keyChars' });
    expect(validateEnvKey('A-B')).toEqual({ key: 'keyChars' });
    expect(validateEnvKey('A'.repeat(129))).toEqual({ key: 'keyTooLong' });
  });

  it('edits a stored value and previews it; secrets are never shown', () => {
    expect(envValueToInput('json', { a: 1 })).toBe('{\n  "a": 1\n}');
    expect(envValueToInput('integer', 7)).toBe('7');
    expect(envValueToInput('boolean', true)).toBe(true);
    expect(envValueToInput('string', null)).toBe('');
    const round = parseEnvValue('json', envValueToInput('json', { x: [true, null] }) as string);
    expect(round).toEqual({ ok: true, value: { x: [true, null] } });
    expect(envValuePreview('json', { a: 1 }, false)).toBe('{"a":1}');
    expect(envValuePreview('string', '********', true)).toBe('••••••••');
  });
});

describe('file paths', () => {
  it('normalizes, joins and splits', () => {
    expect(normalizePath('/a//b/./c/')).toBe('a/b/c');
    expect(joinPath('', 'x.txt')).toBe('x.txt');
    expect(joinPath('a/b', 'x.txt')).toBe('a/b/x.txt');
    expect(parentPath('a/b/x.txt')).toBe('a/b');
    expect(parentPath('x.txt')).toBe('');
    expect(baseName('a/b/x.txt')).toBe('x.txt');
  });

  it('makes breadcrumbs from the root down', () => {
    expect(breadcrumbs('')).toEqual([{ name: '', path: '' }]);
    expect(breadcrumbs('a/b/c')).toEqual([
      { name: '', path: '' },
      { name: 'a', path: 'a' },
      { name: 'b', path: 'a/b' },
      { name: 'c', path: 'a/b/c' },
    ]);
  });

  it('refuses names and targets the server would', () => {
    expect(nameProblem('notes.md')).toBeNull();
    expect(nameProblem('  ')).toBe('required');
    expect(nameProblem('a/b')).toBe('slash');
    expect(nameProblem('a\\b')).toBe('slash');
    expect(nameProblem('..')).toBe('dots');
    expect(targetProblem('docs/readme.txt')).toBeNull();
    expect(targetProblem('docs/../x')).toBe('dots');
    expect(targetProblem('/')).toBe('required');
  });

  it('tells images and text files apart', () => {
    const f = (name: string, mime_type: string, is_dir = false) => ({ name, mime_type, is_dir });
    expect(isImage(f('a.png', 'image/png'))).toBe(true);
    expect(isImage(f('a.JPG', 'application/octet-stream'))).toBe(true);
    expect(isImage(f('logo.svg', 'image/svg+xml'))).toBe(false); // no server thumbnail for SVG
    expect(isImage(f('pics', '', true))).toBe(false);
    expect(isText(f('a.json', 'application/json'))).toBe(true);
    expect(isText(f('README', 'text/plain'))).toBe(true);
    expect(isText(f('a.bin', 'application/octet-stream'))).toBe(false);
    expect(isText(f('docs', '', true))).toBe(false);
  });

  it('formats sizes and progress', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024, 'en')).toBe('5 MB');
    expect(formatBytes(1536, 'ru')).toBe('1,5 KB');
    expect(percent(50, 200)).toBe(25);
    expect(percent(10, 0)).toBe(0);
    expect(percent(300, 200)).toBe(100);
  });
});

describe('users', () => {
  const u = (is_root: boolean, create_projects = false, manage_users = false) => ({
    is_root,
    permissions: { create_projects, manage_users },
  });

  it('root has every permission; others what they were given', () => {
    expect(can(u(true), 'manage_users')).toBe(true);
    expect(can(u(false, true), 'create_projects')).toBe(true);
    expect(can(u(false, true), 'manage_users')).toBe(false);
    expect(can(null, 'create_projects')).toBe(false);
  });

  it('initials and typed confirmations', () => {
    expect(initials('Bob Builder', 'b@x')).toBe('BB');
    expect(initials('', 'root@example.com')).toBe('RE');
    expect(confirmed(' shop ', 'shop')).toBe(true);
    expect(confirmed('Shop', 'shop')).toBe(false);
    expect(confirmed('', '')).toBe(false);
  });

  it('checks the user form like UserCreate/UserUpdate', () => {
    expect(userFormProblems({ email: 'a@b.c', name: 'A', password: 'password1' }, true)).toEqual({});
    expect(userFormProblems({ email: '', name: '', password: '' }, true)).toEqual({ email: 'required', password: 'required' });
    expect(userFormProblems({ email: 'nope', name: 'x'.repeat(101), password: 'short' }, true)).toEqual({
      email: 'email',
      name: 'tooLong',
      password: 'passwordLength',
    });
    expect(userFormProblems({ email: 'a@b.c', name: '', password: '' }, false)).toEqual({}); // editing keeps the password
  });
});

// A fake XMLHttpRequest: each send answers with the next scripted reply after
// reporting upload progress.
class FakeXhr {
  static replies: { status: number; body: unknown }[] = [];
  static sent: { url: string; auth: string | null; files: string[] }[] = [];
  status = 0;
  responseText = '';
  url = '';
  headers: Record<string, string> = {};
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(_method: string, url: string | URL) {
    this.url = String(url);
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  send(form: FormData) {
    FakeXhr.sent.push({ url: this.url, auth: this.headers['Authorization'] ?? null, files: form.getAll('file').map((f) => (f as File).name) });
    const reply = FakeXhr.replies.shift()!;
    setTimeout(() => {
      this.upload.onprogress?.({ loaded: 5, total: 10, lengthComputable: true });
      this.upload.onprogress?.({ loaded: 10, total: 10, lengthComputable: true });
      this.status = reply.status;
      this.responseText = JSON.stringify(reply.body);
      this.onload?.();
    }, 0);
  }
  abort() {
    this.onabort?.();
  }
}

describe('uploads', () => {
  const user = { id: 'u1', email: 'a@b.c', name: 'A' } as unknown as User;
  const session = (n: number): Session => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, user });
  const entry = { name: 'a.png', path: 'pics/a.png', size: 10, mime_type: 'image/png', modified: '', is_dir: false };

  beforeEach(() => {
    FakeXhr.replies = [];
    FakeXhr.sent = [];
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    setSession(session(1));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setSession(null);
  });

  it('sends the files into the folder with the token and reports progress', async () => {
    const { uploadFiles } = await import('../../src/api/admin');
    FakeXhr.replies.push({ status: 201, body: { items: [entry] } });
    const progress: number[] = [];
    const job = uploadFiles('p1', 'pics', [new File(['x'], 'a.png')], (p) => progress.push(percent(p.loaded, p.total)));
    expect(await job.promise).toEqual([entry]);
    expect(progress).toEqual([50, 100]);
    expect(FakeXhr.sent).toHaveLength(1);
    const sent = FakeXhr.sent[0]!;
    expect(new URL(sent.url).pathname).toBe('/api/projects/p1/storage/upload');
    expect(new URL(sent.url).searchParams.get('path')).toBe('pics');
    expect(sent.auth).toBe('Bearer access-1');
    expect(sent.files).toEqual(['a.png']);
  });

  it('refreshes the session once on a 401 and retries', async () => {
    const { uploadFiles } = await import('../../src/api/admin');
    setSession({ ...session(1), accessToken: 'expired' });
    FakeXhr.replies.push({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'expired', fields: {} } } });
    FakeXhr.replies.push({ status: 201, body: { items: [entry] } });
    const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
      const req = input instanceof Request ? input : new Request(input);
      const path = new URL(req.url).pathname;
      if (path === '/api/auth/refresh')
        return new Response(JSON.stringify({ access_token: 'access-2', refresh_token: 'refresh-2', token_type: 'Bearer', expires_in: 60, user }), { status: 200 });
      if (req.headers.get('Authorization') === 'Bearer access-2') return new Response(JSON.stringify(user), { status: 200, headers: { 'Content-Type': 'application/json' } });
      return new Response(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'x', fields: {} } }), { status: 401, headers: { 'Content-Type': 'application/json' } });
    });
    vi.stubGlobal('fetch', fetchMock);
    const job = uploadFiles('p1', '', [new File(['x'], 'a.png')], () => {});
    expect(await job.promise).toEqual([entry]);
    expect(FakeXhr.sent.map((s) => s.auth)).toEqual(['Bearer expired', 'Bearer access-2']);
    expect(new URL(FakeXhr.sent[1]!.url).searchParams.has('path')).toBe(false); // the root
  });

  it('turns a refusal into an ApiError', async () => {
    const { uploadFiles } = await import('../../src/api/admin');
    FakeXhr.replies.push({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'too big', fields: {} } } });
    const job = uploadFiles('p1', '', [new File(['x'], 'big.bin')], () => {});
    const err = await job.promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(413);
    expect((err as ApiError).code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('public link tokens kept by this browser', () => {
  beforeEach(() => {
    const store = new Map<string, string>();
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('remembers a token by project, hint and path, and forgets it', async () => {
    const { linkTokens } = await import('../../src/api/admin');
    const link = { token_hint: 'abc123', path: 'a.png' };
    expect(linkTokens.get('p1', link)).toBeUndefined();
    linkTokens.set('p1', link, 'tok-abc123');
    expect(linkTokens.get('p1', link)).toBe('tok-abc123');
    expect(linkTokens.get('p2', link)).toBeUndefined();
    expect(linkTokens.get('p1', { ...link, path: 'b.png' })).toBeUndefined();
    linkTokens.set('p1', link, null);
    expect(linkTokens.get('p1', link)).toBeUndefined();
  });
});
