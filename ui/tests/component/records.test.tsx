// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import RecordsPage from '@/pages/data/RecordsPage';
import { apiError, fakeApi, json, type Call } from './render';
import { renderPage } from './render';

const model = {
  id: 'm1',
  project_id: 'p1',
  name: 'orders',
  description: '',
  fields: [
    { key: 'title', type: 'string' },
    { key: 'total', type: 'integer' },
  ],
  indexes: [],
  table_config: { columns: ['title', 'total'] },
  form_config: {},
  created_at: '',
  updated_at: '',
};
const record = (n: number) => ({ id: `r${n}`, title: `order ${n}`, total: n, created: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:00:00Z' });
const page = (items: unknown[]) => json(200, { items, page: 1, per_page: 30, total_items: items.length, total_pages: 1 });

function serve(extra: Record<string, (c: Call) => Response> = {}, initial = [1, 2, 3, 4, 5]) {
  let rows = initial.map(record);
  const api = fakeApi({
    'GET /api/projects/p1/models/orders': () => json(200, model),
    'GET /api/projects/p1/models': () => json(200, { items: [model], page: 1, per_page: 500, total_items: 1, total_pages: 1 }),
    'GET /api/projects/p1/models/orders/data': (c) => extra['filter']?.(c) ?? page(rows),
    'DELETE /api/projects/p1/models/orders/data/*': (c) => {
      const id = c.path.split('/').pop()!;
      const r = extra['delete']?.(c);
      if (r) return r;
      rows = rows.filter((x) => x.id !== id);
      return json(204, null);
    },
  });
  return api;
}

function open() {
  return renderPage(<RecordsPage />, { route: '/projects/p1/data/orders', path: '/projects/:id/data/:model' });
}

describe('records filter box', () => {
  it("shows the server's error at its position in the filter", async () => {
    serve({
      filter: (c) => (c.search.get('filter') ? apiError(400, 'VALIDATION', 'invalid filter', { filter: 'position 6: unexpected ">>"' }) : undefined)!,
    });
    const { user } = open();
    const box = await screen.findByLabelText('Filter');
    await user.type(box, 'total >> 5{Enter}');
    const err = await screen.findByTestId('filter-error');
    expect(err).toHaveTextContent('Column 7: unexpected ">>"');
    expect(within(err).getByTestId('filter-error-mark')).toHaveTextContent(/^>>$/);
    expect(within(err).getByTestId('filter-error-source')).toHaveTextContent('total >> 5');
    expect(box).toHaveAttribute('aria-invalid', 'true');
    expect(box.getAttribute('aria-describedby')).toContain('filter-error');
  });

  it('a field error without a position marks the field', async () => {
    serve({
      filter: (c) => (c.search.get('filter') ? apiError(400, 'VALIDATION', 'invalid filter', { filter: 'unknown field "nope"' }) : undefined)!,
    });
    const { user } = open();
    await user.type(await screen.findByLabelText('Filter'), "title = 'x' && nope = 1{Enter}");
    const err = await screen.findByTestId('filter-error');
    expect(within(err).getByTestId('filter-error-mark')).toHaveTextContent(/^nope$/);
  });
});

describe('records bulk selection', () => {
  it('selects all on the page, a shift-click range, and deletes the selection after confirming', async () => {
    const api = serve();
    const { user } = open();
    await screen.findAllByTestId('record-row');
    const boxes = () => screen.getAllByTestId('select-row');
    const all = screen.getByLabelText('Select all records on this page');

    await user.click(all);
    expect(boxes().every((b) => (b as HTMLInputElement).checked)).toBe(true);
    expect(screen.getByTestId('bulk-count')).toHaveTextContent('5 records selected');
    await user.click(all);
    expect(screen.queryByTestId('bulk-bar')).toBeNull();

    // r2, then shift+r4: r2..r4.
    await user.click(boxes()[1]!);
    await user.keyboard('{Shift>}');
    await user.click(boxes()[3]!);
    await user.keyboard('{/Shift}');
    expect(boxes().map((b) => (b as HTMLInputElement).checked)).toEqual([false, true, true, true, false]);
    expect((all as HTMLInputElement).indeterminate).toBe(true);

    await user.click(screen.getByTestId('bulk-delete'));
    const dialog = await screen.findByTestId('bulk-dialog');
    expect(dialog).toHaveTextContent('Delete 3 records?');
    expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
    await user.click(within(dialog).getByTestId('bulk-dialog-ok'));
    expect(await screen.findByText('3 records deleted')).toBeInTheDocument();
    expect(
      api.calls
        .filter((c) => c.method === 'DELETE')
        .map((c) => c.path.split('/').pop())
        .sort(),
    ).toEqual(['r2', 'r3', 'r4']);
    await waitFor(() => expect(screen.getAllByTestId('record-row')).toHaveLength(2));
    expect(screen.queryByTestId('bulk-bar')).toBeNull();
  });

  it('reports a partial failure and keeps the failed rows selected', async () => {
    serve({ delete: (c) => (c.path.endsWith('/r3') ? apiError(403, 'PERMISSION_DENIED', 'locked record') : undefined)! });
    const { user } = open();
    await screen.findAllByTestId('record-row');
    await user.click(screen.getByLabelText('Select record r2'));
    await user.click(screen.getByLabelText('Select record r3'));
    await user.click(screen.getByTestId('bulk-delete'));
    await user.click(within(await screen.findByTestId('bulk-dialog')).getByTestId('bulk-dialog-ok'));
    const failure = await screen.findByTestId('bulk-failure');
    expect(failure).toHaveTextContent('1 deleted, 1 not');
    expect(failure).toHaveTextContent('r3');
    expect(await screen.findByText('1 of 2 records could not be deleted')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('record-row')).toHaveLength(4));
    expect(screen.getByTestId('bulk-count')).toHaveTextContent('1 record selected');
    expect(screen.getByLabelText('Select record r3')).toBeChecked();
  });
});
