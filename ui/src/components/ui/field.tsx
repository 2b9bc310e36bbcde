import { useId, type ComponentProps, type ReactNode } from 'react';
import { Label } from '@/components/ui/label';
import { cn } from '@/lib/utils';

// Native form controls styled like Input (native select/checkbox/textarea keep
// keyboard and screen-reader behaviour for free), shared by every page.

export const fieldClass =
  'w-full min-w-0 rounded-md border border-input bg-transparent px-3 py-2 text-sm shadow-xs outline-none transition-[color,box-shadow] placeholder:text-muted-foreground focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 aria-invalid:border-destructive disabled:cursor-not-allowed disabled:opacity-50';

export function Textarea({ className, ...props }: ComponentProps<'textarea'>) {
  return <textarea className={cn(fieldClass, 'min-h-20', className)} {...props} />;
}

export function Select({ className, ...props }: ComponentProps<'select'>) {
  return <select className={cn(fieldClass, 'h-9 bg-background py-1 dark:[color-scheme:dark]', className)} {...props} />;
}

// A checkbox with its label (and an optional line of help under it).
export function Checkbox({
  label,
  description,
  id,
  className,
  ...props
}: Omit<ComponentProps<'input'>, 'type'> & { label: ReactNode; description?: ReactNode }) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className={cn('flex items-start gap-2', className)}>
      <input type="checkbox" id={inputId} className="mt-0.5 size-4 shrink-0 accent-primary" {...props} />
      <div className="grid gap-0.5">
        <Label htmlFor={inputId} className="cursor-pointer font-normal leading-5">
          {label}
        </Label>
        {description && <p className="text-xs text-muted-foreground">{description}</p>}
      </div>
    </div>
  );
}

export function Switch({ checked, onChange, label, id }: { checked: boolean; onChange: (v: boolean) => void; label: string; id?: string }) {
  return (
    <button
      type="button"
      role="switch"
      id={id}
      aria-checked={checked}
      aria-label={label}
      onClick={() => onChange(!checked)}
      className={cn(
        'relative inline-flex h-5 w-9 shrink-0 cursor-pointer items-center rounded-full transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50',
        checked ? 'bg-primary' : 'bg-input',
      )}
    >
      <span className={cn('block size-4 rounded-full bg-background shadow transition-transform', checked ? 'translate-x-4.5' : 'translate-x-0.5')} />
    </button>
  );
}

// A field's problem, under it (point the input's aria-describedby at the id).
export function FieldError({ id, children }: { id?: string; children?: ReactNode }) {
  if (!children) return null;
  return (
    <p id={id} className="text-sm text-destructive" data-testid={id}>
      {children}
    </p>
  );
}

// A label above a control with its error under it: the form row of every form.
export function FormRow({
  label,
  htmlFor,
  error,
  errorId,
  hint,
  hintId,
  className,
  children,
}: {
  label: ReactNode;
  htmlFor: string;
  error?: ReactNode;
  errorId?: string;
  hint?: ReactNode;
  hintId?: string; // for the control's aria-describedby
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={cn('grid gap-2', className)}>
      <Label htmlFor={htmlFor}>{label}</Label>
      {children}
      {hint && (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
      <FieldError id={errorId ?? `${htmlFor}-error`}>{error}</FieldError>
    </div>
  );
}
