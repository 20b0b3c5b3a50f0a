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
  WireError,
  events,
  methodNames,
} from './contract.js';
import { AppError, ErrorCode } from './errors.js';

export interface Transport {
  invoke(method: MethodName, request: unknown): Promise<WireResult<unknown>>;
  /** Subscribe to every event; returns an unsubscribe function. */
  subscribe(listener: (event: AnyEvent) => void): () => void;
}

/**
 * What the Electron preload exposes on `window.radlabel`: the preload's object must satisfy it
 * (`satisfies RadlabelBridge<File>` in main/electron/preload.ts) and the renderer reads
 * `window.radlabel` as this type (renderer/src/host/bridge.ts), so the two cannot drift apart.
 * One generic, validated `invoke` (method names are checked against the contract on both sides)
 * plus the few platform capabilities a browser page cannot have. `DroppedFile` is the DOM's `File`
 * (shared/ has no DOM types).
 */
export interface RadlabelBridge<DroppedFile = unknown> extends Transport {
  readonly kind: 'electron';
  /** Absolute paths of files dropped on the window (Electron's webUtils); files without one are left out. */
  pathsForFiles(files: DroppedFile[]): string[];
  /** Native "open files/folders" dialog; resolves to [] when the user cancels. */
  pickImportPaths(): Promise<string[]>;
  /** Native "choose a folder" dialog for exports; resolves to null when the user cancels. */
  pickExportFolder(): Promise<string | null>;
}

/** Every member of `RadlabelBridge`, for tests of what the preload exposes (the compiler checks it is complete). */
export const radlabelBridgeKeys = [
  'kind',
  'invoke',
  'subscribe',
  'pathsForFiles',
  'pickImportPaths',
  'pickExportFolder',
] as const satisfies readonly (keyof RadlabelBridge)[];
type UnlistedBridgeKey = Exclude<keyof RadlabelBridge, (typeof radlabelBridgeKeys)[number]>;
const bridgeKeysComplete: [UnlistedBridgeKey] extends [never] ? true : UnlistedBridgeKey = true;
void bridgeKeysComplete;

export type Api = {
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  on<E extends EventName>(name: E, listener: (payload: EventOf<E>) => void): () => void;
};

export function createClient(transport: Transport): Api {
  return {
    async call(method, request) {
      if (!methodNames.includes(method)) throw new AppError('invalid-request', `Unknown method ${method}`);
      // Main checked the answer against the contract (main/rpc/dispatch.ts); here only its envelope
      // is checked, so that a broken reply is a typed error rather than `undefined` in a store.
      const result: unknown = await transport.invoke(method, request);
      if (isRecord(result) && result['ok'] === true && 'value' in result) return result['value'] as never;
      const refusal =
        isRecord(result) && result['ok'] === false ? WireError.safeParse(result['error']) : null;
      if (refusal?.success) throw new AppError(refusal.data.code, refusal.data.message);
      throw new AppError(
        ErrorCode.Internal,
        'The RadLabel service answered something unexpected; details are in its log.',
      );
    },
    on(name, listener) {
      const schema = events[name];
      return transport.subscribe((event) => {
        if (event.name !== name) return;
        // An event outside the contract (another version of main, a broken frame) is dropped.
        const checked = schema.safeParse(event.payload);
        if (checked.success) listener(checked.data as never);
      });
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
