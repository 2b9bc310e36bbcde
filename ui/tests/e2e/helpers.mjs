// Shared by the E2E files: Debian's Chromium through playwright-core (never a
// downloaded browser), console watching, sign-in, screenshots and the
// accessibility check (axe-core) of every page a screenshot is taken of.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = process.env.M3M_UI_ARTIFACTS || path.resolve(here, '../../../build-test/ui-screenshots');
export const CHROMIUM = process.env.M3M_CHROMIUM || '/usr/bin/chromium';

export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps.sh (Debian package chromium)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page of a new context; console errors and warnings (except `allowed`
// answers, which Chromium logs as failed resources) are collected in `problems`.
export async function newPage(browser, { allowed = /$^/, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    if (allowed.test(msg.text())) return;
    problems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return { context, page, problems };
}

export async function signIn(page, url, email, password) {
  await page.goto(url + '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.endsWith('/login'));
}

const BLOCKING = new Set(['serious', 'critical']);

// Runs axe-core on the page as it is now (WCAG 2.x A/AA and best practices);
// fails on any serious or critical violation, naming the rule and the elements.
export async function checkA11y(page, name) {
  // Let transitions (dialogs opening, theme changes) end: mid-animation
  // colours would be measured otherwise.
  await page.waitForTimeout(250);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = result.violations.filter((v) => BLOCKING.has(v.impact));
  const report = blocking.map(
    (v) =>
      `${v.impact} ${v.id}: ${v.help}\n` +
      v.nodes
        .slice(0, 5)
        .map((n) => `    ${n.target.join(' ')} ${n.html.slice(0, 160)} — ${n.failureSummary?.split('\n').slice(1).join('; ')}`)
        .join('\n'),
  );
  assert.equal(report.length, 0, `axe on ${name}:\n${report.join('\n')}`);
  return result;
}

// A screenshot of the whole page into ARTIFACTS, after the page passed axe.
export async function shot(page, name, { a11y = true } = {}) {
  if (a11y) await checkA11y(page, name);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
