// @vitest-environment jsdom
import { useState } from 'react';
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Release } from '@/api/code';
import { ApiError } from '@/api/errors';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { CopyButton } from '@/components/ui/copy-button';
import { toast } from '@/components/ui/toast';
import { PublishDialog } from '@/pages/code/PublishDialog';
import { renderPage } from './render';

const releases = [{ major: 1, minor: 2 }, { major: 0, minor: 9 }] as Release[];

function Publish({ onPublish, dirty = false }: { onPublish: (v: unknown) => Promise<void>; dirty?: boolean }) {
  const [open, setOpen] = useState(true);
  return open ? <PublishDialog open onOpenChange={setOpen} branch="main" dirty={dirty} releases={releases} onPublish={onPublish} /> : <p>closed</p>;
}

describe('publish dialog', () => {
  it('offers the next versions and publishes the chosen bump, tag and comment', async () => {
    const onPublish = vi.fn(async () => {});
    const { user } = renderPage(<Publish onPublish={onPublish} dirty />);
    const dialog = await screen.findByTestId('publish-dialog');
    expect(within(dialog).getByLabelText('Minor (1.3)')).toBeChecked();
    expect(within(dialog).getByText('Unsaved changes are saved first.')).toBeInTheDocument();
    await user.click(within(dialog).getByLabelText('Major (2.0)'));
    await user.selectOptions(within(dialog).getByLabelText('Tag'), 'hot-fix');
    await user.type(within(dialog).getByLabelText('Comment'), 'fixes the totals');
    await user.click(within(dialog).getByTestId('publish-submit'));
    expect(onPublish).toHaveBeenCalledWith({ bump: 'major', tag: 'hot-fix', comment: 'fixes the totals' });
    expect(await screen.findByText('closed')).toBeInTheDocument();
  });

  it('refuses a comment over 2000 bytes and shows a failed publish without closing', async () => {
    const onPublish = vi.fn(async () => {
      throw new ApiError(409, 'CONFLICT', 'the draft changed');
    });
    const { user } = renderPage(<Publish onPublish={onPublish} />);
    const dialog = await screen.findByTestId('publish-dialog');
    const comment = within(dialog).getByLabelText('Comment');
    await user.click(comment);
    await user.paste('я'.repeat(1001)); // 2002 bytes
    expect(within(dialog).getByText('At most 2000 bytes')).toBeInTheDocument();
    expect(within(dialog).getByTestId('publish-submit')).toBeDisabled();
    await user.clear(comment);
    await user.click(within(dialog).getByTestId('publish-submit'));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('This conflicts with existing data.');
    expect(screen.getByTestId('publish-dialog')).toBeInTheDocument();
  });
});

function Confirm({ onConfirm }: { onConfirm: () => unknown }) {
  const [open, setOpen] = useState(true);
  return (
    <>
      <p>{open ? 'open' : 'closed'}</p>
      <ConfirmDialog open={open} onOpenChange={setOpen} title="Delete the project?" description="Gone for good." confirmLabel="Delete project" typed="shop" onConfirm={onConfirm} />
    </>
  );
}

describe('typed-confirmation delete', () => {
  it('waits for the exact text, then confirms (Enter works too) and closes', async () => {
    const onConfirm = vi.fn(async () => {});
    const { user } = renderPage(<Confirm onConfirm={onConfirm} />);
    const dialog = await screen.findByRole('alertdialog');
    const ok = within(dialog).getByRole('button', { name: 'Delete project' });
    const input = within(dialog).getByLabelText('Type shop to confirm');
    expect(ok).toBeDisabled();
    await user.type(input, 'Shop');
    expect(ok).toBeDisabled();
    await user.type(input, '{Enter}');
    expect(onConfirm).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, ' shop {Enter}');
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(await screen.findByText('closed')).toBeInTheDocument();
  });

  it('shows why the delete failed and stays open', async () => {
    const { user } = renderPage(<Confirm onConfirm={() => Promise.reject(new ApiError(403, 'PERMISSION_DENIED', 'not the owner'))} />);
    const dialog = await screen.findByRole('alertdialog');
    await user.type(within(dialog).getByLabelText('Type shop to confirm'), 'shop');
    await user.click(within(dialog).getByRole('button', { name: 'Delete project' }));
    expect(await within(dialog).findByText(/not the owner|permission/i)).toBeInTheDocument();
    expect(screen.getByText('open')).toBeInTheDocument();
  });
});

describe('toast', () => {
  it('shows action feedback and lets it be dismissed', async () => {
    const { user } = renderPage(<button onClick={() => toast.success('Saved the thing')}>act</button>);
    await user.click(screen.getByRole('button', { name: 'act' }));
    const shown = await screen.findByText('Saved the thing');
    const item = shown.closest('[data-sonner-toast]') as HTMLElement;
    expect(item).toHaveAttribute('data-type', 'success');
    expect(screen.getByRole('region', { name: /Notifications/ })).toBeInTheDocument();
    await user.click(within(item).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByText('Saved the thing')).toBeNull());
  });

  it('errors are toasts of their own kind', async () => {
    renderPage(<p>page</p>);
    act(() => void toast.error('Could not save'));
    const shown = await screen.findByText('Could not save');
    expect(shown.closest('[data-sonner-toast]')).toHaveAttribute('data-type', 'error');
  });

  it('the copy button says it copied, or that it could not', async () => {
    const { user } = renderPage(<CopyButton text="https://x/y" />);
    // After userEvent.setup(), which puts its own clipboard in place.
    const writeText = vi.fn(async (_text: string) => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('https://x/y');
    expect(await screen.findByText('Copied to the clipboard')).toBeInTheDocument();
    writeText.mockRejectedValueOnce(new Error('denied'));
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await screen.findByText(/Could not copy/)).toBeInTheDocument();
  });
});
