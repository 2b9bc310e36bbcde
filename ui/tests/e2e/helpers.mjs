// Shared by every E2E file: Debian's Chromium (driven by playwright-core, never
// a downloaded browser) against the real m3m binary on a temporary data folder
// (root user), a page that records console errors/warnings, signing in,
// creating a project through the UI, and screenshots into M3M_UI_ARTIFACTS,
// each after the accessibility check (axe-core) of the page.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import { ROOT_EMAIL, ROOT_PASSWORD, startWithRoot } from '../../../tests/api/fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = process.env.M3M_UI_ARTIFACTS || path.resolve(here, '../../../build-test/ui-screenshots');
export const CHROMIUM = process.env.M3M_CHROMIUM || '/usr/bin/chromium';
export const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/install-deps.sh (Debian package chromium)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: BROWSER_ARGS });
}

// A page of a new context (1280×800, light). Console errors and warnings are
// collected in `consoleProblems`, except those matching one of `ignore`
// (expected answers such as /status of 409/, which Chromium logs as failed resources).
export async function newPage(browser, { ignore = [], locale = 'en-US', contextOptions = {} } = {}) {
  const context = await browser.newContext({
    locale,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    acceptDownloads: true,
    ...contextOptions,
  });
  if (process.env.M3M_UI_DIST) await serveUiFrom(context, path.resolve(process.env.M3M_UI_DIST));
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleProblems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    if (ignore.some((re) => re.test(msg.text()))) return;
    consoleProblems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleProblems.push(`pageerror: ${err.message}`));
  return { context, page, consoleProblems };
}

// M3M_UI_DIST=ui/dist: the browser gets the UI from a local `npm run build`
// instead of the binary's embedded copy (everything but /api and /r), so a UI
// change can be tried end to end without relinking the binary.
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json' };
async function serveUiFrom(context, dist) {
  await context.route(
    (url) => !/^\/(api|r)(\/|$)/.test(url.pathname),
    async (route) => {
      const { pathname } = new URL(route.request().url());
      let file = path.join(dist, decodeURIComponent(pathname));
      if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(dist, 'index.html');
      let body = readFileSync(file);
      if (file.endsWith('index.html')) {
        // The server's page carries window.__APP_CONFIG__: keep it.
        const served = await (await route.fetch()).text();
        const config = /<script>window\.__APP_CONFIG__[^<]*<\/script>/.exec(served)?.[0] ?? '';
        body = body.toString().replace('</head>', `${config}</head>`);
      }
      return route.fulfill({ status: 200, body, contentType: TYPES[path.extname(file)] ?? 'application/octet-stream' });
    },
  );
}

// Starts the server (root user), Chromium and one page (options of newPage).
// Returns {server, rootToken, browser, context, page, consoleProblems, close}.
export async function launch(options = {}) {
  const { server, rootToken } = await startWithRoot();
  let browser;
  try {
    browser = await launchBrowser();
    const { context, page, consoleProblems } = await newPage(browser, options);
    return {
      server,
      rootToken,
      browser,
      context,
      page,
      consoleProblems,
      close: async () => {
        await browser.close();
        await server.stop();
      },
    };
  } catch (e) {
    await browser?.close();
    await server.stop();
    throw e;
  }
}

// Signs in through the login page (root by default); ends off the login page.
export async function signIn(page, server, { email = ROOT_EMAIL, password = ROOT_PASSWORD } = {}) {
  await page.goto(server.url + '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.endsWith('/login'));
}

// Creates a project through the dialog of the projects page; opens its
// dashboard and returns its id.
export async function createProjectInUi(page, name) {
  await page.getByTestId('new-project').first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByTestId('create-submit').click();
  await dialog.getByTestId('project-created').waitFor();
  await dialog.getByTestId('create-done').click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByTestId('project-card').filter({ hasText: name }).click();
  await page.waitForURL(/\/projects\/[0-9a-f-]+$/);
  return page.url().split('/').pop();
}

const BLOCKING = new Set(['serious', 'critical']);

// Runs axe-core on the page as it is now (WCAG 2.x A/AA and best practices);
// fails on any serious or critical violation, naming the rule and the elements.
export async function checkA11y(page, name) {
  // Let transitions (dialogs opening, theme changes) end: mid-animation
  // colours would be measured otherwise.
  await page.waitForTimeout(250);
  // A toast on its way out (sonner's exit fade) or stacked out of view
  // (data-visible="false", opacity 0) is no longer content.
  const result = await new AxeBuilder({ page })
    .exclude('[data-sonner-toast][data-removed="true"]')
    .exclude('[data-sonner-toast][data-visible="false"]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
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

// A screenshot of the whole page into ARTIFACTS, after the page passed axe
// (`a11y: false` skips the check). Scrolled to the top first: a full-page shot
// of a scrolled page misplaces the sticky header.
export async function shot(page, name, { a11y = true } = {}) {
  if (a11y) await checkA11y(page, name);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
