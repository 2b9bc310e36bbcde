// End-to-end: Debian's Chromium (driven by playwright-core, never a downloaded
// browser) against the real m3m binary on a temporary data folder. The story:
// sign in (a wrong password first), the empty state, create a project (client
// and server validation), see it in the list, open its dashboard, switch to
// Russian, switch to the dark theme, reload (both kept), deep link, 404, log out.
// A screenshot of every page goes to M3M_UI_ARTIFACTS (build-test/ui-screenshots),
// each after an axe-core check (helpers.mjs: no serious or critical violation).
//
//   M3M_BINARY=$PWD/build-test/m3m node --test ui/tests/e2e/story.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ROOT_EMAIL, ROOT_PASSWORD } from '../../../tests/api/fixtures.mjs';
import { launch, shot as shotOf } from './helpers.mjs';

let env;
let server;
let page;
let consoleProblems;
const shot = (name) => shotOf(page, name);

before(async () => {
  // The story's failed login (401) and taken slug (409) are expected answers,
  // which Chromium also logs as failed resources.
  env = await launch({ ignore: [/status of (401 \(Unauthorized\)|409 \(Conflict\))/] });
  ({ server, page, consoleProblems } = env);
});

after(async () => {
  await env?.close();
});

test('the admin UI story in a real browser', async (t) => {
  let projectId;

  await t.test('an unauthenticated visit lands on the login page (English by browser language)', async () => {
    await page.goto(server.url + '/projects');
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    const config = await page.evaluate(() => window.__APP_CONFIG__);
    assert.equal(config.apiURL, '');
    assert.match(config.version, /^\d+\.\d+\.\d+/);
    await shot('01-login');
  });

  await t.test('a wrong password shows a readable error', async () => {
    await page.getByLabel('Email').fill(ROOT_EMAIL);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const err = page.getByTestId('login-error');
    await err.waitFor();
    assert.equal((await err.textContent()).trim(), 'Wrong email or password.');
    await shot('02-login-error');
  });

  await t.test('signing in shows the empty projects page', async () => {
    await page.getByLabel('Password').fill(ROOT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/projects');
    await page.getByTestId('projects-empty').waitFor();
    await page.getByRole('heading', { name: 'No projects yet' }).waitFor();
    await shot('03-projects-empty');
  });

  await t.test('the create dialog validates before sending', async () => {
    await page.getByTestId('new-project').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByTestId('create-submit').click();
    await dialog.getByText('Required').waitFor();
    await dialog.getByLabel('Slug').fill('Bad Slug');
    await dialog.getByTestId('create-submit').click();
    await dialog.getByText('Only a–z, 0–9 and -').waitFor();
    await shot('04-create-dialog-errors');
  });

  await t.test('creating a project shows its API key once, then the list', async () => {
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Slug').fill('');
    await dialog.getByLabel('Name').fill('Web Shop');
    assert.equal(await dialog.getByLabel('Slug').inputValue(), 'web-shop', 'slug suggested from the name');
    await dialog.getByTitle('Emerald').click(); // the visible swatch of the (visually hidden) radio
    assert.equal(await dialog.getByLabel('Emerald').isChecked(), true);
    await dialog.getByTestId('create-submit').click();
    await dialog.getByTestId('project-created').waitFor();
    const key = await dialog.getByLabel('API key').inputValue();
    assert.ok(key.length >= 16, `an API key is shown: ${key}`);
    await shot('05-project-created');
    await dialog.getByTestId('create-done').click();
    await dialog.waitFor({ state: 'detached' });
    const card = page.getByTestId('project-card').filter({ hasText: 'Web Shop' });
    await card.waitFor();
    assert.match(await card.textContent(), /\/r\/web-shop/);
    assert.equal(await card.getByTestId('project-status').getAttribute('data-state'), 'stopped');
    await page.getByText('1 project', { exact: true }).waitFor();
    await shot('06-projects-list');
  });

  await t.test('a taken slug is refused by the server, shown on the field', async () => {
    await page.getByTestId('new-project').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Another');
    await dialog.getByLabel('Slug').fill('web-shop');
    await dialog.getByTestId('create-submit').click();
    const slugError = dialog.locator('#project-slug-error');
    await slugError.waitFor();
    assert.equal((await slugError.textContent()).trim(), 'This value is already taken.');
    await shot('07-create-dialog-server-error');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('project-card').count(), 1);
  });

  await t.test('the dashboard shows the project and its run state', async () => {
    await page.getByTestId('project-card').filter({ hasText: 'Web Shop' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]+$/);
    projectId = page.url().split('/').pop();
    await page.getByTestId('project-title').filter({ hasText: 'Web Shop' }).waitFor();
    await page.getByText('/r/web-shop/').waitFor();
    await page.getByText('No release').first().waitFor();
    await shot('08-dashboard');
  });

  await t.test('switching to Russian translates the page', async () => {
    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-ru').click();
    await page.getByText('Обзор').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
    await shot('09-dashboard-ru');
    await page.getByRole('link', { name: 'Проекты' }).first().click();
    await page.getByRole('heading', { name: 'Проекты' }).waitFor();
    await page.getByText('1 проект', { exact: true }).waitFor();
  });

  await t.test('switching to the dark theme, kept with the language after a reload', async () => {
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('dark')), false);
    await page.getByTestId('theme-switch').click();
    await page.getByTestId('theme-dark').click();
    await page.waitForFunction(() => document.documentElement.classList.contains('dark'));
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await shot('10-projects-ru-dark');
    await page.reload();
    await page.getByRole('heading', { name: 'Проекты' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('dark')), true);
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), bg);
  });

  await t.test('a deep link loads through the SPA fallback; an unknown page is a 404 page', async () => {
    await page.goto(`${server.url}/projects/${projectId}`);
    await page.getByTestId('project-title').filter({ hasText: 'Web Shop' }).waitFor();
    await shot('11-dashboard-ru-dark');
    await page.goto(`${server.url}/no/such/page`);
    await page.getByRole('heading', { name: 'Страница не найдена' }).waitFor();
    await shot('12-not-found-ru-dark');
  });

  await t.test('on a phone the sidebar is a menu behind a button', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/projects`);
    await page.getByRole('heading', { name: 'Проекты' }).waitFor();
    const nav = page.getByRole('navigation');
    assert.equal(await nav.isVisible() && (await nav.boundingBox()).x >= 0, false, 'sidebar hidden off-screen');
    await shot('13-projects-phone');
    await page.getByRole('button', { name: 'Показать меню' }).click();
    await page.waitForFunction(() => document.querySelector('aside').getBoundingClientRect().x >= 0);
    await shot('14-projects-phone-menu');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('aside').getBoundingClientRect().right <= 0);
    assert.equal(await nav.isVisible(), false, 'a closed menu is out of the tab order');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await t.test('logging out returns to the login page, in the chosen language and theme', async () => {
    await page.goto(`${server.url}/projects`);
    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Вход' }).waitFor();
    await shot('15-login-ru-dark');
    // Light English again, for a look at the login page in the default setup.
    await page.getByTestId('theme-switch').click();
    await page.getByTestId('theme-light').click();
    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-en').click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(`${server.url}/projects`);
    await page.waitForURL('**/login');
  });

  await t.test('no console errors or warnings', () => {
    assert.deepEqual(consoleProblems, []);
  });
});
