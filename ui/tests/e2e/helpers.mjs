// Shared by the E2E files: Debian's Chromium (never a downloaded browser), a
// page that records console errors/warnings, screenshots and signing in.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ROOT_EMAIL, ROOT_PASSWORD } from '../../../tests/api/fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = process.env.M3M_UI_ARTIFACTS || path.resolve(here, '../../../build-test/ui-screenshots');
export const CHROMIUM = process.env.M3M_CHROMIUM || '/usr/bin/chromium';

// Launches Chromium with one page; `ignore` lists console messages that are
// expected answers (e.g. /status of 409/).
export async function launch({ ignore = [], contextOptions = {} } = {}) {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps.sh (Debian package chromium)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    acceptDownloads: true,
    ...contextOptions,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleProblems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    if (ignore.some((re) => re.test(msg.text()))) return;
    consoleProblems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleProblems.push(`pageerror: ${err.message}`));
  return { browser, context, page, consoleProblems };
}

export async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0)); // a full-page shot of a scrolled page misplaces the sticky header
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export async function signIn(page, server, { email = ROOT_EMAIL, password = ROOT_PASSWORD } = {}) {
  await page.goto(server.url + '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/projects');
}
