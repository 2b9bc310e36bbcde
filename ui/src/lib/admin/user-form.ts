import type { TFunction } from 'i18next';
import type { Permission } from './users';

export interface UserFormValues {
  email: string;
  name: string;
  password: string;
  permissions: Record<Permission, boolean>;
  project_ids: string[];
}

export type UserFormProblem = 'required' | 'email' | 'passwordLength' | 'tooLong';

// Mirrors UserCreate/UserUpdate: an email, a name of at most 100 characters, a
// password of 8–256 characters (required when creating, optional when editing).
// Values are keys of validation.*.
export function userFormProblems(v: Pick<UserFormValues, 'email' | 'name' | 'password'>, creating: boolean) {
  const out: Partial<Record<'email' | 'name' | 'password', UserFormProblem>> = {};
  const email = v.email.trim();
  if (!email) out.email = 'required';
  else if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) out.email = 'email';
  if (v.name.trim().length > 100) out.name = 'tooLong';
  if (creating && !v.password) out.password = 'required';
  else if (v.password && (v.password.length < 8 || v.password.length > 256)) out.password = 'passwordLength';
  return out;
}

export function problemText(t: TFunction, p: UserFormProblem): string {
  return p === 'passwordLength' ? t('admin.validation.passwordLength') : t(`validation.${p}`);
}
