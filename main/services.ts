/**
 * The service layer, assembled. Adapters (Electron IPC, web host, CLI, tests) create it once and
 * serve `handlers` through `dispatch`; none of them knows how a handler works.
 */
import type { Handlers } from '../shared/contract.js';
import type { EventBus } from './core/events.js';
import type { Logger } from './core/logger.js';

export interface ServicesOptions {
  dataDir: string;
  host: 'electron' | 'web';
  logger: Logger;
  /** Worker threads for import parsing; defaults to cores − 1 (at least 1). */
  importWorkers?: number;
}

/** Where the bytes of one stored instance live, for the image protocol / HTTP route. */
export interface InstanceFile {
  path: string;
  size: number;
  transferSyntaxUID: string;
}

export interface Services {
  readonly handlers: Handlers;
  readonly events: EventBus;
  /** Resolves a SOP Instance UID to its file in the store, or null. Never takes a path from outside. */
  instanceFile(sopInstanceUID: string): InstanceFile | null;
  /** Cancels running jobs, stops workers, closes the database. */
  close(): Promise<void>;
}

export declare function createServices(options: ServicesOptions): Services;
