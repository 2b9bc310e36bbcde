import type { User } from '@/api/session';

export type Permission = 'create_projects' | 'manage_users';
export const PERMISSIONS: Permission[] = ['create_projects', 'manage_users'];

export function can(user: Pick<User, 'is_root' | 'permissions'> | null | undefined, p: Permission): boolean {
  if (!user) return false;
  return user.is_root || !!user.permissions?.[p];
}

export function initials(name: string, email: string): string {
  const src = name.trim() || email;
  const parts = src.split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '?';
}

// The typed confirmation of a destructive action: exact, ignoring surrounding spaces.
export function confirmed(typed: string, expected: string): boolean {
  return expected.length > 0 && typed.trim() === expected;
}
