// Shared by the E2E files: Debian's Chromium (playwright-core, never a
// downloaded browser) against the real m3m binary on a temporary data folder,
// a signed-in page, screenshots into M3M_UI_ARTIFACTS and the console watch.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ROOT_EMAIL, ROOT_PASSWORD, startWithRoot } from '../../../tests/api/fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = process.env.M3M_UI_ARTIFACTS || path.resolve(here, '../../../build-test/ui-screenshots');
export const CHROMIUM = process.env.M3M_CHROMIUM || '/usr/bin/chromium';
export const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Starts the server (root user) and a browser page. `expected` lists console
// messages (regexps) that are expected answers, e.g. a 400 the test provokes.
// Returns {server, rootToken, browser, page, consoleProblems, shot, close}.
export async function launch({ expected = [], locale = 'en-US' } = {}) {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps.sh (Debian package chromium)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const { server, rootToken } = await startWithRoot();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: BROWSER_ARGS });
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleProblems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    if (expected.some((re) => re.test(msg.text()))) return;
    consoleProblems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleProblems.push(`pageerror: ${err.message}`));
  return {
    server,
    rootToken,
    browser,
    page,
    consoleProblems,
    shot: (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true }),
    close: async () => {
      await browser.close();
      await server.stop();
    },
  };
}

// Signs root in through the login page; ends on /projects.
export async function login(page, server) {
  await page.goto(server.url + '/login');
  await page.getByLabel('Email').fill(ROOT_EMAIL);
  await page.getByLabel('Password').fill(ROOT_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/projects');
}

// Creates a project through the dialog of the projects page; opens its
// dashboard and returns its id.
export async function createProjectInUi(page, name) {
  await page.getByTestId('new-project').first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByTestId('create-submit').click();
  await dialog.getByTestId('create-done').click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByTestId('project-card').filter({ hasText: name }).click();
  await page.waitForURL(/\/projects\/[0-9a-f-]+$/);
  return page.url().split('/').pop();
}
