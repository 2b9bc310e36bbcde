import { useEffect, useId, useState, type ComponentProps, type ReactNode } from 'react';
import { CheckIcon, CopyIcon, EyeIcon, EyeOffIcon, Loader2Icon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { fetchStorageBlob } from '@/api/admin';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { PROJECT_COLOR_NAMES, PROJECT_COLORS, type ProjectColor } from '@/lib/colors';
import { confirmed } from '@/lib/admin/users';
import { errorMessage } from '@/lib/error-message';
import { cn } from '@/lib/utils';

// Small pieces shared by the admin pages (environment, files, settings, users, profile).

const fieldClass =
  'w-full min-w-0 rounded-md border border-input bg-transparent px-3 py-2 text-sm shadow-xs outline-none transition-[color,box-shadow] placeholder:text-muted-foreground focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 aria-invalid:border-destructive disabled:cursor-not-allowed disabled:opacity-50';

export function Textarea({ className, ...props }: ComponentProps<'textarea'>) {
  return <textarea className={cn(fieldClass, 'min-h-24', className)} {...props} />;
}

export function Select({ className, ...props }: ComponentProps<'select'>) {
  return <select className={cn(fieldClass, 'h-9 py-1 dark:[color-scheme:dark]', className)} {...props} />;
}

export function Checkbox({ label, description, id, ...props }: ComponentProps<'input'> & { label: ReactNode; description?: ReactNode }) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className="flex items-start gap-2">
      <input type="checkbox" id={inputId} className="mt-0.5 size-4 accent-primary" {...props} />
      <div className="grid gap-0.5">
        <Label htmlFor={inputId} className="font-normal">
          {label}
        </Label>
        {description && <p className="text-xs text-muted-foreground">{description}</p>}
      </div>
    </div>
  );
}

export function FieldError({ id, children }: { id: string; children?: ReactNode }) {
  if (!children) return null;
  return (
    <p id={id} className="text-sm text-destructive" data-testid={`${id}`}>
      {children}
    </p>
  );
}

// An input whose text is hidden until "Show" is pressed (secrets, keys).
export function SecretInput({ className, ...props }: ComponentProps<'input'>) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  return (
    <div className="relative">
      <Input {...props} type={shown ? 'text' : 'password'} className={cn('pr-10', className)} />
      <Button
        variant="ghost"
        size="icon"
        className="absolute top-0 right-0"
        aria-label={shown ? t('admin.common.hide') : t('admin.common.reveal')}
        aria-pressed={shown}
        onClick={() => setShown((s) => !s)}
        data-testid="reveal"
      >
        {shown ? <EyeOffIcon aria-hidden="true" /> : <EyeIcon aria-hidden="true" />}
      </Button>
    </div>
  );
}

export function CopyButton({ text, label, ...props }: { text: string; label?: string } & ComponentProps<typeof Button>) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const h = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(h);
  }, [copied]);
  return (
    <Button
      variant="outline"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
      {...props}
    >
      {copied ? <CheckIcon aria-hidden="true" /> : <CopyIcon aria-hidden="true" />}
      <span aria-live="polite">{copied ? t('admin.common.copied') : (label ?? t('admin.common.copy'))}</span>
    </Button>
  );
}

// A confirmation for destructive actions; with `typed`, the button waits until
// that exact text is typed.
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  onConfirm,
  pending,
  error,
  typed,
  destructive = true,
  testId = 'confirm',
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  error?: unknown;
  typed?: string;
  destructive?: boolean;
  testId?: string;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  useEffect(() => {
    if (!open) setText('');
  }, [open]);
  const ok = !typed || confirmed(text, typed);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} data-testid={testId}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (ok && !pending) onConfirm();
          }}
        >
          {typed && (
            <div className="grid gap-2">
              <Label htmlFor={`${testId}-typed`}>{t('admin.common.typeToConfirm', { text: typed })}</Label>
              <Input
                id={`${testId}-typed`}
                value={text}
                onChange={(e) => setText(e.target.value)}
                autoComplete="off"
                className="font-mono"
                autoFocus
              />
            </div>
          )}
          {error ? <Alert variant="destructive">{errorMessage(t, error)}</Alert> : null}
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" variant={destructive ? 'destructive' : 'default'} disabled={!ok || pending} data-testid={`${testId}-ok`}>
              {pending && <Loader2Icon className="animate-spin" aria-hidden="true" />}
              {confirmLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function ColorPicker({ value, onChange, legend }: { value: ProjectColor | null; onChange: (c: ProjectColor | null) => void; legend: string }) {
  const { t } = useTranslation();
  const name = useId();
  return (
    <fieldset className="grid gap-2">
      <legend className="mb-2 text-sm font-medium">{legend}</legend>
      <div className="flex flex-wrap gap-2">
        {[null, ...PROJECT_COLOR_NAMES].map((c) => {
          const label = c ? t(`colors.${c}`) : t('createProject.noColor');
          return (
            <label key={c ?? 'none'} title={label} className="cursor-pointer">
              <input type="radio" name={name} className="peer sr-only" checked={value === c} onChange={() => onChange(c)} aria-label={label} />
              <span
                className={cn(
                  'block size-7 rounded-full border-2 border-transparent ring-offset-2 ring-offset-background transition peer-checked:ring-2 peer-checked:ring-foreground peer-focus-visible:ring-2 peer-focus-visible:ring-ring',
                  c ? PROJECT_COLORS[c] : 'border-dashed border-muted-foreground/60',
                )}
              />
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

// The heading of a project's sub-page (the project's layout above it has the
// way back, the project's name as the h1 and the tabs): the title and actions.
export function ProjectPageHeader({ title, actions }: { projectId?: string; title: string; actions?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <h2 className="text-xl font-semibold tracking-tight">{title}</h2>
      {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}

// An image of the project's storage fetched with the session's token.
export function StorageImage({
  projectId,
  path,
  version,
  kind = 'thumbnail',
  className,
  alt,
  fallback,
}: {
  projectId: string;
  path: string;
  version: string;
  kind?: 'thumbnail' | 'download';
  className?: string;
  alt: string;
  fallback: ReactNode;
}) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const ctrl = new AbortController();
    let objectUrl: string | null = null;
    setFailed(false);
    fetchStorageBlob(projectId, kind, path, ctrl.signal).then(
      (blob) => {
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      () => {
        if (!ctrl.signal.aborted) setFailed(true);
      },
    );
    return () => {
      ctrl.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      setUrl(null);
    };
  }, [projectId, path, version, kind]);
  if (failed || !url) return <>{fallback}</>;
  return <img src={url} alt={alt} className={className} data-testid={kind === 'thumbnail' ? 'thumbnail' : 'preview'} />;
}
