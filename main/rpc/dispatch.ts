/**
 * The one place where a message from outside becomes a service call. Every adapter (Electron IPC,
 * web host, tests) goes through `dispatch`: the method name is checked against the contract, the
 * payload is parsed with its zod schema, and any failure becomes a typed `WireResult` error.
 */
import { type Handlers, type WireResult, isMethodName, methods } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';

export async function dispatch(
  handlers: Handlers,
  method: unknown,
  payload: unknown,
  logger?: Logger,
): Promise<WireResult<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: ErrorCode.InvalidRequest, message: 'Unknown method.' } };
  }
  const spec = methods[method];
  const parsed = spec.request.safeParse(payload ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    return { ok: false, error: { code: ErrorCode.InvalidRequest, message: `Invalid request for ${method}: ${issues}` } };
  }
  try {
    const handler = handlers[method] as (request: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toJSON() };
    logger?.error({ method, err: describeError(error) }, 'handler failed');
    return {
      ok: false,
      error: { code: ErrorCode.Internal, message: 'An unexpected error occurred; details are in the log.' },
    };
  }
}

/** Error name and stack only: messages of third-party errors may quote file content (PHI). */
export function describeError(error: unknown): { name: string; stack?: string } {
  if (error instanceof Error) {
    const result: { name: string; stack?: string } = { name: error.name };
    if (error.stack) result.stack = error.stack.split('\n').slice(1, 8).join('\n');
    return result;
  }
  return { name: typeof error };
}
