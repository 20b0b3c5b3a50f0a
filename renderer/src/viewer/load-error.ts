/**
 * What a failed image load was, in the host's words. Both hosts answer a refused
 * `/instances/<uid>` with the contract's typed error `{ ok: false, error: { code, message } }`
 * (a stored file that is missing: `not-found`; one altered outside RadLabel: `io`). Cornerstone's
 * loader rejects with the XMLHttpRequest itself, or with `{ error: xhr }`, its body an
 * ArrayBuffer; this turns it back into the AppError, so the viewport shows the host's message.
 */
import { AppError, ErrorCode } from '../../../shared/errors.js';

const CODES = new Set<string>(Object.values(ErrorCode));

interface ResponseLike {
  status?: unknown;
  response?: unknown;
}

function asResponse(value: unknown): ResponseLike | null {
  if (!value || typeof value !== 'object') return null;
  if ('response' in value && 'status' in value) return value as ResponseLike;
  if ('error' in value) return asResponse((value as { error: unknown }).error);
  return null;
}

export function imageLoadError(error: unknown): unknown {
  const response = asResponse(error);
  if (!response) return error;
  let text: string | null = null;
  if (response.response instanceof ArrayBuffer) text = new TextDecoder().decode(response.response);
  else if (typeof response.response === 'string') text = response.response;
  if (text === null) return error;
  try {
    const body = JSON.parse(text) as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
    const code = body.error?.code;
    const message = body.error?.message;
    if (body.ok === false && typeof code === 'string' && CODES.has(code) && typeof message === 'string')
      return new AppError(code as ErrorCode, message);
  } catch {
    // Not the host's JSON: keep the loader's error.
  }
  return error;
}
