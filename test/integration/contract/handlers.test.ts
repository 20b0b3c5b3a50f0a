/**
 * Every method of the contract, called on real services (a fresh data folder, a real imported CT
 * series, a real export), answers within its response schema; so do the events it emits. A new
 * method without a sample request here fails the first test.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyEvent,
  type MethodName,
  type RequestOf,
  events as eventSchemas,
  methodNames,
  methods,
} from '../../../shared/contract.js';
import { DEFAULT_LABEL_SCHEMA } from '../../../shared/default-label-schema.js';
import { silentLogger } from '../../../main/core/logger.js';
import { dispatch } from '../../../main/rpc/dispatch.js';
import { type Services, createServices } from '../../../main/services.js';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import {
  HELD_ULTRASOUND_SOP_UID,
  HELD_ULTRASOUND_STUDY_UID,
  heldUltrasoundFile,
  writeUltrasoundCopy,
} from '../../fixtures/held-ultrasound.js';
import { exportStudy, filesUnder, fixedKey, importInto } from '../deid-app/harness.js';
import { type Orthanc, freePort, startOrthanc } from '../../support/orthanc.js';
import { writeTestManifest } from '../../support/sync-project.js';
import { writeTestModel } from '../../support/onnx-model.js';

let dir: string;
let services: Services;
let series: CtSeries;
/** The PACS the pacs.* methods query (C-FIND, C-MOVE) and our receiver's port. */
let orthanc: Orthanc;
let scpPort: number;
const seen: AnyEvent[] = [];

async function until<T>(probe: () => Promise<T | null>): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out');
}

beforeAll(async () => {
  dir = makeTempDir('contract');
  scpPort = await freePort();
  orthanc = await startOrthanc({ radlabel: ['RADLABEL', '127.0.0.1', scpPort] });
  series = ensureCtSeries({ slices: 3, size: 32, seed: 'contract' });
  services = createServices({
    dataDir: path.join(dir, 'data'),
    host: 'web',
    logger: silentLogger(),
    importWorkers: 1,
    deidWorkers: 0,
    keyProvider: fixedKey('contract'),
  });
  services.events.subscribe((event) => seen.push(event));
});

afterAll(async () => {
  await services?.close();
  await orthanc?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A valid request for each method, in an order where each finds what it needs. */
function samples(): { [M in MethodName]: () => Promise<RequestOf<M>> } {
  let importJob = '';
  let retrieveJob = '';
  const pacsNode = async () => (await services.handlers['pacs.listNodes']({}))[0]!.id;
  let exportJob = '';
  return {
    'app.info': async () => ({}),
    'import.start': async () => ({ paths: [series.dir] }),
    'import.status': async () => {
      importJob = (await services.handlers['import.start']({ paths: [series.dir] })).jobId;
      await until(async () =>
        (await services.handlers['import.status']({ jobId: importJob })).finishedAt ? 1 : null,
      );
      return { jobId: importJob };
    },
    'import.cancel': async () => ({ jobId: importJob }),
    'catalog.listStudies': async () => ({
      search: series.patientId,
      sort: { field: 'studyDate', direction: 'desc' },
    }),
    'catalog.getStudy': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    'catalog.listInstances': async () => ({ seriesInstanceUID: series.seriesInstanceUID }),
    'catalog.instanceTags': async () => ({ sopInstanceUID: series.sopInstanceUIDs[0]! }),
    'session.save': async () => ({
      version: 1,
      savedAt: Date.now(),
      screen: 'viewer',
      worklist: { search: series.patientId, selectedStudyUID: series.studyInstanceUID },
      viewer: {
        studyInstanceUID: series.studyInstanceUID,
        comparisonStudyUID: null,
        layout: '1x1',
        activeViewport: 0,
        viewports: [
          {
            studyInstanceUID: series.studyInstanceUID,
            seriesInstanceUID: series.seriesInstanceUID,
            sopInstanceUID: series.sopInstanceUIDs[1]!,
            frame: null,
            imageIndex: 1,
            windowWidth: 400,
            windowCenter: 40,
          },
        ],
      },
      layoutByModality: { CT: '1x1' },
    }),
    'session.load': async () => ({}),
    'deid.getSettings': async () => ({}),
    'deid.saveSettings': async () => {
      const {
        secretCreated: _secret,
        settingsFileDamaged: _damaged,
        ...settings
      } = await services.handlers['deid.getSettings']({});
      return { ...settings, projectId: 'CONTRACT' };
    },
    'deid.preview': async () => ({ sopInstanceUID: series.sopInstanceUIDs[1]! }),
    'deid.exportStudy': async () => ({
      studyInstanceUID: series.studyInstanceUID,
      outputDir: path.join(dir, `export-${Date.now()}`),
    }),
    'deid.studyReport': async () => {
      exportJob = (
        await services.handlers['deid.exportStudy']({
          studyInstanceUID: series.studyInstanceUID,
          outputDir: path.join(dir, 'export-for-report'),
        })
      ).jobId;
      await until(async () =>
        seen.some(
          (event) =>
            event.name === 'deid.progress' && event.payload.jobId === exportJob && event.payload.finished,
        )
          ? 1
          : null,
      );
      return { studyInstanceUID: series.studyInstanceUID };
    },
    'deid.cancel': async () => ({ jobId: exportJob }),
    'deid.heldObjects': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    // Each export of the ultrasound image holds it again (no rule yet for its device).
    'deid.excludeHeld': async () => holdUltrasound('held-to-exclude'),
    'deid.heldTextBoxes': async () => holdUltrasound('held-to-read'),
    'deid.releaseHeld': async () => ({
      ...(await holdUltrasound('held-to-release')),
      regions: [{ x: 0, y: 0, width: 80, height: 12 }],
    }),
    'deid.defaceSeries': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    'deid.defaceView': async () => ({
      studyInstanceUID: series.studyInstanceUID,
      seriesInstanceUID: series.seriesInstanceUID,
    }),
    'deid.defaceAccept': async () => ({
      studyInstanceUID: series.studyInstanceUID,
      seriesInstanceUID: series.seriesInstanceUID,
      cut: { superior: [0, -60, 0], inferior: [0, -55, -50] },
    }),
    'deid.defaceClear': async () => ({
      studyInstanceUID: series.studyInstanceUID,
      seriesInstanceUID: series.seriesInstanceUID,
    }),
    'schema.get': async () => ({}),
    'schema.load': async () => ({ json: JSON.stringify(DEFAULT_LABEL_SCHEMA) }),
    'annotation.save': async () => ({
      versions: [
        {
          versionId: CONTRACT_VERSION_ID,
          annotationUid: 'contract-length',
          parentIds: [],
          studyInstanceUID: series.studyInstanceUID,
          seriesInstanceUID: series.seriesInstanceUID,
          sopInstanceUID: series.sopInstanceUIDs[1]!,
          kind: 'measurement',
          tool: 'Length',
          labelId: 'lesion',
          attributes: {},
          // A Cornerstone Length annotation as the viewer saves it (tool name, image, world points).
          data: {
            metadata: {
              toolName: 'Length',
              referencedImageId: `wadouri:/instances/${series.sopInstanceUIDs[1]!}`,
            },
            data: {
              handles: {
                points: [
                  [0, 0, 0],
                  [10, 0, 0],
                ],
              },
              cachedStats: {
                [`imageId:wadouri:/instances/${series.sopInstanceUIDs[1]!}`]: { length: 10, unit: 'mm' },
              },
            },
          },
        },
      ],
    }),
    'pacs.getSettings': async () => ({}),
    'pacs.saveSettings': async () => ({
      enabled: true,
      aeTitle: 'RADLABEL',
      port: scpPort,
      bindAddress: '127.0.0.1',
      allowedCallers: [{ aeTitle: 'MODALITY', host: '' }],
      acceptAnyCaller: false,
    }),
    'pacs.saveNode': async () => ({
      name: 'Orthanc',
      aeTitle: 'ORTHANC',
      host: '127.0.0.1',
      port: orthanc.dicomPort,
    }),
    'pacs.listNodes': async () => ({}),
    'pacs.echo': async () => ({ nodeId: await pacsNode() }),
    'pacs.find': async () => ({ nodeId: await pacsNode(), patientId: series.patientId }),
    'pacs.retrieve': async () => ({ nodeId: await pacsNode(), studyInstanceUIDs: [series.studyInstanceUID] }),
    'pacs.cancelRetrieve': async () => {
      retrieveJob = (
        await services.handlers['pacs.retrieve']({
          nodeId: await pacsNode(),
          studyInstanceUIDs: [series.studyInstanceUID],
        })
      ).jobId;
      return { jobId: retrieveJob };
    },
    'pacs.deleteNode': async () => ({ id: await pacsNode() }),
    'pacs.receivedProblems': async () => ({}),
    'pacs.clearReceivedProblems': async () => ({}),
    'annotation.list': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    'annotation.history': async () => ({ annotationUid: 'contract-length' }),
    'annotation.studyStatus': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    'annotation.completeness': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    'annotation.setStudyStatus': async () => ({
      studyInstanceUID: series.studyInstanceUID,
      status: 'complete',
    }),
    'sync.conflicts': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    // Statistics and agreement (shared/stats.ts, shared/agreement.ts).
    'stats.dashboard': async () => ({}),
    'stats.recordReading': async () => ({
      sessionId: '0b7d4a52-1c9e-4f3a-8d2b-5e6f7a8b9c0d',
      studyInstanceUID: series.studyInstanceUID,
      activeMs: 1500,
    }),
    'stats.exportPng': async () => ({
      figureId: 'studies-by-state',
      option: { xAxis: { type: 'category', data: ['a'] }, yAxis: {}, series: [{ type: 'bar', data: [1] }] },
      width: 400,
      height: 300,
      notice: 'Research use only',
    }),
    'agreement.study': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    'agreement.project': async () => ({}),
    // AI findings and review (shared/ai.ts): a finding a model proposed, decided by the reader.
    'ai.findings': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    'ai.decide': async () => {
      const annotationUid = 'contract-ai-finding';
      if ((await services.handlers['annotation.history']({ annotationUid })).length === 0)
        await services.handlers['annotation.save']({
          versions: [
            {
              versionId: crypto.randomUUID(),
              annotationUid,
              parentIds: [],
              studyInstanceUID: series.studyInstanceUID,
              seriesInstanceUID: series.seriesInstanceUID,
              sopInstanceUID: series.sopInstanceUIDs[0]!,
              kind: 'measurement',
              tool: 'Length',
              // A label of the schema: the study stays complete (review.verify checks it).
              labelId: DEFAULT_LABEL_SCHEMA.labels[0]!.id,
              attributes: {},
              data: {
                metadata: { toolName: 'Length' },
                data: { handles: { points: [] } },
                ai: { model: 'contract-model', confidence: 0.9 },
              },
              source: 'ai:contract-model',
              author: 'contract-model',
              status: 'draft',
              deleted: false,
            },
          ],
        });
      return { studyInstanceUID: series.studyInstanceUID, annotationUid, decision: 'accepted' };
    },
    'ai.acceptAbove': async () => ({ studyInstanceUID: series.studyInstanceUID, minConfidence: 0.5 }),
    'ai.undoBatch': async () => ({ studyInstanceUID: series.studyInstanceUID, batchId: 'contract-batch' }),
    'ai.segmentationSources': async () => ({ annotationUid: 'contract-segmentation' }),
    'ai.rejectionReasons': async () => ({}),
    'review.state': async () => ({}),
    'review.saveSettings': async () => ({ blinded: false, blindAi: false }),
    'review.return': async () => ({ studyInstanceUID: series.studyInstanceUID, comment: 'contract return' }),
    'review.verify': async () => ({ studyInstanceUID: series.studyInstanceUID, comment: '' }),
    'review.events': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    // A conflict made for each call: one version edited twice (the second edit as a pull stores it).
    'sync.resolveConflict': async () => {
      conflicts += 1;
      const annotationUid = `contract-conflict-${conflicts}`;
      const [base, left, right] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
      const version = (versionId: string, parentIds: string[], size: number) => ({
        versionId,
        annotationUid,
        parentIds,
        studyInstanceUID: series.studyInstanceUID,
        seriesInstanceUID: series.seriesInstanceUID,
        sopInstanceUID: series.sopInstanceUIDs[1]!,
        kind: 'measurement' as const,
        tool: 'Length',
        labelId: 'lesion',
        attributes: { size },
        data: {
          metadata: {
            toolName: 'Length',
            referencedImageId: `wadouri:/instances/${series.sopInstanceUIDs[1]!}`,
          },
          data: {
            handles: {
              points: [
                [0, 0, 0],
                [size, 0, 0],
              ],
            },
          },
        },
        source: 'human',
        status: 'draft' as const,
        deleted: false,
      });
      await services.handlers['annotation.save']({
        versions: [version(base, [], 1), version(left, [base], 2), version(right, [base], 3)],
      });
      return { annotationUid, headVersionIds: [left, right], action: 'keep', keepVersionId: right };
    },
    'segmentation.saveSlices': async () => ({
      annotationUid: CONTRACT_SEGMENTATION_UID,
      versionId: 'contract-seg-v1',
      parentVersionId: null,
      studyInstanceUID: series.studyInstanceUID,
      seriesInstanceUID: series.seriesInstanceUID,
      width: 32,
      height: 32,
      bits: 8,
      layers: 1,
      segments: [
        {
          segmentIndex: 1,
          name: 'Lesion',
          color: '#ff0000',
          visible: true,
          locked: false,
          layer: 0,
          labelValue: 1,
        },
      ],
      slices: [
        { layer: 0, sopInstanceUID: series.sopInstanceUIDs[1]!, frame: 1, data: squareSlice(32, 8, 20) },
        { layer: 0, sopInstanceUID: series.sopInstanceUIDs[2]!, frame: 1, data: squareSlice(32, 10, 18) },
      ],
    }),
    'segmentation.list': async () => ({ seriesInstanceUID: series.seriesInstanceUID }),
    'segmentation.load': async () => ({ annotationUid: CONTRACT_SEGMENTATION_UID }),
    'segmentation.sliceHashes': async () => ({
      annotationUid: CONTRACT_SEGMENTATION_UID,
      versionId: 'contract-seg-v1',
    }),
    'export.start': async () => ({
      format: 'csv',
      outputDir: path.join(dir, `annotations-csv-${Date.now()}`),
      studyInstanceUIDs: [series.studyInstanceUID],
    }),
    'export.cancel': async () => {
      const { jobId } = await exportAnnotations('json', path.join(dir, 'annotations-json'));
      return { jobId };
    },
    // The study's measurements written as DICOM SR and read back (unchanged versions).
    'annotation.importFiles': async () => {
      const folder = path.join(dir, 'annotations-sr');
      await exportAnnotations('sr', folder);
      return { paths: filesUnder(folder).filter((file) => file.endsWith('.dcm')) };
    },
    // Sync: a project whose server is never reached here (paused at the end, so no pass runs on).
    'sync.status': async () => ({}),
    'sync.loadProject': async () => ({
      source: writeTestManifest(path.join(dir, 'sync-project'), {
        url: `http://127.0.0.1:${orthanc.httpPort}/dicom-web`,
      }),
    }),
    'sync.selectStudies': async () => ({ studyInstanceUIDs: [series.studyInstanceUID] }),
    'sync.resume': async () => ({}),
    'sync.now': async () => ({}),
    'sync.pause': async () => ({}),
    // A project model (main/model/): a generated ONNX threshold model the manifest names, run on the CT series.
    'model.list': async () => ({}),
    'model.run': async () => {
      await loadModelProject();
      await modelRunsSettled();
      return {
        modelId: 'contract-threshold',
        studyInstanceUID: series.studyInstanceUID,
        seriesInstanceUID: series.seriesInstanceUID,
      };
    },
    'model.status': async () => ({ runId: await modelRunsSettled() }),
    'model.cancel': async () => ({ runId: await modelRunsSettled() }),
    'cache.status': async () => ({}),
    'cache.saveSettings': async () => ({
      encrypt: (await services.handlers['cache.status']({})).settings.encrypt,
      retentionDays: 30,
      backup: { folder: path.join(dir, 'backups'), daily: false, keep: 3, withFiles: false },
    }),
    'cache.markSynced': async () => ({ studyInstanceUID: series.studyInstanceUID }),
    'cache.purge': async () => ({}),
    'backup.create': async () => ({ withFiles: false }),
    'backup.list': async () => ({}),
    'backup.restore': async () => ({ path: (await services.handlers['backup.list']({}))[0]!.path }),
    'cache.deleteStudy': async () => {
      await importInto(services, [heldUltrasoundFile]);
      return { studyInstanceUID: HELD_ULTRASOUND_STUDY_UID };
    },
    // A new patient each time: deleting one leaves nothing to delete a second time.
    'cache.deletePatient': async () => {
      patients += 1;
      const file = path.join(dir, `patient-${patients}.dcm`);
      writeUltrasoundCopy(file, `C${patients}`);
      await importInto(services, [file]);
      return { patientId: `USC${patients}` };
    },
    // Sign-in turns on with the first account: from here every method needs the signed-in session.
    'account.state': async () => ({}),
    'account.createFirst': async () => ({ ...ADMIN, displayName: 'Contract Administrator' }),
    'account.create': async () => {
      readers += 1;
      return { username: `reader${readers}`, password: 'reader-password', role: 'reader' };
    },
    'account.list': async () => ({}),
    'account.saveSettings': async () => ({ idleLockSeconds: 900, blinded: false }),
    'account.update': async () => ({ readerId: 'reader1', displayName: 'Contract Reader' }),
    'account.resetPassword': async () => ({ readerId: 'reader1', password: 'reset-password-1' }),
    'account.setDisabled': async () => ({ readerId: 'reader1', disabled: false }),
    // Called twice (directly, then through dispatch): there and back, so the administrator's password stays.
    'account.changePassword': async () => {
      passwordChanges += 1;
      const changed = `${ADMIN.password}-2`;
      return passwordChanges % 2 === 1
        ? { currentPassword: ADMIN.password, newPassword: changed }
        : { currentPassword: changed, newPassword: ADMIN.password };
    },
    'audit.list': async () => ({ action: 'import', limit: 50 }),
    'audit.verify': async () => ({}),
    'audit.exportCsv': async () => ({ subject: series.studyInstanceUID }),
    'account.lock': async () => ({}),
    'account.unlock': async () => ({ password: ADMIN.password }),
    'account.signOut': async () => ({}),
    'account.signIn': async () => ADMIN,
  };
}

const CONTRACT_SEGMENTATION_UID = 'contract-segmentation';
const ADMIN = { username: 'admin', password: 'contract-admin-password' };
let patients = 0;
let readers = 0;
let passwordChanges = 0;
let conflicts = 0;

/** A zlib-deflated, base64 8-bit slice of `size`² voxels with a square of label 1 from `from` to `to`. */
function squareSlice(size: number, from: number, to: number): string {
  const voxels = new Uint8Array(size * size);
  for (let y = from; y < to; y += 1) voxels.fill(1, y * size + from, y * size + to);
  return zlib.deflateSync(voxels).toString('base64');
}

/** Exports the CT study's annotations and resolves when the export has finished. */
async function exportAnnotations(format: 'sr' | 'json', outputDir: string): Promise<{ jobId: string }> {
  const { jobId } = await services.handlers['export.start']({
    format,
    outputDir,
    studyInstanceUIDs: [series.studyInstanceUID],
    deid: false,
  });
  await until(async () =>
    seen.some(
      (event) => event.name === 'export.progress' && event.payload.jobId === jobId && event.payload.finished,
    )
      ? 1
      : null,
  );
  return { jobId };
}

let modelProjectLoaded = false;

/** Loads a project whose manifest names a generated threshold model (test/support/onnx-model.ts). */
async function loadModelProject(): Promise<void> {
  if (modelProjectLoaded) return;
  modelProjectLoaded = true;
  const folder = path.join(dir, 'model-project');
  const file = writeTestManifest(folder, { url: `http://127.0.0.1:${orthanc.httpPort}/dicom-web` });
  const sha256 = writeTestModel(path.join(folder, 'threshold.onnx'), {
    kind: 'threshold',
    layout: '2d',
    threshold: 0,
  });
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const segmentLabel = DEFAULT_LABEL_SCHEMA.labels.find((label) => label.kind === 'segment')!;
  manifest['models'] = [
    {
      id: 'contract-threshold',
      file: 'threshold.onnx',
      sha256,
      name: 'Contract threshold',
      version: '1',
      manufacturer: 'RadLabel tests',
      input: { layout: '2d' },
      output: { labels: [{ channel: 0, labelId: segmentLabel.id }] },
    },
  ];
  fs.writeFileSync(file, JSON.stringify(manifest));
  await services.handlers['sync.loadProject']({ source: file });
}

/** Waits until every model run seen has ended; answers the last run's id. */
async function modelRunsSettled(): Promise<string> {
  return until(async () => {
    const runs = new Map<string, string>();
    for (const event of seen)
      if (event.name === 'model.progress') runs.set(event.payload.runId, event.payload.phase);
    if ([...runs.values()].some((phase) => !['done', 'failed', 'cancelled'].includes(phase))) return null;
    return [...runs.keys()].at(-1) ?? '';
  });
}

/** Methods that cannot take the same request twice: the call through dispatch gets a new sample. */
const FRESH_SAMPLE_FOR_DISPATCH = new Set<MethodName>([
  'model.run',
  'sync.resolveConflict',
  'account.create',
  'account.changePassword',
  'cache.deletePatient',
]);
/** The first administrator can be made once: through dispatch the second try is a conflict. */
const REFUSED_THROUGH_DISPATCH: Partial<Record<MethodName, string>> = { 'account.createFirst': 'conflict' };

const CONTRACT_VERSION_ID = '6f1c1c9e-3b52-4c8e-9a51-0d7b7c1e2a10';

async function holdUltrasound(folder: string): Promise<{ studyInstanceUID: string; sopInstanceUID: string }> {
  await importInto(services, [heldUltrasoundFile]);
  await exportStudy(services, HELD_ULTRASOUND_STUDY_UID, path.join(dir, folder));
  return { studyInstanceUID: HELD_ULTRASOUND_STUDY_UID, sopInstanceUID: HELD_ULTRASOUND_SOP_UID };
}

describe('the contract at the service edge', () => {
  it('has a sample request for every method', () => {
    expect(Object.keys(samples()).sort()).toEqual([...methodNames].sort());
  });

  it('every handler answers within its response schema, called directly and through dispatch', async () => {
    const requests = samples();
    for (const method of Object.keys(requests) as MethodName[]) {
      const request = await requests[method]();
      const parsedRequest = methods[method].request.parse(request);
      const handler = services.handlers[method] as (request: unknown) => Promise<unknown>;
      const direct = await handler(parsedRequest);
      const checked = methods[method].response.safeParse(direct);
      expect(checked.success ? [] : checked.error.issues, method).toEqual([]);
      const again = FRESH_SAMPLE_FOR_DISPATCH.has(method) ? await requests[method]() : request;
      const wire = await dispatch(services.handlers, method, again);
      const refused = REFUSED_THROUGH_DISPATCH[method];
      if (refused) {
        expect(wire.ok ? 'ok' : wire.error.code, method).toBe(refused);
        continue;
      }
      expect(wire.ok ? 'ok' : wire.error, method).toBe('ok');
      if (wire.ok) methods[method].response.parse(wire.value);
    }
  });

  it('every event emitted on the way matches its schema', () => {
    const names = new Set(seen.map((event) => event.name));
    expect(names).toEqual(
      new Set([
        'import.progress',
        'catalog.changed',
        'deid.progress',
        'annotation.changed',
        'annotation.statusChanged',
        'pacs.retrieveProgress',
        'export.progress',
        'sync.progress',
        'sync.state',
        'model.progress',
        'schema.changed',
      ]),
    );
    for (const event of seen) {
      const checked = eventSchemas[event.name].safeParse(event.payload);
      expect(checked.success ? [] : checked.error.issues, event.name).toEqual([]);
    }
  });
});

describe('dispatch', () => {
  it('refuses an answer outside the contract as an internal error, without sending it', async () => {
    const broken = {
      ...services.handlers,
      'app.info': async () => ({ productName: 'RadLabel', dataDir: '/home/someone/secret' }),
    } as unknown as Services['handlers'];
    const logged: unknown[] = [];
    const logger = {
      ...silentLogger(),
      error: (entry: unknown) => logged.push(entry),
    } as unknown as ReturnType<typeof silentLogger>;
    const result = await dispatch(broken, 'app.info', {}, logger);
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: 'An unexpected error occurred; details are in the log.' },
    });
    expect(JSON.stringify(logged)).toContain('app.info');
    expect(JSON.stringify(logged)).not.toContain('/home/someone/secret');
  });

  it('sends only the fields the contract names', async () => {
    const chatty = {
      ...services.handlers,
      'deid.cancel': async () => ({ cancelled: false, localPath: '/home/someone/study' }),
    } as unknown as Services['handlers'];
    expect(await dispatch(chatty, 'deid.cancel', { jobId: crypto.randomUUID() })).toEqual({
      ok: true,
      value: { cancelled: false },
    });
  });
});
