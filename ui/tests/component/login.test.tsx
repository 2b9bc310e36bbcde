// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { LoginPage } from '@/pages/LoginPage';
import { apiError, fakeApi, json, renderPage } from './render';

const user = { id: 'u1', email: 'admin@example.com', name: 'Admin', is_root: true, permissions: { create_projects: true, manage_users: true } };

describe('login form', () => {
  it('keeps Sign in disabled until both fields are filled', async () => {
    fakeApi({});
    const { user: u } = renderPage(<LoginPage />);
    const submit = screen.getByRole('button', { name: 'Sign in' });
    expect(submit).toBeDisabled();
    await u.type(screen.getByLabelText('Email'), 'admin@example.com');
    expect(submit).toBeDisabled();
    await u.type(screen.getByLabelText('Password'), 'secret');
    expect(submit).toBeEnabled();
  });

  it("shows the server's refusal and stays on the page", async () => {
    const api = fakeApi({ 'POST /api/auth/login': () => apiError(401, 'UNAUTHENTICATED', 'bad credentials') });
    const { user: u } = renderPage(<LoginPage />);
    await u.type(screen.getByLabelText('Email'), '  admin@example.com ');
    await u.type(screen.getByLabelText('Password'), 'wrong');
    await u.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByTestId('login-error')).toHaveTextContent('Wrong email or password');
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]!.body).toEqual({ email: 'admin@example.com', password: 'wrong' });
    expect(localStorage.getItem('m3m.session')).toBeNull();
  });

  it('a blocked account and too many attempts read differently', async () => {
    let answer = apiError(403, 'PERMISSION_DENIED', 'blocked');
    fakeApi({ 'POST /api/auth/login': () => answer });
    const { user: u } = renderPage(<LoginPage />);
    await u.type(screen.getByLabelText('Email'), 'a@b.c');
    await u.type(screen.getByLabelText('Password'), 'x');
    await u.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByTestId('login-error')).toHaveTextContent(/blocked/i);
    answer = apiError(429, 'LIMIT_EXCEEDED', 'slow down');
    await u.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('login-error')).toHaveTextContent(/too many/i));
  });

  it('signs in: the session is kept and the account language wins', async () => {
    fakeApi({
      'POST /api/auth/login': () =>
        json(200, { access_token: 'a1', refresh_token: 'r1', token_type: 'Bearer', expires_in: 60, user: { ...user, language: 'ru' } }),
    });
    const { user: u } = renderPage(<LoginPage />, { route: '/login', path: '/login' });
    await u.type(screen.getByLabelText('Email'), 'admin@example.com');
    await u.type(screen.getByLabelText('Password'), 'right');
    await u.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('elsewhere')).toBeInTheDocument();
    expect(JSON.parse(localStorage.getItem('m3m.session')!).accessToken).toBe('a1');
    await waitFor(() => expect(document.documentElement.lang).toBe('ru'));
  });
});
