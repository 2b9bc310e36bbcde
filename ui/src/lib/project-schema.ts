import { z } from 'zod';
import { PROJECT_COLOR_NAMES } from './colors';

// Mirrors ProjectCreate in the OpenAPI document (the server validates again;
// its field errors are shown on the same inputs). Messages are i18n keys.
export const SLUG_PATTERN = /^[a-z0-9-]{2,48}$/;

export const projectCreateSchema = z.object({
  name: z.string().trim().min(1, 'validation.required').max(100, 'validation.tooLong'),
  slug: z
    .string()
    .trim()
    .min(2, 'validation.slugLength')
    .max(48, 'validation.slugLength')
    .regex(SLUG_PATTERN, 'validation.slugChars'),
  color: z.enum(PROJECT_COLOR_NAMES as [string, ...string[]]).nullable(),
});

export type ProjectCreateForm = z.infer<typeof projectCreateSchema>;

// A slug suggested from a name: lower case, a-z 0-9 and '-', at most 48 characters.
export function slugFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}
