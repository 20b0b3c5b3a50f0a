/** Calling the services as a host does: inside a client session, through the contract's dispatch. */
import { runInSession } from '../../../main/account/sessions.js';
import { dispatch } from '../../../main/rpc/dispatch.js';
import type { Services } from '../../../main/services.js';

export async function call(services: Services, session: string, method: string, payload: unknown = {}) {
  return runInSession(session, () => dispatch(services.handlers, method, payload));
}

/** The value of an allowed call; a refusal fails the test with its code and message. */
export async function ok<T = unknown>(
  services: Services,
  session: string,
  method: string,
  payload: unknown = {},
): Promise<T> {
  const result = await call(services, session, method, payload);
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}
