/**
 * Leak test on the wire (issue #10 "What it must show"): a recording proxy of our own on loopback
 * (test/support/recording-proxy.ts) stands between the app and a real Orthanc + DICOMweb and keeps
 * every byte of a full sync, up (one reader uploads every study of the planted-marker corpus and
 * an annotation report) and down (a second data folder pulls those studies and the report).
 *
 * The corpus (test/fixtures/deid-markers) plants markers in every text-valued attribute, nested
 * sequences, private tags, file meta, SR content and Chinese character sets (GB18030, GBK,
 * ISO 2022 IR 58); the annotation carries the patient's name and markers of its own in its text.
 * Every request byte is searched for every marker in each form it was planted in (ASCII/UTF-8,
 * GB18030, GBK, ISO 2022 IR 58, UTF-16). None may appear, except what the project's options keep
 * on purpose (test/fixtures/deid-markers/kept-on-purpose.ts, the same list as the engine's own
 * leak proof); the patient's name, id and birth date never.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedRequestOf } from '../../../shared/contract.js';
import type { DeidOptionName } from '../../../shared/deid-settings.js';
import { researchDefaultOptions } from '../../../shared/deid-options.js';
import { DEFAULT_LABEL_SCHEMA } from '../../../shared/default-label-schema.js';
import { SYNC_MANIFEST_FORMAT, SYNC_PASSWORD_ENV, SYNC_USER_ENV } from '../../../shared/sync-manifest.js';
import { setReaderSource } from '../../../main/annotation/reader.js';
import { readDicomHeaderFromFile } from '../../../main/dicom/header.js';
import { type Services } from '../../../main/services.js';
import {
  generateMarkerFixtures,
  markersFoundIn,
  type MarkerManifest,
  type PlantedMarker,
} from '../../fixtures/deid-markers/index.js';
import { keptOnPurpose } from '../../fixtures/deid-markers/kept-on-purpose.js';
import { makeTempDir } from '../../fixtures/index.js';
import { type Orthanc, startOrthanc } from '../../support/orthanc.js';
import { type RecordingProxy, startRecordingProxy } from '../../support/recording-proxy.js';
import { importAndWait, openMachine } from '../../support/sync-project.js';

const PROJECT = 'LEAKWIRE';
const OPTIONS: DeidOptionName[] = [];
const KEPT = new Set<DeidOptionName>([...OPTIONS, ...researchDefaultOptions]);
/** Markers planted in the annotation's own text (not in the corpus manifest). */
const ANNOTATION_MARKERS = ['QXANNOTMARK4711', 'ZZREPORTNOTE0815'];
const HANZI_MARKER = '标注标记九九';

const dir = makeTempDir('sync-leak-wire');
let manifest: MarkerManifest;
let orthanc: Orthanc;
let proxy: RecordingProxy;
const open: Services[] = [];
let uploadedStudies: string[] = [];
let pulledStudies = 0;
let srSeries = 0;
let annotationMarkers: PlantedMarker[] = [];
/** The annotation report as written before de-identification (an export without de-identification). */
let localReport: Buffer = Buffer.alloc(0);
/** The annotation report the server holds (found by QIDO-RS in the annotated study), as Orthanc keeps it. */
let serverReports: Buffer[] = [];
/**
 * The values the project's date shift writes for planted dates (each shifted by its patient's
 * offset, read back from the server). A planted date string that equals one of them is what the
 * engine must write, not a leak: the dates planted lie 30–3650 days apart, inside the shift's
 * range, so about one run in six shifts a date exactly onto another planted one.
 */
let shiftedDates = new Set<string>();

function manifestFile(name: string, readers: Array<{ username: string; tasks: string[] }>): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({
      format: SYNC_MANIFEST_FORMAT,
      projectId: PROJECT,
      name: 'Leak test on the wire',
      server: { url: `${proxy.url}/dicom-web`, auth: { type: 'basic', username: 'user' } },
      labelSchema: DEFAULT_LABEL_SCHEMA,
      readers: readers.map((reader) => ({
        username: reader.username,
        role: 'annotator',
        tasks: reader.tasks.map((studyInstanceUID) => ({ studyInstanceUID })),
      })),
      deid: {
        profile: 'research',
        options: OPTIONS,
        clinicalTrial: { sponsorName: 'RadLabel Proof', protocolId: 'WIRE-1' },
      },
      sync: { intervalMinutes: 60, uploadDrafts: false },
    }),
  );
  return file;
}

function openServices(name: string): Services {
  const services = openMachine(path.join(dir, name));
  open.push(services);
  return services;
}

const importFiles = (services: Services, files: string[]) =>
  importAndWait(services, files, { failOnErrors: false });

/** Sync passes until nothing is left to do now (generous: a loaded CI machine). */
async function syncToEnd(services: Services): Promise<void> {
  const result = await services.sync.runUntilSettled({
    signal: AbortSignal.timeout(240_000),
    shouldStop: (pass, passes) => pass.pending === 0 || pass.offline || passes > 20,
    maxWaitMs: 2_000,
  });
  expect(result.offline, result.error ?? '').toBe(false);
}

/** YYYYMMDD plus `days`. */
function addDays(date: string, days: number): string {
  const at = new Date(
    Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8)) + days * 86_400_000,
  );
  return `${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, '0')}${String(at.getUTCDate()).padStart(2, '0')}`;
}

const daysBetween = (from: string, to: string): number =>
  Math.round(
    (Date.UTC(+to.slice(0, 4), +to.slice(4, 6) - 1, +to.slice(6, 8)) -
      Date.UTC(+from.slice(0, 4), +from.slice(4, 6) - 1, +from.slice(6, 8))) /
      86_400_000,
  );

/**
 * Every planted DA/DT value shifted as the project shifts it: the offset of each uploaded study is
 * its StudyDate on the server minus a planted StudyDate of the study's files (one of them is the
 * date the server shows; the few candidates are all taken).
 */
async function expectedShiftedDates(a: Services): Promise<Set<string>> {
  const remoteOf = new Map(
    (await a.handlers['sync.status']({})).studies
      .filter((row) => row.direction === 'up' && row.remoteStudyInstanceUID)
      .map((row) => [row.studyInstanceUID, row.remoteStudyInstanceUID!]),
  );
  const serverDate = new Map<string, string>();
  for (const id of (await (await orthanc.rest('/studies')).json()) as string[]) {
    const study = (await (await orthanc.rest(`/studies/${id}`)).json()) as {
      MainDicomTags: { StudyInstanceUID: string; StudyDate?: string };
    };
    if (study.MainDicomTags.StudyDate)
      serverDate.set(study.MainDicomTags.StudyInstanceUID, study.MainDicomTags.StudyDate);
  }
  const offsets = new Map<string, Set<number>>();
  const studyOf = new Map<string, string>();
  for (const file of manifest.files) {
    let header;
    try {
      header = readDicomHeaderFromFile(path.join(dir, 'corpus', file));
    } catch {
      continue;
    }
    studyOf.set(file, header.studyInstanceUID);
    const shown = serverDate.get(remoteOf.get(header.studyInstanceUID) ?? '');
    if (!shown || !header.studyDate) continue;
    const set = offsets.get(header.studyInstanceUID) ?? new Set<number>();
    set.add(daysBetween(header.studyDate, shown));
    offsets.set(header.studyInstanceUID, set);
  }
  const shifted = new Set<string>();
  for (const marker of manifest.markers) {
    if ((marker.vr !== 'DA' && marker.vr !== 'DT') || !/^\d{8}/.test(marker.marker)) continue;
    for (const offset of offsets.get(studyOf.get(marker.file) ?? '') ?? [])
      shifted.add(addDays(marker.marker.slice(0, 8), offset) + marker.marker.slice(8));
  }
  return shifted;
}

/** A found marker that is exactly a value the date shift writes for another planted date. */
const isShiftedDate = (found: PlantedMarker): boolean => shiftedDates.has(found.marker);

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;

/**
 * An all-digit marker (a date) found only inside longer runs of digits: part of a number such as
 * a 39-digit de-identified UID (2.25.<random>), not the value itself. Where its ASCII form occurs
 * with a non-digit on both sides, or not at all (another encoding matched), it counts.
 */
function insideNumbersOnly(bytes: Buffer, found: PlantedMarker): boolean {
  if (!/^\d+$/.test(found.marker)) return false;
  const needle = Buffer.from(found.marker, 'latin1');
  let seen = false;
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    seen = true;
    if (!isDigit(bytes[at - 1]) && !isDigit(bytes[at + needle.length])) return false;
  }
  return seen;
}

/** Not a leak: a value the date shift writes, or digits inside a longer number. */
const notALeak = (bytes: Buffer, found: PlantedMarker): boolean =>
  isShiftedDate(found) || insideNumbersOnly(bytes, found);

async function waitForExport(services: Services, jobId: string): Promise<void> {
  const finished = new Promise<void>((resolve, reject) => {
    const stop = services.events.subscribe((event) => {
      if (event.name !== 'export.progress' || event.payload.jobId !== jobId || !event.payload.finished)
        return;
      stop();
      if (event.payload.error) reject(new Error(event.payload.error));
      else resolve();
    });
  });
  await finished;
}

function filesUnder(folder: string): string[] {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.dcm'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** A marker of our own, in the forms it can take in an SR (UTF-8; ASCII upper/lower). */
function ownMarker(marker: string): PlantedMarker {
  return {
    marker,
    file: '(annotation)',
    where: 'annotation text',
    vr: 'UT',
    kind: 'sr',
    forms: {
      utf8: Buffer.from(marker, 'utf8').toString('hex'),
      ...(/^[\x20-\x7e]+$/.test(marker) ? { ascii: Buffer.from(marker, 'latin1').toString('hex') } : {}),
      utf16le: Buffer.from(marker, 'utf16le').toString('hex'),
    },
  };
}

beforeAll(async () => {
  manifest = generateMarkerFixtures(path.join(dir, 'corpus'));
  orthanc = await startOrthanc({}, {}, { dicomWeb: true });
  proxy = await startRecordingProxy(`http://127.0.0.1:${orthanc.httpPort}`);
  process.env[SYNC_USER_ENV] = 'user';
  process.env[SYNC_PASSWORD_ENV] = 'secret';

  // Machine A, reader dr-a: imports the corpus, annotates one study, uploads everything.
  const a = openServices('a');
  // After the services: opening them sets the reader source (sign-in) anew.
  setReaderSource(() => 'dr-a');
  await importFiles(
    a,
    manifest.files.map((file) => path.join(dir, 'corpus', file)),
  );
  const { studies } = await a.handlers['catalog.listStudies']({ limit: 1000, offset: 0 });
  expect(studies.length).toBeGreaterThan(3);
  // The annotation: on the plain CT, its text naming the patient and markers of our own.
  const ct = studies.find((study) => study.modalities.includes('CT')) ?? studies[0]!;
  const detail = await a.handlers['catalog.getStudy']({ studyInstanceUID: ct.studyInstanceUID });
  const series = detail.series[0]!;
  const [instance] = await a.handlers['catalog.listInstances']({
    seriesInstanceUID: series.seriesInstanceUID,
  });
  const patientName = ct.patientName;
  // The report places the measurement in the image's frame of reference (the corpus's images carry
  // no slice geometry for image coordinates); a fixed one when the image has none.
  const { rows } = await a.handlers['catalog.instanceTags']({ sopInstanceUID: instance!.sopInstanceUID });
  const frameOfReference =
    rows.find((row) => row.keyword === 'FrameOfReferenceUID' && row.depth === 0)?.value.trim() ||
    '1.2.826.0.1.3680043.10.543.4711';
  annotationMarkers = [
    ...ANNOTATION_MARKERS.map(ownMarker),
    ownMarker(HANZI_MARKER),
    ...patientName
      .split(/[\^=]/)
      .filter((part) => part.length >= 4)
      .map(ownMarker),
  ];
  const version: ParsedRequestOf<'annotation.save'>['versions'][number] = {
    versionId: crypto.randomUUID(),
    annotationUid: crypto.randomUUID(),
    parentIds: [],
    studyInstanceUID: ct.studyInstanceUID,
    seriesInstanceUID: series.seriesInstanceUID,
    sopInstanceUID: instance!.sopInstanceUID,
    kind: 'measurement',
    tool: 'Length',
    labelId: 'lesion',
    attributes: { comment: `${patientName} ${ANNOTATION_MARKERS[0]} ${HANZI_MARKER}` },
    data: {
      metadata: { toolName: 'Length', FrameOfReferenceUID: frameOfReference },
      data: {
        text: `${ANNOTATION_MARKERS[1]} ${patientName}`,
        handles: {
          points: [
            [1, 1, 0],
            [10, 12, 0],
          ],
        },
        cachedStats: {},
      },
    },
    source: 'human',
    status: 'complete',
    deleted: false,
  };
  await a.handlers['annotation.save']({ versions: [version] });
  await a.handlers['annotation.setStudyStatus']({
    studyInstanceUID: ct.studyInstanceUID,
    status: 'complete',
  });
  // The same report written here without de-identification: the markers are really in it.
  const exported = path.join(dir, 'report-plain');
  const { jobId } = await a.handlers['export.start']({
    format: 'sr',
    outputDir: exported,
    studyInstanceUIDs: [ct.studyInstanceUID],
    deid: false,
  });
  await waitForExport(a, jobId);
  localReport = Buffer.concat(filesUnder(exported).map((file) => fs.readFileSync(file)));

  await a.handlers['sync.loadProject']({
    source: manifestFile('project-a', [{ username: 'dr-a', tasks: [] }]),
  });
  await a.handlers['sync.selectStudies']({ studyInstanceUIDs: studies.map((s) => s.studyInstanceUID) });
  await syncToEnd(a);

  // What reached the project (Orthanc's own REST API, not through the proxy).
  const ids = (await (await orthanc.rest('/studies')).json()) as string[];
  uploadedStudies = [];
  for (const id of ids) {
    const study = (await (await orthanc.rest(`/studies/${id}`)).json()) as {
      MainDicomTags: { StudyInstanceUID: string };
    };
    uploadedStudies.push(study.MainDicomTags.StudyInstanceUID);
  }

  shiftedDates = await expectedShiftedDates(a);

  const sr = await orthanc.rest('/tools/find', {
    method: 'POST',
    body: JSON.stringify({ Level: 'Series', Query: { Modality: 'SR' } }),
  });
  srSeries = ((await sr.json()) as unknown[]).length;
  // The annotated study's report on the server, found as a client would: QIDO-RS for SR instances
  // of the study (straight to Orthanc, not through the proxy), then the stored file.
  const row = (await a.handlers['sync.status']({})).studies.find(
    (study) => study.studyInstanceUID === ct.studyInstanceUID,
  );
  const remote = row?.remoteStudyInstanceUID ?? '';
  const qido = await fetch(`${orthanc.dicomWebUrl}/studies/${remote}/instances?includefield=00080060`, {
    headers: { authorization: `Basic ${Buffer.from('user:secret').toString('base64')}` },
  });
  const found =
    qido.status === 204 ? [] : ((await qido.json()) as Array<Record<string, { Value?: string[] }>>);
  serverReports = [];
  for (const instance of found.filter((entry) => entry['00080060']?.Value?.[0] === 'SR')) {
    const sop = instance['00080018']?.Value?.[0] ?? '';
    const lookup = (await (
      await orthanc.rest('/tools/lookup', { method: 'POST', body: sop })
    ).json()) as Array<{ ID: string; Type: string }>;
    for (const hit of lookup.filter((entry) => entry.Type === 'Instance'))
      serverReports.push(Buffer.from(await (await orthanc.rest(`/instances/${hit.ID}/file`)).arrayBuffer()));
  }

  // Machine B, reader dr-b: pulls every uploaded study and the report.
  const b = openServices('b');
  setReaderSource(() => 'dr-b');
  await b.handlers['sync.loadProject']({
    source: manifestFile('project-b', [
      { username: 'dr-a', tasks: [] },
      { username: 'dr-b', tasks: uploadedStudies },
    ]),
  });
  await syncToEnd(b);
  pulledStudies = (await b.handlers['catalog.listStudies']({ limit: 1000, offset: 0 })).studies.length;
  setReaderSource(null);
  await proxy.close();
}, 600_000);

afterAll(async () => {
  setReaderSource(null);
  delete process.env[SYNC_USER_ENV];
  delete process.env[SYNC_PASSWORD_ENV];
  for (const services of open) await services.close();
  await proxy?.close();
  await orthanc?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function requestBytes(): Buffer[] {
  return [...proxy.exchanges.map((exchange) => exchange.request), ...proxy.rawSent];
}

describe('leak test on the wire: a full sync up and down through a recording proxy', () => {
  it('went through the proxy both ways: studies and the report uploaded, then pulled into a second data folder', () => {
    const methods = new Set(proxy.exchanges.map((exchange) => exchange.method));
    expect(methods.has('POST')).toBe(true); // STOW-RS
    expect(methods.has('GET')).toBe(true); // QIDO-RS, WADO-RS
    expect(uploadedStudies.length).toBeGreaterThan(3);
    expect(pulledStudies).toBe(uploadedStudies.length);
    const stowed = proxy.exchanges
      .filter((exchange) => exchange.method === 'POST')
      .reduce((sum, exchange) => sum + exchange.request.length, 0);
    expect(stowed).toBeGreaterThan(20_000);
    expect(srSeries).toBeGreaterThan(0);
  });

  it('the annotation went up as an SR of its own: planted in the report written here, found on the server by QIDO-RS without them', () => {
    // Written here (no de-identification), the report carries every marker of the annotation:
    // the patient's name, the markers in the free-text attribute and the note, the Chinese text.
    expect(localReport.length).toBeGreaterThan(0);
    expect(
      markersFoundIn(localReport, annotationMarkers)
        .map((found) => found.marker)
        .sort(),
    ).toEqual([...new Set(annotationMarkers.map((marker) => marker.marker))].sort());
    // On the server: RadLabel's report of the annotated study, the measurement in it, no marker.
    // RadLabel's own report: its private coding scheme names the tool, status and version items.
    const ours = serverReports.filter((bytes) => bytes.includes(Buffer.from('99RADLABEL')));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.includes(Buffer.from('Length'))).toBe(true);
    expect(markersFoundIn(ours[0]!, annotationMarkers)).toEqual([]);
  });

  it('sends no planted marker in any request byte, in any of its encodings, except what the options keep on purpose', () => {
    const planted = manifest.markers.filter((marker) => marker.vr !== 'pixels');
    const leaks = new Set<string>();
    for (const bytes of requestBytes()) {
      for (const found of markersFoundIn(bytes, planted)) {
        if (keptOnPurpose(found, KEPT) === null && !notALeak(bytes, found))
          leaks.add(`${found.file} ${found.where} (${found.kind}, ${found.vr}) "${found.marker}"`);
      }
    }
    expect(planted.length).toBeGreaterThan(500);
    // The shift's own output is known for the planted dates (so a collision is recognised as one).
    expect(shiftedDates.size).toBeGreaterThan(50);
    expect([...leaks]).toEqual([]);
  });

  it("never sends a patient's name, id or birth date, nor the annotation's own markers", () => {
    const identity = manifest.markers.filter((marker) => /^\(0010,00(10|20|30)\)/.test(marker.where));
    expect(identity.length).toBeGreaterThan(10);
    const leaks = new Set<string>();
    for (const bytes of requestBytes()) {
      for (const found of markersFoundIn(bytes, [...identity, ...annotationMarkers]))
        if (!notALeak(bytes, found)) leaks.add(`${found.file} ${found.where} "${found.marker}"`);
    }
    expect([...leaks]).toEqual([]);
  });

  it('what came back down carries no planted identity either (the server holds de-identified copies only)', () => {
    const identity = manifest.markers.filter((marker) => /^\(0010,00(10|20|30)\)/.test(marker.where));
    const leaks = new Set<string>();
    for (const bytes of [...proxy.exchanges.map((exchange) => exchange.response), ...proxy.rawReceived]) {
      for (const found of markersFoundIn(bytes, [...identity, ...annotationMarkers]))
        if (!notALeak(bytes, found)) leaks.add(`${found.file} ${found.where} "${found.marker}"`);
    }
    expect([...leaks]).toEqual([]);
  });
});
