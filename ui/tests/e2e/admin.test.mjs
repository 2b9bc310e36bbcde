// End-to-end: the admin pages in Debian's Chromium against the real binary —
// environment (typed values, a JSON error caught before saving, a masked
// secret), files (upload with a thumbnail, drag and drop, folders, text
// editing, rename/move, public link and its revocation, delete), project
// settings (rename, API key, typed-confirmation delete), users (create, block),
// profile (name, avatar, language). Screenshots "admin-*" (each page checked by axe).
//
//   M3M_BINARY=$PWD/build-test/m3m node --test ui/tests/e2e/admin.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, createProject, login, makePng, MASK } from '../../../tests/api/fixtures.mjs';
import { launch, shot, signIn } from './helpers.mjs';

let env;
let server;
let rootToken;
let page;
let problems;
let project;

before(async () => {
  env = await launch();
  ({ server, rootToken, page, consoleProblems: problems } = env);
  await env.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url }); // the file editor's paste
  project = await createProject(server, rootToken, { name: 'Web Shop', slug: 'web-shop', color: 'emerald' });
});

after(async () => {
  await env?.close();
});

const envValue = async (key) => (await api(server, 'GET', `/api/projects/${project.id}/env/${key}`, { token: rootToken })).body;

test('the admin pages in a real browser', async (t) => {
  await t.test('sign in; the project tabs lead to the environment, files and settings', async () => {
    await signIn(page, server);
    await page.goto(`${server.url}/projects/${project.id}`);
    const tabs = page.getByRole('navigation', { name: 'Project sections' });
    for (const name of ['Environment', 'Files', 'Settings']) await tabs.getByRole('link', { name }).waitFor();
    await tabs.getByRole('link', { name: 'Environment' }).click();
    await page.waitForURL(`**/projects/${project.id}/env`);
    await page.getByTestId('env-empty').waitFor();
    await shot(page, 'admin-01-env-empty');
  });

  await t.test('environment: a string value, then JSON refused while invalid', async () => {
    await page.getByTestId('env-add').click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Key').fill('API_URL');
    await dialog.getByLabel('Value', { exact: true }).fill('https://example.com/v1');
    await dialog.getByTestId('env-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid=env-row][data-key=API_URL]').getByText('https://example.com/v1').waitFor();

    await page.getByTestId('env-add').click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Key').fill('LIMITS');
    await dialog.getByLabel('Type').selectOption('json');
    await dialog.getByLabel('Value', { exact: true }).fill('{"max": 10,');
    const err = dialog.getByTestId('env-value-error');
    await err.waitFor();
    assert.match(await err.textContent(), /^Invalid JSON: /);
    assert.equal(await dialog.getByLabel('Value', { exact: true }).getAttribute('aria-invalid'), 'true');
    await shot(page, 'admin-02-env-json-error');
    await dialog.getByTestId('env-save').click(); // refused before sending
    await page.waitForTimeout(300);
    assert.equal((await api(server, 'GET', `/api/projects/${project.id}/env/LIMITS`, { token: rootToken })).status, 404);
    assert.ok(await dialog.isVisible(), 'the dialog stays open');

    await dialog.getByLabel('Value', { exact: true }).fill('{"max": 10, "tags": ["a", "b"]}');
    await dialog.getByTestId('env-json-ok').waitFor();
    await dialog.getByTestId('env-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid=env-row][data-key=LIMITS]').getByText('{"max":10,"tags":["a","b"]}').waitFor();
    assert.deepEqual((await envValue('LIMITS')).value, { max: 10, tags: ['a', 'b'] });
  });

  await t.test('environment: an integer is checked, a secret is masked with a reveal', async () => {
    await page.getByTestId('env-add').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Key').fill('RETRIES');
    await dialog.getByLabel('Type').selectOption('integer');
    await dialog.getByLabel('Value', { exact: true }).fill('3.5');
    await dialog.getByTestId('env-save').click();
    await dialog.getByTestId('env-value-error').filter({ hasText: 'A whole number' }).waitFor();
    await dialog.getByLabel('Value', { exact: true }).fill('3');
    await dialog.getByTestId('env-save').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await envValue('RETRIES')).value, 3);

    await page.getByTestId('env-add').click();
    await dialog.getByLabel('Key').fill('STRIPE_KEY');
    await dialog.getByLabel('Secret').check();
    const input = dialog.getByLabel('Value', { exact: true });
    await input.fill('sk_live_123');
    assert.equal(await input.getAttribute('type'), 'password', 'masked while typed');
    await dialog.getByRole('button', { name: 'Show' }).click();
    assert.equal(await input.getAttribute('type'), 'text', 'revealed');
    await shot(page, 'admin-03-env-secret-revealed');
    await dialog.getByTestId('env-save').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('[data-testid=env-row][data-key=STRIPE_KEY]');
    assert.equal(await row.getByTestId('env-value').textContent(), '••••••••');
    await row.getByText('Secret').waitFor();
    assert.equal((await envValue('STRIPE_KEY')).value, MASK);
    assert.equal(await page.getByTestId('env-row').count(), 4);
    await shot(page, 'admin-04-env-list');

    // Editing the secret without a new value keeps it (the API never shows it).
    await row.getByRole('button', { name: 'Edit STRIPE_KEY' }).click();
    assert.equal(await dialog.getByLabel('Value', { exact: true }).inputValue(), '');
    await dialog.getByTestId('env-save').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await envValue('STRIPE_KEY')).secret, true);
  });

  await t.test('files: upload an image and see its thumbnail; drop a text file', async () => {
    await page.getByTestId('project-tab-files').click();
    await page.waitForURL(`**/projects/${project.id}/files`);
    await page.getByTestId('files-empty').waitFor();
    await shot(page, 'admin-05-files-empty');
    await page.getByTestId('files-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: makePng(240, 160) });
    const row = page.locator('[data-testid=file-row][data-name="photo.png"]');
    const thumb = row.getByTestId('thumbnail');
    await thumb.waitFor();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle());
    assert.equal(await thumb.evaluate((img) => img.naturalWidth), 50, 'the server thumbnail is 50×50');

    // Drag and drop: a DataTransfer with a file, dropped on the list.
    const dt = await page.evaluateHandle(() => {
      const d = new DataTransfer();
      d.items.add(new File(['hello from a drop\n'], 'notes.txt', { type: 'text/plain' }));
      return d;
    });
    const zone = page.getByTestId('dropzone');
    await zone.dispatchEvent('dragenter', { dataTransfer: dt });
    await page.getByText('Drop files to upload them here').waitFor();
    await zone.dispatchEvent('drop', { dataTransfer: dt });
    await page.locator('[data-testid=file-row][data-name="notes.txt"]').waitFor();
    assert.equal(await page.getByText('Drop files to upload them here').count(), 0);
    await page.getByTestId('files-usage').filter({ hasText: '2 files' }).waitFor();
    await shot(page, 'admin-06-files-list');
  });

  await t.test('files: edit a text file, make a folder, move the file into it', async () => {
    await page.locator('[data-testid=file-row][data-name="notes.txt"]').getByTestId('file-open').click();
    const dialog = page.getByRole('dialog');
    // Monaco (lazy, shared with the code page), the language from the extension.
    const lines = dialog.locator('.monaco-editor .view-lines');
    await lines.waitFor();
    await dialog.getByTestId('file-language').filter({ hasText: 'plaintext' }).waitFor();
    assert.match((await lines.textContent()).replace(/\u00a0/g, ' '), /hello from a drop/); // Monaco draws spaces as U+00A0
    await dialog.locator('.monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.evaluate(() => navigator.clipboard.writeText('edited in the browser\n'));
    await page.keyboard.press('ControlOrMeta+V');
    await dialog.getByTestId('file-save-state').filter({ hasText: 'Unsaved changes' }).waitFor();
    await shot(page, 'admin-07-file-editor');
    await page.keyboard.press('ControlOrMeta+S'); // Monaco's own keybinding
    await page.getByText('notes.txt saved').waitFor(); // the toast
    await dialog.getByTestId('file-save-state').filter({ hasText: 'Unsaved changes' }).waitFor({ state: 'detached' });
    const read = await api(server, 'GET', `/api/projects/${project.id}/storage/file/notes.txt`, { token: rootToken });
    assert.equal(read.body.content, 'edited in the browser\n');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await dialog.waitFor({ state: 'detached' });

    // A JSON file: JSON highlighting and its language service (a syntax error is marked).
    await api(server, 'POST', `/api/projects/${project.id}/storage/file`, { token: rootToken, body: { path: 'conf.json', content: '{"a": 1,}\n' } });
    await page.reload(); // made through the API: the list learns of it
    await page.locator('[data-testid=file-row][data-name="conf.json"]').getByTestId('file-open').click();
    await dialog.getByTestId('file-language').filter({ hasText: 'json' }).waitFor();
    await dialog.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    await shot(page, 'admin-07b-file-editor-json');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByTestId('files-mkdir').click();
    await dialog.getByLabel('Name').fill('docs/..');
    await dialog.getByTestId('files-name-submit').click();
    await dialog.getByTestId('files-name-error').filter({ hasText: 'No / or \\ in a name' }).waitFor();
    await dialog.getByLabel('Name').fill('docs');
    await dialog.getByTestId('files-name-submit').click();
    await page.waitForURL(/path=docs/);
    await page.getByTestId('files-empty').filter({ hasText: 'This folder is empty' }).waitFor();
    await page.getByTestId('breadcrumbs').getByRole('link', { name: 'Root folder' }).click();
    await page.locator('[data-testid=file-row][data-name="docs"]').waitFor();

    await page.locator('[data-testid=file-row][data-name="notes.txt"]').getByTestId('file-actions').click();
    await page.getByTestId('file-rename').click();
    await dialog.getByLabel('New path').fill('docs/readme.txt');
    await shot(page, 'admin-08-file-move');
    await dialog.getByTestId('files-rename-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid=file-row][data-name="notes.txt"]').waitFor({ state: 'detached' });
    await page.locator('[data-testid=file-row][data-name="docs"]').getByTestId('file-open').click();
    await page.locator('[data-testid=file-row][data-name="readme.txt"]').waitFor();
    const crumbs = page.getByTestId('breadcrumbs');
    assert.equal(await crumbs.locator('[aria-current=page]').textContent(), 'docs');
    await shot(page, 'admin-09-files-folder');
    await crumbs.getByRole('link', { name: 'Root folder' }).click();
  });

  await t.test('files: a public link works without a session until it is revoked; delete', async () => {
    await page.locator('[data-testid=file-row][data-name="photo.png"]').getByTestId('file-actions').click();
    await page.getByTestId('file-share').click();
    const dialog = page.getByRole('dialog');
    const url = await dialog.getByTestId('link-url').inputValue();
    assert.match(url, /\/api\/storage\/public\/[^/]+\/photo\.png$/);
    let res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    await shot(page, 'admin-10-public-link');
    await dialog.getByTestId('link-revoke').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('The public link to photo.png was revoked').waitFor(); // the toast
    res = await fetch(url);
    assert.equal(res.status, 404, 'revoked');

    // A link made elsewhere (its token never reached this browser) is revoked from the list by its id.
    const other = await api(server, 'POST', `/api/projects/${project.id}/storage/links`, { token: rootToken, body: { path: 'photo.png' } });
    assert.equal(other.status, 201);
    const otherUrl = new URL(other.body.url, server.url).toString();
    assert.equal((await fetch(otherUrl)).status, 200);
    await page.reload();
    const linkRow = page.getByTestId('link-row').filter({ hasText: other.body.token_hint });
    await linkRow.getByTestId('link-row-revoke').click();
    const revokeDialog = page.getByTestId('revoke-dialog');
    await revokeDialog.getByText('The link to photo.png stops working for everyone who has it.').waitFor();
    await shot(page, 'admin-10b-revoke-link');
    await revokeDialog.getByTestId('revoke-dialog-ok').click();
    await linkRow.waitFor({ state: 'detached' });
    assert.equal((await fetch(otherUrl)).status, 404, 'revoked by id');

    await page.locator('[data-testid=file-row][data-name="photo.png"]').getByTestId('file-actions').click();
    await page.getByTestId('file-delete').click();
    await page.getByTestId('confirm-dialog').getByText('photo.png and its public links are deleted.').waitFor();
    await page.getByTestId('confirm-dialog-ok').click();
    await page.getByText('photo.png deleted').waitFor(); // the toast
    await page.locator('[data-testid=file-row][data-name="photo.png"]').waitFor({ state: 'detached' });
  });

  await t.test('settings: rename the project; the API key is regenerated and shown masked', async () => {
    await page.goto(`${server.url}/projects/${project.id}/settings`);
    const form = page.getByTestId('settings-form');
    await form.getByLabel('Name').fill('Web Shop Pro');
    await form.getByLabel('Auto-start').check();
    await form.getByTestId('settings-save').click();
    await page.getByRole('region', { name: /Notifications/ }).getByText('Saved').waitFor(); // the toast
    const p = (await api(server, 'GET', `/api/projects/${project.id}`, { token: rootToken })).body;
    assert.equal(p.name, 'Web Shop Pro');
    assert.equal(p.auto_start, true);
    await page.getByTestId('project-title').filter({ hasText: 'Web Shop Pro' }).waitFor(); // the layout's title follows

    const oldHint = await page.getByTestId('api-key-hint').textContent();
    await page.getByTestId('regenerate-key').click();
    await page.getByTestId('regenerate-ok').click();
    const keyInput = page.getByLabel('New API key');
    await keyInput.waitFor();
    assert.equal(await keyInput.getAttribute('type'), 'password');
    await page.getByTestId('new-api-key').getByRole('button', { name: 'Show' }).click();
    const key = await keyInput.inputValue();
    assert.notEqual(`${key.slice(0, 4)}…${key.slice(-4)}`, oldHint);
    const viaKey = await api(server, 'GET', `/api/projects/${project.id}/env`, { apiKey: key });
    assert.equal(viaKey.status, 200, 'the new key works');
    await shot(page, 'admin-11-settings');
  });

  await t.test('settings: deleting a project asks for its slug', async () => {
    const temp = await createProject(server, rootToken, { name: 'Scratch', slug: 'scratch' });
    await page.goto(`${server.url}/projects/${temp.id}/settings`);
    await page.getByTestId('delete-project').click();
    const ok = page.getByTestId('delete-project-dialog-ok');
    assert.equal(await ok.isDisabled(), true);
    await page.getByLabel('Type scratch to confirm').fill('scratc');
    assert.equal(await ok.isDisabled(), true);
    await page.getByLabel('Type scratch to confirm').fill('scratch');
    await shot(page, 'admin-12-delete-project');
    await ok.click();
    await page.waitForURL('**/projects');
    assert.equal((await api(server, 'GET', `/api/projects/${temp.id}`, { token: rootToken })).status, 404);
  });

  await t.test('users: create a user with access to the project, then block them', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL('**/users');
    await page.getByTestId('users-table').waitFor();
    await page.getByTestId('user-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('user-save').click();
    await dialog.getByTestId('user-email-error').filter({ hasText: 'Required' }).waitFor();
    await dialog.getByLabel('Email').fill('bob@example.com');
    await dialog.getByLabel('Name').fill('Bob Builder');
    await dialog.getByLabel('Password', { exact: true }).fill('short');
    await dialog.getByTestId('user-save').click();
    await dialog.getByTestId('user-password-error').filter({ hasText: '8 to 256 characters' }).waitFor();
    await dialog.getByLabel('Password', { exact: true }).fill('bob-password-1');
    await dialog.getByLabel('Create projects').check();
    await dialog.getByLabel('Web Shop Pro').check();
    await shot(page, 'admin-13-user-create');
    await dialog.getByTestId('user-save').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('[data-testid=user-row][data-email="bob@example.com"]');
    await row.getByText('Bob Builder').waitFor();
    await row.getByText('Create projects').waitFor();
    await row.getByText('1 project').waitFor();
    assert.equal((await login(server, 'bob@example.com', 'bob-password-1')).status, 200);

    await row.getByTestId('user-block').click();
    await page.getByTestId('user-confirm').getByText('Block Bob Builder?').waitFor();
    await page.getByTestId('user-confirm-ok').click();
    await row.getByTestId('user-blocked').waitFor();
    await shot(page, 'admin-14-users');
    assert.equal((await login(server, 'bob@example.com', 'bob-password-1')).status, 403, 'a blocked user cannot sign in');
    const members = await api(server, 'GET', `/api/projects/${project.id}/members`, { token: rootToken });
    assert.ok(members.body.items.some((m) => m.email === 'bob@example.com'), 'bob is a member of the project');
  });

  await t.test('profile: change the name; switch the language to Russian and back', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('profile-link').click();
    await page.waitForURL('**/profile');
    await page.getByRole('heading', { name: 'Profile' }).waitFor(); // the lazy page is in (not the users page any more)
    await page.getByLabel('Name', { exact: true }).fill('Root Admin');
    await page.getByTestId('profile-save').click();
    await page.getByRole('region', { name: /Notifications/ }).getByText('Saved').waitFor(); // the toast
    assert.equal((await api(server, 'GET', '/api/users/me', { token: rootToken })).body.name, 'Root Admin');
    await page.getByTestId('avatar-input').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: makePng(300, 200) });
    const avatar = page.getByTestId('avatar');
    await avatar.waitFor();
    await page.waitForFunction((el) => el.complete && el.naturalWidth === 256, await avatar.elementHandle());
    await page.getByTestId('user-menu').locator('img').waitFor(); // the header shows it too
    await shot(page, 'admin-15-profile');

    // The language is the account's: saved on the server, it wins over this browser's choice.
    const me = async () => (await api(server, 'GET', '/api/users/me', { token: rootToken })).body;
    assert.equal((await me()).language, null, 'follows the browser at first');
    assert.equal(await page.getByTestId('profile-language-browser').isChecked(), true);
    await page.getByTestId('profile-language-ru').check();
    await page.getByRole('heading', { name: 'Профиль' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
    await page.getByText('Язык сохранён в учётной записи').waitFor(); // the toast
    assert.equal((await me()).language, 'ru');
    await page.evaluate(() => localStorage.setItem('m3m.language', 'en')); // this browser says English…
    await page.reload();
    await page.getByRole('heading', { name: 'Профиль' }).waitFor(); // …the account wins
    await shot(page, 'admin-16-profile-ru');
    await page.getByTestId('profile-language-browser').check();
    await page.getByRole('heading', { name: 'Profile' }).waitFor(); // the browser's (en-US)
    await page.getByText('Language saved in your account').waitFor();
    assert.equal((await me()).language, null);
  });

  await t.test('the pages in the dark theme and Russian pass axe too', async () => {
    await page.getByTestId('theme-switch').click();
    await page.getByTestId('theme-dark').click();
    await page.waitForFunction(() => document.documentElement.classList.contains('dark'));
    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-ru').click();
    for (const [p, name, heading] of [
      [`/projects/${project.id}/env`, 'env', 'Окружение'],
      [`/projects/${project.id}/files`, 'files', 'Файлы'],
      [`/projects/${project.id}/settings`, 'settings', 'Настройки'],
      ['/users', 'users', 'Пользователи'],
    ]) {
      await page.goto(server.url + p);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.waitForLoadState('networkidle');
      await shot(page, `admin-17-${name}-ru-dark`);
    }
  });

  await t.test('no console errors or warnings', () => {
    assert.deepEqual(problems, []);
  });
});
