/**
 * An in-memory stand-in for a DICOMweb server behind the sync engine's transport seam
 * (main/sync/engine.ts `SyncTransport`), for tests of the engine's own rules (idempotency, partial
 * failures, refusals, the outbox's only way in) without a network. The real server (Orthanc) is
 * used by the integration tests of the whole path.
 */
import fs from 'node:fs';
import { readDicomHeaderFromFile } from '../../main/dicom/header.js';
import { ErrorCode } from '../../shared/errors.js';
import {
  DicomWebError,
  type InstanceRef as RemoteInstance,
  type StowFile,
  type StowItemOutcome,
} from '../../main/sync/dicomweb-client.js';
import type { SyncTransport } from '../../main/sync/engine.js';

export interface StoredInstance extends RemoteInstance {
  bytes: Buffer;
}

export class MemoryDicomWeb implements SyncTransport {
  readonly stored = new Map<string, StoredInstance>();
  /** SOP Instance UIDs of every STOW-RS request, in order. */
  readonly stowRequests: string[][] = [];
  /** Per SOP Instance UID: refuse it (`retryable` false) or fail it transiently `times` times. */
  readonly itemFailures = new Map<string, { retryable: boolean; reason: string; times: number }>();
  /** Whole requests that fail with no answer (the network is gone) while > 0. */
  offlineRequests = 0;

  async stow(files: readonly StowFile[]): Promise<StowItemOutcome[]> {
    this.#maybeOffline();
    this.stowRequests.push(files.map((file) => file.sopInstanceUID));
    return files.map((file) => {
      const failure = this.itemFailures.get(file.sopInstanceUID);
      if (failure && failure.times > 0) {
        failure.times--;
        return {
          sopInstanceUID: file.sopInstanceUID,
          stored: false,
          retryable: failure.retryable,
          reason: failure.reason,
        };
      }
      const header = readDicomHeaderFromFile(file.path);
      this.stored.set(header.sopInstanceUID, {
        studyInstanceUID: header.studyInstanceUID,
        seriesInstanceUID: header.seriesInstanceUID,
        sopInstanceUID: header.sopInstanceUID,
        bytes: fs.readFileSync(file.path),
      });
      return { sopInstanceUID: file.sopInstanceUID, stored: true, retryable: false, reason: null };
    });
  }

  async studyInstances(studyInstanceUID: string): Promise<RemoteInstance[]> {
    this.#maybeOffline();
    return [...this.stored.values()]
      .filter((instance) => instance.studyInstanceUID === studyInstanceUID)
      .map(({ bytes: _bytes, ...instance }) => instance);
  }

  async findStudies(query: { protocolId?: string | undefined }): Promise<string[]> {
    this.#maybeOffline();
    void query;
    return [...new Set([...this.stored.values()].map((instance) => instance.studyInstanceUID))];
  }

  async fetchInstance(instance: RemoteInstance, destination: string): Promise<void> {
    this.#maybeOffline();
    const stored = this.stored.get(instance.sopInstanceUID);
    if (!stored) throw new DicomWebError(ErrorCode.ServerError, 'Not found', 404);
    fs.writeFileSync(destination, stored.bytes);
  }

  #maybeOffline(): void {
    if (this.offlineRequests > 0) {
      this.offlineRequests--;
      throw new DicomWebError(ErrorCode.Network, 'connection refused', undefined);
    }
  }
}
