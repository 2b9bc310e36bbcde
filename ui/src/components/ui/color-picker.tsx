import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { PROJECT_COLOR_NAMES, PROJECT_COLORS, type ProjectColor } from '@/lib/colors';
import { cn } from '@/lib/utils';

// One of the 16 system colours (or none), as radio buttons: projects and goals.
export function ColorPicker({
  value,
  onChange,
  legend,
  small,
}: {
  value: ProjectColor | null;
  onChange: (c: ProjectColor | null) => void;
  legend: string;
  small?: boolean;
}) {
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
                  small ? 'size-6' : 'size-7',
                  'block rounded-full border-2 border-transparent ring-offset-2 ring-offset-background transition peer-checked:ring-2 peer-checked:ring-foreground peer-focus-visible:ring-2 peer-focus-visible:ring-ring',
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
