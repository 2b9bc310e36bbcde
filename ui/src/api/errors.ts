import type { components } from './schema';

type ErrorBody = components['schemas']['Error'];
export type ErrorCode = ErrorBody['error']['code'];

// An error answer of the API ({"error":{code,message,fields}}) or a network failure.
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'NETWORK';
  readonly fields: Record<string, string>;

  constructor(status: number, code: ErrorCode | 'NETWORK', message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (!body || typeof body !== 'object' || !('error' in body)) return false;
  const e = (body as { error: unknown }).error;
  return !!e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string';
}

export function toApiError(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) {
    const e = body.error;
    return new ApiError(status, e.code, e.message, e.fields ?? {});
  }
  return new ApiError(status, 'INTERNAL', typeof body === 'string' && body ? body : `HTTP ${status}`);
}

// Unwraps an openapi-fetch result: the data, or throws an ApiError.
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw toApiError(result.response.status, result.error);
  return result.data as T;
}
