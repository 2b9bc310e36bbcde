import { useRef, useState } from 'react';
import { ImageUpIcon, Loader2Icon, Trash2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { accountLanguage, useMe, useProfileAction, type AccountLanguage } from '@/api/admin';
import { ApiError } from '@/api/errors';
import { useAuth } from '@/auth';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle, SectionCard } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { browserLanguage, currentLanguage, LANGUAGES, type Language } from '@/i18n';
import { problemText, userFormProblems } from '@/lib/admin/user-form';
import { initials } from '@/lib/admin/users';
import { errorMessage } from '@/lib/error-message';
import { FormRow } from '@/components/ui/field';
import { toast } from '@/components/ui/toast';
import { SecretInput } from '@/components/ui/secret-input';

export default function ProfilePage() {
  const { t } = useTranslation();
  const { session } = useAuth();
  useMe(); // refreshes the session's copy of the account
  if (!session) return null;
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t('admin.profile.title')}</h1>
        <p className="text-sm text-muted-foreground">{t('admin.profile.subtitle')}</p>
      </div>
      <AvatarCard />
      <AccountCard />
      <PasswordCard />
      <LanguageCard />
    </div>
  );
}

function AvatarCard() {
  const { t } = useTranslation();
  const { session } = useAuth();
  const action = useProfileAction();
  const input = useRef<HTMLInputElement>(null);
  const user = session!.user;
  return (
    <SectionCard title={t('admin.profile.avatar')} description={t('admin.profile.avatarText')} contentClassName="flex flex-wrap items-center gap-4">
      {user.avatar_url ? (
        <img src={user.avatar_url} alt={t('admin.profile.avatar')} className="size-16 rounded-full border object-cover" data-testid="avatar" />
      ) : (
        <span className="flex size-16 items-center justify-center rounded-full bg-primary/15 text-lg font-semibold text-primary" aria-hidden="true">
          {initials(user.name, user.email)}
        </span>
      )}
      <div className="flex flex-wrap gap-2">
        <Button variant="outline" onClick={() => input.current?.click()} disabled={action.isPending} data-testid="avatar-upload">
          {action.isPending ? <Loader2Icon className="animate-spin" aria-hidden="true" /> : <ImageUpIcon aria-hidden="true" />}
          {t('admin.profile.uploadAvatar')}
        </Button>
        {user.avatar_url && (
          <Button variant="ghost" onClick={() => action.mutate({ kind: 'removeAvatar' })} disabled={action.isPending}>
            <Trash2Icon aria-hidden="true" />
            {t('admin.profile.removeAvatar')}
          </Button>
        )}
        <input
          ref={input}
          type="file"
          accept="image/*"
          className="hidden"
          aria-label={t('admin.profile.uploadAvatar')}
          data-testid="avatar-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) action.mutate({ kind: 'avatar', file: f });
            e.target.value = '';
          }}
        />
      </div>
      {action.error ? (
        <Alert variant="destructive" className="basis-full">
          {errorMessage(t, action.error)}
        </Alert>
      ) : null}
    </SectionCard>
  );
}

function AccountCard() {
  const { t } = useTranslation();
  const { session } = useAuth();
  const user = session!.user;
  const action = useProfileAction();
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email);
  const [submitted, setSubmitted] = useState(false);
  const problems = userFormProblems({ name, email, password: '' }, false);
  const server = action.error instanceof ApiError ? action.error.fields : {};
  const err = (f: 'name' | 'email') => (submitted && problems[f] ? problemText(t, problems[f]) : undefined) ?? server[f];
  const dirty = name !== user.name || email !== user.email;
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('admin.profile.account')}</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setSubmitted(true);
            if (Object.keys(problems).length > 0) return;
            action.mutate({ kind: 'update', name: name.trim(), email: email.trim() }, { onSuccess: () => toast.success(t('admin.common.saved')) });
          }}
        >
          {action.error && Object.keys(server).length === 0 ? <Alert variant="destructive">{errorMessage(t, action.error)}</Alert> : null}
          <div className="grid gap-4 sm:grid-cols-2">
            <FormRow label={t('admin.users.name')} htmlFor="profile-name" error={err('name')}>
              <Input id="profile-name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!err('name')} autoComplete="name" />
            </FormRow>
            <FormRow label={t('login.email')} htmlFor="profile-email" error={err('email')}>
              <Input
                id="profile-email"
                type="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                aria-invalid={!!err('email')}
                aria-describedby={err('email') ? 'profile-email-error' : undefined}
                autoComplete="email"
              />
            </FormRow>
          </div>
          <div className="flex items-center justify-end gap-3">
            <Button type="submit" disabled={!dirty || action.isPending} data-testid="profile-save">
              {action.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
              {t('admin.common.save')}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function PasswordCard() {
  const { t } = useTranslation();
  const action = useProfileAction();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const nextProblem = !next ? 'required' : next.length < 8 || next.length > 256 ? 'passwordLength' : null;
  const currentError = submitted && !current ? t('validation.required') : undefined;
  const nextError = submitted && nextProblem ? problemText(t, nextProblem) : undefined;
  const repeatError = submitted && repeat !== next ? t('admin.profile.mismatch') : undefined;
  return (
    <SectionCard title={t('admin.profile.password')} description={t('admin.profile.passwordText')}>
      <form
        className="grid gap-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted(true);
          if (!current || nextProblem || repeat !== next) return;
          action.mutate(
            { kind: 'password', current, next },
            {
              onSuccess: () => {
                toast.success(t('admin.profile.passwordChanged'));
                setCurrent('');
                setNext('');
                setRepeat('');
                setSubmitted(false);
              },
            },
          );
        }}
      >
        {action.error ? <Alert variant="destructive">{errorMessage(t, action.error)}</Alert> : null}
        <FormRow label={t('admin.profile.currentPassword')} htmlFor="password-current" error={currentError}>
          <SecretInput id="password-current" value={current} onChange={(e) => setCurrent(e.target.value)} aria-invalid={!!currentError} autoComplete="current-password" />
        </FormRow>
        <div className="grid gap-4 sm:grid-cols-2">
          <FormRow label={t('admin.profile.newPassword')} htmlFor="password-new" error={nextError}>
            <SecretInput id="password-new" value={next} onChange={(e) => setNext(e.target.value)} aria-invalid={!!nextError} autoComplete="new-password" />
          </FormRow>
          <FormRow label={t('admin.profile.repeatPassword')} htmlFor="password-repeat" error={repeatError}>
            <SecretInput id="password-repeat" value={repeat} onChange={(e) => setRepeat(e.target.value)} aria-invalid={!!repeatError} autoComplete="new-password" />
          </FormRow>
        </div>
        <div className="flex items-center justify-end gap-3">
          <Button type="submit" disabled={action.isPending} data-testid="password-save">
            {action.isPending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
            {t('admin.profile.changePassword')}
          </Button>
        </div>
      </form>
    </SectionCard>
  );
}

// The language: saved in the account (it then wins over the browser's at
// sign-in, on any device) when the server keeps one; else this browser's choice
// (localStorage m3m.language), the same as the header's switch.
function LanguageCard() {
  const { t, i18n } = useTranslation();
  const { session } = useAuth();
  const action = useProfileAction();
  const user = session!.user;
  const saved = accountLanguage(user);
  const perAccount = saved !== undefined;
  // The choice shows at once (the account follows when the server answers).
  const [chosen, setChosen] = useState<Language | 'browser' | null>(null);
  const value: AccountLanguage | 'browser' = chosen ?? (perAccount ? (saved ?? 'browser') : currentLanguage());
  const options: (Language | 'browser')[] = perAccount ? ['browser', ...LANGUAGES] : [...LANGUAGES];
  function choose(o: Language | 'browser') {
    const language = o === 'browser' ? null : o;
    void i18n.changeLanguage(language ?? browserLanguage());
    if (!perAccount) return;
    setChosen(o);
    action.mutate(
      { kind: 'language', name: user.name, email: user.email, language },
      {
        onSuccess: () => toast.success(t('admin.profile.languageSaved')),
        onError: (e) => toast.error(errorMessage(t, e)),
        onSettled: () => setChosen(null),
      },
    );
  }
  return (
    <SectionCard title={t('admin.profile.language')} description={perAccount ? t('admin.profile.languageAccountText') : t('admin.profile.languageText')}>
      <fieldset className="flex flex-wrap gap-3" disabled={action.isPending}>
        <legend className="sr-only">{t('admin.profile.language')}</legend>
        {options.map((l) => (
          <label
            key={l}
            className="flex cursor-pointer items-center gap-2 rounded-md border px-4 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/5 has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/50"
            lang={l === 'browser' ? undefined : l}
          >
            <input
              type="radio"
              name="profile-language"
              value={l}
              checked={value === l}
              onChange={() => choose(l)}
              className="accent-primary"
              data-testid={`profile-language-${l}`}
            />
            {l === 'browser' ? t('admin.profile.followBrowser', { language: t(`languages.${browserLanguage()}`) }) : t(`languages.${l}`)}
          </label>
        ))}
      </fieldset>
    </SectionCard>
  );
}
