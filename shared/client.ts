/**
 * A typed client derived from the contract. Each adapter (Electron preload, web host) supplies a
 * transport; the renderer only ever sees `Api`.
 */
import {
  type AnyEvent,
  type EventName,
  type EventOf,
  type MethodName,
  type RequestOf,
  type ResponseOf,
  type WireResult,
  methodNames,
} from './contract.js';
import { AppError } from './errors.js';

export interface Transport {
  invoke(method: MethodName, request: unknown): Promise<WireResult<unknown>>;
  /** Subscribe to every event; returns an unsubscribe function. */
  subscribe(listener: (event: AnyEvent) => void): () => void;
}

export type Api = {
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  on<E extends EventName>(name: E, listener: (payload: EventOf<E>) => void): () => void;
};

export function createClient(transport: Transport): Api {
  return {
    async call(method, request) {
      if (!methodNames.includes(method)) throw new AppError('invalid-request', `Unknown method ${method}`);
      const result = await transport.invoke(method, request);
      if (result.ok) return result.value as never;
      throw new AppError(result.error.code, result.error.message);
    },
    on(name, listener) {
      return transport.subscribe((event) => {
        if (event.name === name) listener(event.payload as never);
      });
    },
  };
}
