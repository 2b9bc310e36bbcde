import { LanguagesIcon, MonitorIcon, MoonIcon, SunIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { currentLanguage, LANGUAGES } from '@/i18n';
import { useTheme, type Theme } from '@/theme';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="sm" data-testid="language-switch">
          <LanguagesIcon aria-hidden="true" />
          {/* The accessible name contains the visible code (axe: label-content-name-mismatch). */}
          <span className="sr-only">{t('header.language')}</span>
          <span className="uppercase">{currentLanguage()}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>{t('header.language')}</DropdownMenuLabel>
        <DropdownMenuRadioGroup value={currentLanguage()} onValueChange={(l) => void i18n.changeLanguage(l)}>
          {LANGUAGES.map((l) => (
            <DropdownMenuRadioItem key={l} value={l} lang={l} data-testid={`language-${l}`}>
              {t(`languages.${l}`)}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

const THEME_ICONS = { light: SunIcon, dark: MoonIcon, system: MonitorIcon } as const;
const THEME_LABELS = { light: 'header.themeLight', dark: 'header.themeDark', system: 'header.themeSystem' } as const;

export function ThemeSwitch() {
  const { t } = useTranslation();
  const { theme, resolved, setTheme } = useTheme();
  const Icon = resolved === 'dark' ? MoonIcon : SunIcon;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label={t('header.theme')} data-testid="theme-switch">
          <Icon aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>{t('header.theme')}</DropdownMenuLabel>
        <DropdownMenuRadioGroup value={theme} onValueChange={(v) => setTheme(v as Theme)}>
          {(['light', 'dark', 'system'] as const).map((v) => {
            const I = THEME_ICONS[v];
            return (
              <DropdownMenuRadioItem key={v} value={v} data-testid={`theme-${v}`}>
                <I aria-hidden="true" />
                {t(THEME_LABELS[v])}
              </DropdownMenuRadioItem>
            );
          })}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
