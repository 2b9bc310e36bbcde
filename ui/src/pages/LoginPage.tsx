import { useState, type FormEvent } from 'react';
import { AlertCircleIcon, Loader2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { ApiError } from '@/api/errors';
import { useAuth } from '@/auth';
import { LanguageSwitch, ThemeSwitch } from '@/components/HeaderControls';
import { Logo } from '@/components/Logo';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { appConfig } from '@/config';
import { errorMessage } from '@/lib/error-message';

// Kept light on purpose (no form or schema library): it is the first page most
// people load, and its bundle is measured (< 300 KB gzip).
export function LoginPage() {
  const { t } = useTranslation();
  const { session, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/projects';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  if (session) return <Navigate to={from} replace />;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setPending(true);
    try {
      await login(email.trim(), password);
      navigate(from, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') setError(t('login.invalid'));
      else if (err instanceof ApiError && err.code === 'PERMISSION_DENIED') setError(t('login.blocked'));
      else if (err instanceof ApiError && err.code === 'LIMIT_EXCEEDED') setError(t('login.tooMany'));
      else setError(errorMessage(t, err));
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="flex min-h-svh flex-col bg-muted/40">
      <header className="flex justify-end gap-1 p-3">
        <LanguageSwitch />
        <ThemeSwitch />
      </header>
      <main className="flex flex-1 items-center justify-center px-4 pb-16">
        <div className="w-full max-w-sm">
          <div className="mb-6 flex flex-col items-center gap-2 text-center">
            <Logo className="size-10" />
            <p className="text-sm text-muted-foreground">{t('app.tagline')}</p>
          </div>
          <Card>
            <CardHeader>
              <h1 className="text-xl leading-none font-semibold tracking-tight">{t('login.title')}</h1>
              <CardDescription>{t('login.subtitle')}</CardDescription>
            </CardHeader>
            <CardContent>
              <form className="grid gap-4" onSubmit={onSubmit} noValidate>
                {error && (
                  <Alert variant="destructive" data-testid="login-error">
                    <AlertCircleIcon aria-hidden="true" />
                    <span>{error}</span>
                  </Alert>
                )}
                <div className="grid gap-2">
                  <Label htmlFor="email">{t('login.email')}</Label>
                  <Input
                    id="email"
                    type="email"
                    autoComplete="username"
                    autoFocus
                    required
                    value={email}
                    onChange={(e) => setEmail(e.target.value)}
                  />
                </div>
                <div className="grid gap-2">
                  <Label htmlFor="password">{t('login.password')}</Label>
                  <Input
                    id="password"
                    type="password"
                    autoComplete="current-password"
                    required
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                  />
                </div>
                <Button type="submit" className="w-full" disabled={pending || !email || !password}>
                  {pending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
                  {pending ? t('login.submitting') : t('login.submit')}
                </Button>
              </form>
            </CardContent>
          </Card>
          <p className="mt-4 text-center text-xs text-muted-foreground">
            {t('login.hint')}{' '}
            <code className="rounded bg-muted px-1 py-0.5 font-mono whitespace-nowrap">m3m new-admin EMAIL PASSWORD</code>
          </p>
          <p className="mt-1 text-center text-xs text-muted-foreground">{t('app.version', { version: appConfig.version })}</p>
        </div>
      </main>
    </div>
  );
}
