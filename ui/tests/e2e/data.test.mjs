// End-to-end: data models and goals in a real browser against the real binary.
// Sign in, create a project, build two models (one with a ref to the other, a
// rich-text field), add records with the form's widgets (ref picker, TipTap),
// filter the table (a match, a syntax error marked at its position, an unknown
// field), sort, edit, delete with confirmation; then a project goal whose chart
// shows the increments of a running release (published through the API).
// Screenshots: data-*.png next to story.test.mjs's.
//
//   M3M_BINARY=$PWD/build-test/m3m node --test ui/tests/e2e/data.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, callRoute, deploy, startRunning } from '../../../tests/api/fixtures.mjs';
import { createProjectInUi, launch, shot as shotOf, signIn } from './helpers.mjs';

let env;
let page;
const shot = (name) => shotOf(page, name);

before(async () => {
  // 400: the filter errors; 404: the record the bulk delete finds gone (another tab deleted it).
  env = await launch({ ignore: [/status of 400 \(Bad Request\)/, /status of 404 \(Not Found\)/] });
  ({ page } = env);
});

after(async () => {
  await env?.close();
});

const rows = () => page.getByTestId('record-row');

async function fillField(i, { key, type }) {
  const f = page.getByTestId('builder-field').nth(i);
  await f.getByLabel('Key').fill(key);
  if (type) await f.getByLabel('Type').selectOption(type);
  return f;
}

async function applyFilter(text) {
  await page.getByTestId('record-filter').fill(text);
  await page.getByTestId('record-filter').press('Enter');
}

test('data models, records and goals in a real browser', async (t) => {
  let projectId;
  let slug;

  await t.test('sign in, create a project, open its (empty) data page', async () => {
    await signIn(page, env.server);
    projectId = await createProjectInUi(page, 'Data Shop');
    slug = 'data-shop';
    await page.getByTestId('project-tab-data').click();
    await page.waitForURL(`**/projects/${projectId}/data`);
    await page.getByTestId('models-empty').waitFor();
    await shot('data-01-models-empty');
  });

  await t.test('the builder refuses a bad name before sending, then creates a model', async () => {
    await page.getByTestId('new-model').first().click();
    await page.getByRole('heading', { name: 'New model' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('1bad');
    await page.getByTestId('save-model').click();
    await page.locator('#model-name-error').getByText('A letter, then letters').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('customers');
    await fillField(0, { key: 'name' });
    await page.getByTestId('save-model').click();
    await page.waitForURL(`**/projects/${projectId}/data/customers`);
    await page.getByTestId('records-empty').waitFor();
  });

  await t.test('records with the form (and a required field checked before sending)', async () => {
    for (const name of ['Alice', 'Bob']) {
      await page.getByTestId('new-record').click();
      const dialog = page.getByTestId('record-dialog');
      if (name === 'Alice') {
        await dialog.getByTestId('record-save').click();
        await dialog.locator('#rf-name-error').getByText('Required').waitFor();
      }
      await dialog.getByTestId('field-name').fill(name);
      await dialog.getByTestId('record-save').click();
      await dialog.waitFor({ state: 'detached' });
    }
    await page.getByTestId('records-count').getByText('1–2 of 2').waitFor();
  });

  await t.test('a second model: select, ref, rich text widget; a server error is shown on its field', async () => {
    await page.goto(`${env.server.url}/projects/${projectId}/data/new`);
    await page.getByLabel('Name', { exact: true }).fill('orders');
    await fillField(0, { key: 'title' });
    await page.getByTestId('builder-field').nth(0).getByLabel('Required').check();
    for (const [i, key, type] of [
      [1, 'total', 'integer'],
      [2, 'status', 'select'],
      [3, 'customer', 'ref'],
      [4, 'notes', 'text'],
    ]) {
      await page.getByTestId('add-field').click();
      await fillField(i, { key, type });
    }
    await page.getByTestId('builder-field').nth(2).getByLabel('Values (one per line)').fill('new\npaid');
    await page.getByTestId('builder-field').nth(3).getByLabel('Target model').selectOption('customers');
    // A minimum above the maximum: the server refuses, naming the option.
    await page.getByTestId('builder-field').nth(1).getByLabel('Minimum').fill('10');
    await page.getByTestId('builder-field').nth(1).getByLabel('Maximum').fill('5');
    await page.getByLabel('Widget for notes').selectOption('richtext');
    await page.getByTestId('save-model').click();
    await page.getByTestId('builder-error').waitFor();
    await shot('data-02-builder-error');
    await page.getByTestId('builder-field').nth(1).getByLabel('Minimum').fill('0');
    await page.getByTestId('builder-field').nth(1).getByLabel('Maximum').fill('');
    await page.getByTestId('save-model').click();
    await page.waitForURL(`**/projects/${projectId}/data/orders`);
  });

  await t.test('a record with the ref picker (search) and TipTap', async () => {
    await page.getByTestId('new-record').click();
    const dialog = page.getByTestId('record-dialog');
    await dialog.getByTestId('field-title').fill('Order A');
    await dialog.getByTestId('field-total').fill('5');
    await dialog.getByTestId('field-status').selectOption('paid');
    await dialog.getByTestId('field-customer').getByTestId('ref-choose').click();
    const picker = page.getByTestId('ref-dialog');
    await picker.getByTestId('ref-search').fill('ali');
    await picker.getByTestId('ref-option').filter({ hasText: 'Bob' }).waitFor({ state: 'detached' });
    assert.equal(await picker.getByTestId('ref-option').count(), 1, 'the search narrows the list');
    await picker.getByTestId('ref-option').filter({ hasText: 'Alice' }).click();
    await picker.waitFor({ state: 'detached' });
    await dialog.getByTestId('ref-chip').filter({ hasText: 'Alice' }).waitFor();
    const editor = dialog.getByTestId('field-notes'); // lazy TipTap chunk
    await editor.click();
    await page.keyboard.type('Ship ');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('fast');
    await dialog.getByRole('button', { name: 'Bold' }).waitFor();
    await shot('data-03-record-form');
    await dialog.getByTestId('record-save').click();
    await dialog.waitFor({ state: 'detached' });
    const row = rows().filter({ hasText: 'Order A' });
    await row.waitFor();
    assert.match(await row.textContent(), /Alice/, 'the ref column shows the label of the expanded record');
    assert.match(await row.textContent(), /Ship fast/, 'rich text shown as plain text');
  });

  await t.test('more records; a typed value the form refuses before sending', async () => {
    for (const [title, total, status] of [
      ['Order B', '20', 'new'],
      ['Order C', '40', 'paid'],
    ]) {
      await page.getByTestId('new-record').click();
      const dialog = page.getByTestId('record-dialog');
      await dialog.getByTestId('field-title').fill(title);
      await dialog.getByTestId('field-total').fill(title === 'Order B' ? '2.5' : total);
      await dialog.getByTestId('field-status').selectOption(status);
      if (title === 'Order B') {
        await dialog.getByTestId('record-save').click();
        await dialog.locator('#rf-total-error').getByText('A whole number').waitFor();
        await dialog.getByTestId('field-total').fill(total);
      }
      await dialog.getByTestId('record-save').click();
      await dialog.waitFor({ state: 'detached' });
    }
    await page.getByTestId('records-count').getByText('1–3 of 3').waitFor();
    await shot('data-04-records');
  });

  await t.test('filtering: a match, a syntax error at its position, an unknown field', async () => {
    await applyFilter("total >= 20 && status = 'new'");
    await page.getByTestId('records-count').getByText('1–1 of 1').waitFor();
    assert.match(await rows().first().textContent(), /Order B/);
    assert.match(page.url(), /filter=/, 'the filter is in the address');
    await shot('data-05-filtered');

    await applyFilter("status = 'paid' && total >");
    const err = page.getByTestId('filter-error');
    await err.waitFor();
    assert.match(await err.textContent(), /Column 27: expected a value after ">"/);
    assert.equal(await page.getByTestId('record-filter').getAttribute('aria-invalid'), 'true');
    assert.equal(await rows().count(), 0, 'no stale rows under an error');
    await shot('data-06-filter-error');

    await applyFilter("title ~ 'Я' && nope = 1");
    await page.getByTestId('filter-error').getByText('unknown field "nope"').waitFor();
    assert.equal(await page.getByTestId('filter-error-mark').textContent(), 'nope', 'the unknown field is marked');

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByTestId('records-count').getByText('1–3 of 3').waitFor();
    assert.equal(await page.getByTestId('filter-error').count(), 0);
  });

  await t.test('sorting by a column header', async () => {
    await page.getByTestId('sort-total').click(); // ascending
    await page.waitForURL(/sort=total/);
    await page.getByTestId('sort-total').click(); // descending
    await page.waitForURL(/sort=-total/);
    await page.waitForFunction(() => document.querySelector('[data-testid="record-row"]')?.textContent?.includes('Order C'));
    assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);
  });

  await t.test('editing a record and deleting one after confirming', async () => {
    await rows().filter({ hasText: 'Order B' }).getByTestId('edit-record').click();
    const dialog = page.getByTestId('record-dialog');
    assert.equal(await dialog.getByTestId('field-total').inputValue(), '20');
    await dialog.getByTestId('field-total').fill('25');
    await dialog.getByTestId('record-save').click();
    await dialog.waitFor({ state: 'detached' });
    await rows().filter({ hasText: 'Order B' }).filter({ hasText: '25' }).waitFor();

    await rows().filter({ hasText: 'Order C' }).getByTestId('delete-record').click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.waitFor();
    await shot('data-07-delete-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal(await rows().count(), 3, 'cancel keeps the record');
    await rows().filter({ hasText: 'Order C' }).getByTestId('delete-record').click();
    await page.getByTestId('confirm-dialog-ok').click();
    await page.getByTestId('records-count').getByText('1–2 of 2').waitFor();
  });

  await t.test('bulk delete: a shift-click range, a confirmation, a partial failure reported', async () => {
    const made = [];
    for (let i = 1; i <= 4; i++) {
      const r = await api(env.server, 'POST', `/api/projects/${projectId}/models/orders/data`, {
        token: env.rootToken,
        body: { title: `Bulk ${i}`, total: i, status: 'new' },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      made.push(r.body.id);
    }
    await page.reload();
    await page.getByTestId('records-count').getByText('1–6 of 6').waitFor();
    const box = (title) => rows().filter({ hasText: title }).getByTestId('select-row');
    await box('Bulk 4').click();
    await box('Bulk 1').click({ modifiers: ['Shift'] }); // sorted by -total: Bulk 4..1 in a row
    await page.getByTestId('bulk-count').getByText('4 records selected').waitFor();
    assert.equal(await page.getByTestId('select-all').evaluate((el) => el.indeterminate), true);
    await shot('data-07b-bulk-selected');

    // One of them goes meanwhile (another tab): its delete fails, the rest go.
    assert.equal((await api(env.server, 'DELETE', `/api/projects/${projectId}/models/orders/data/${made[1]}`, { token: env.rootToken })).status, 204);
    await page.getByTestId('bulk-delete').click();
    const dialog = page.getByTestId('bulk-dialog');
    await dialog.getByText('Delete 4 records?').waitFor();
    await shot('data-07c-bulk-confirm');
    await dialog.getByTestId('bulk-dialog-ok').click();
    await dialog.waitFor({ state: 'detached' });
    const failure = page.getByTestId('bulk-failure');
    await failure.getByText('3 deleted, 1 not').waitFor();
    assert.match(await failure.textContent(), new RegExp(made[1]));
    await page.getByText('1 of 4 records could not be deleted').waitFor(); // the toast
    await page.getByTestId('records-count').getByText('1–2 of 2').waitFor();
    await page.getByTestId('bulk-bar').waitFor({ state: 'detached' }); // the failed one is gone too: nothing stays selected
    await shot('data-07d-bulk-partial');
    await failure.getByRole('button', { name: 'Close' }).click();
    await failure.waitFor({ state: 'detached' });
  });

  await t.test('a project goal; its chart after increments from a running release', async () => {
    await page.goto(`${env.server.url}/projects/${projectId}`);
    await page.getByTestId('project-tab-goals').click();
    await page.getByTestId('goals-empty').waitFor();
    await page.getByTestId('new-goal').click();
    const dialog = page.getByTestId('goal-dialog');
    await dialog.getByLabel('Name').fill('Sign ups');
    assert.equal(await dialog.getByLabel('Slug').inputValue(), 'sign_ups', 'slug suggested from the name');
    await dialog.getByTitle('Emerald').click();
    await dialog.getByTestId('goal-save').click();
    await dialog.waitFor({ state: 'detached' });
    const card = page.getByTestId('goal-card').filter({ hasText: 'Sign ups' });
    await card.waitFor();
    assert.match(await card.textContent(), /data-shop-sign_ups/, 'the full slug has the project prefix');
    await card.getByTestId('goal-total').getByText('0', { exact: true }).waitFor();

    // The JS side: a release whose route increments the goal, published and started through the API.
    const code = `service.start(() => {
  router.get('/signup', () => { goals.increment('sign_ups', 2); return { ok: true }; });
});`;
    const version = await deploy(env.server, env.rootToken, projectId, code);
    await startRunning(env.server, env.rootToken, projectId, version);
    for (let i = 0; i < 2; i++) {
      const res = await callRoute(env.server, slug, '/signup');
      assert.equal(res.status, 200, `route: ${res.text}`);
    }
    await page.getByTestId('period-7').click(); // another period: statistics read anew
    await card.getByTestId('goal-total').getByText('4', { exact: true }).waitFor();
    const chart = page.getByTestId('goal-chart');
    await chart.locator('.recharts-line-curve').waitFor();
    await shot('data-08-goal-chart');
  });

  await t.test('global goals (root) from the sidebar, in Russian and dark', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Goals' }).first().click();
    await page.waitForURL('**/goals');
    await page.getByTestId('goals-empty').waitFor();
    await page.getByTestId('new-goal').click();
    const dialog = page.getByTestId('goal-dialog');
    await dialog.getByLabel('Name').fill('Orders total');
    await dialog.getByLabel('Type').selectOption('counter');
    await dialog.getByLabel('Data Shop').check(); // allowed project
    await dialog.getByTestId('goal-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('goal-card').filter({ hasText: 'Orders total' }).waitFor();
    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-ru').click();
    await page.getByTestId('theme-switch').click();
    await page.getByTestId('theme-dark').click();
    await page.getByRole('heading', { name: 'Цели' }).waitFor();
    await shot('data-09-global-goals-ru-dark');
    await page.goto(`${env.server.url}/projects/${projectId}/data/orders`);
    await page.getByTestId('records-table').waitFor();
    await page.getByText('Фильтр', { exact: true }).waitFor();
    await shot('data-10-records-ru-dark');
  });

  await t.test('no console errors or warnings', () => {
    assert.deepEqual(env.consoleProblems, []);
  });
});
