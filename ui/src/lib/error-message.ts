import type { TFunction } from 'i18next';
import { ApiError } from '@/api/errors';

// A readable, translated sentence for any error; the server's own message is
// kept for INVALID_ARGUMENT (it names what is wrong) and for unknown codes.
export function errorMessage(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'NETWORK') return t('errors.network');
    if (err.code === 'INVALID_ARGUMENT') return err.message;
    const key = `errors.${err.code}` as const;
    const known = t(key as 'errors.unknown', { defaultValue: '' });
    return known || err.message || t('errors.unknown');
  }
  if (err instanceof TypeError) return t('errors.network'); // fetch failed
  return t('errors.unknown');
}
