// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import EnvPage from '@/pages/admin/EnvPage';
import { fakeApi, json, renderPage } from './render';

const list = (items: unknown[]) => json(200, { items, page: 1, per_page: 500, total_items: items.length, total_pages: 1 });
const stored = { key: 'API_TOKEN', type: 'string', secret: true, value: null, updated_at: '2026-01-01T00:00:00Z' };

function open() {
  return renderPage(<EnvPage />, { route: '/projects/p1/env', path: '/projects/:id/env' });
}

describe('environment editor', () => {
  it('checks JSON as it is typed and sends nothing until it parses', async () => {
    const api = fakeApi({
      'GET /api/projects/p1/env': () => list([]),
      'POST /api/projects/p1/env': (c) => json(201, { ...(c.body as object), updated_at: '2026-01-01T00:00:00Z' }),
    });
    const { user } = open();
    await user.click(await screen.findByRole('button', { name: 'Add value' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Key'), 'LIMITS');
    await user.selectOptions(within(dialog).getByLabelText('Type'), 'json');
    const value = within(dialog).getByLabelText('Value');
    await user.click(value);
    await user.paste('{"max": 3,');
    expect(await within(dialog).findByTestId('env-value-error')).toHaveTextContent('Invalid JSON');
    expect(value).toHaveAttribute('aria-invalid', 'true');
    await user.click(within(dialog).getByTestId('env-save'));
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    await user.clear(value);
    await user.paste('{"max": 3}');
    expect(within(dialog).queryByTestId('env-value-error')).toBeNull();
    expect(within(dialog).getByTestId('env-json-ok')).toHaveTextContent('Valid JSON');
    await user.click(within(dialog).getByTestId('env-save'));
    await waitFor(() => expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(api.calls.find((c) => c.method === 'POST')!.body).toEqual({ key: 'LIMITS', type: 'json', secret: false, value: { max: 3 } });
    expect(await screen.findByText('LIMITS saved')).toBeInTheDocument();
  });

  it('masks a secret while typing and reveals it on demand', async () => {
    fakeApi({ 'GET /api/projects/p1/env': () => list([]) });
    const { user } = open();
    await user.click(await screen.findByRole('button', { name: 'Add value' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByLabelText('Secret'));
    const value = within(dialog).getByLabelText('Value');
    expect(value).toHaveAttribute('type', 'password');
    await user.type(value, 's3cr3t');
    const reveal = within(dialog).getByRole('button', { name: 'Show' });
    await user.click(reveal);
    expect(value).toHaveAttribute('type', 'text');
    expect(value).toHaveValue('s3cr3t');
    expect(within(dialog).getByRole('button', { name: 'Hide' })).toHaveAttribute('aria-pressed', 'true');
    await user.click(within(dialog).getByRole('button', { name: 'Hide' }));
    expect(value).toHaveAttribute('type', 'password');
  });

  it('never shows a stored secret: the list masks it, its editor starts empty and keeps it', async () => {
    const api = fakeApi({
      'GET /api/projects/p1/env': () => list([stored]),
      'PUT /api/projects/p1/env/API_TOKEN': () => json(200, stored),
    });
    const { user } = open();
    const row = await screen.findByTestId('env-row');
    expect(within(row).getByTestId('env-value')).not.toHaveTextContent(/s3cr3t/);
    await user.click(within(row).getByRole('button', { name: 'Edit API_TOKEN' }));
    const dialog = await screen.findByRole('dialog');
    const value = within(dialog).getByLabelText('Value');
    expect(value).toHaveValue('');
    expect(value).toHaveAttribute('placeholder', 'Unchanged');
    await user.click(within(dialog).getByTestId('env-save'));
    await waitFor(() => expect(api.calls.some((c) => c.method === 'PUT')).toBe(true));
    // No value sent: the stored secret stays.
    expect(api.calls.find((c) => c.method === 'PUT')!.body).toEqual({ type: 'string', secret: true });
  });
});
