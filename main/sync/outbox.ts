/**
 * The outbox: what goes up to the cloud project. Its only way in is `prepareStudy` /
 * `prepareAnnotations`: the study's stored files (or its annotations as SR/SEG) de-identified with
 * the project's settings by the de-identification engine (main/deid-app's upload configuration,
 * the same as an export) into the outbox's own folder, then registered in one transaction with the
 * SHA-256 of each file. Before a file is sent it is checked against that hash (`verifiedFile`):
 * a file put there or changed by anything else is refused. Nothing else can enqueue.
 *
 * Layout: `<data>/sync/outbox/<project key>/<study key>/<study>/<series>/<sop>.dcm`, named by the
 * de-identified UIDs under keys that are hashes (no original UID in a path). A folder being
 * written is `<study key>.partial` until registered; a crash leaves it, and `cleanup` removes it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { type Dataset, readPart10, text, writePart10 } from '../annotation/dicom/dataset.js';
import { trackingUidOf, versionIdOf } from '../annotation/dicom/codes.js';
import type { Logger } from '../core/logger.js';
import type { DeidConfig } from '../deid/index.js';
import { Pseudonymizer } from '../deid/pseudonyms.js';
import { deidentifyTree } from '../deid/service.js';
import { decodeText, parseSpecificCharacterSet, textKindFor, usesCodeExtensions } from '../dicom/charset.js';
import { LONG_VRS, explicitElementBytes, fileMetaBytes } from '../dicom/element-header.js';
import { type HeaderDataSet, readDicomHeaderFromFile, readHeaderDataSetFromFile } from '../dicom/header.js';
import type { ProjectDeidSettings } from '../deid-app/handlers.js';
import type { DocumentRef } from './annotations.js';
import type { NewItem, SyncStateStore } from './state-store.js';

export interface OutboxDependencies {
  state: SyncStateStore;
  /** `<data>/sync/outbox`. */
  root: string;
  projectId: string;
  deid: ProjectDeidSettings;
  uploadConfig(project: ProjectDeidSettings, files: readonly string[]): Promise<DeidConfig>;
  studyFiles(studyInstanceUID: string): string[] | null;
  /** SR/SEG of a study's annotations written (not yet de-identified) into a folder; the files and the SR. */
  writeAnnotations?(
    studyInstanceUID: string,
    folder: string,
    signal: AbortSignal,
    predecessor: DocumentRef | null,
  ): Promise<{ files: string[]; document: DocumentRef | null }>;
  /** The manifest's readers (user names): the authors whose names go up with their annotations. */
  readers?: readonly string[];
  logger: Logger;
  /** Worker threads for the engine (0: this thread). */
  workers?: number;
}

export interface PreparedStudy {
  remoteStudyUid: string | null;
  items: number;
  held: number;
  failed: number;
  /** The SR written (annotations), in the workstation's UIDs. */
  document?: DocumentRef | null;
}

const hashOf = (...parts: string[]): string =>
  crypto.createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);

export class Outbox {
  readonly #dir: string;

  constructor(private readonly deps: OutboxDependencies) {
    this.#dir = path.join(deps.root, hashOf('project', deps.projectId));
  }

  get folder(): string {
    return this.#dir;
  }

  /**
   * De-identifies a chosen study into the outbox and registers its instances (pending). Objects
   * the engine holds for review (burned-in text) are not written, so never sent; their count is
   * the study's `held`.
   */
  async prepareStudy(studyUid: string, signal: AbortSignal): Promise<PreparedStudy> {
    const files = this.deps.studyFiles(studyUid);
    if (!files) throw new AppError(ErrorCode.NotFound, 'This study is not in the local catalog.');
    const config = await this.deps.uploadConfig(this.deps.deid, files);
    return this.#deidentifyAndRegister(studyUid, 'image', hashOf('study', studyUid), files, config, signal);
  }

  /**
   * Writes a study's annotations as SR/SEG, de-identifies them likewise and registers them. A study
   * that came down from the project (`pulled`) already carries the project's UIDs and patient
   * pseudonym: its objects keep the UIDs (Retain UIDs) and get the study's pseudonyms back from its
   * images (this workstation would derive its own from them), so they join the study on the
   * server; everything else is de-identified as for any upload. Observers that are readers of the
   * manifest keep their names (restoreReaders).
   */
  async prepareAnnotations(
    studyUid: string,
    key: string,
    predecessor: DocumentRef | null,
    signal: AbortSignal,
    pulled = false,
  ): Promise<PreparedStudy> {
    const write = this.deps.writeAnnotations;
    if (!write) return { remoteStudyUid: null, items: 0, held: 0, failed: 0 };
    const scratch = path.join(this.#dir, `${hashOf('annotations', studyUid, key)}.source`);
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
    try {
      const { files, document } = await write(studyUid, scratch, signal, predecessor);
      if (files.length === 0) return { remoteStudyUid: null, items: 0, held: 0, failed: 0, document };
      const studyFiles = this.deps.studyFiles(studyUid) ?? [];
      const image = smallest(studyFiles);
      // The objects say what the study's images say about the patient and the study (the
      // de-identification derives the patient pseudonym and the date shift from it): they join
      // the images' study on the server, not a patient of their own.
      if (image) {
        const identity = studyIdentity(image, SOURCE_IDENTITY);
        for (const file of files)
          fs.writeFileSync(file, writePart10({ ...readPart10(fs.readFileSync(file)), ...identity }));
      }
      const base = await this.deps.uploadConfig(this.deps.deid, studyFiles);
      const config: DeidConfig = pulled
        ? { ...base, options: [...new Set([...base.options, 'retainUIDs' as const])] }
        : base;
      const source = files.find((file) => path.basename(file) === 'SR.dcm');
      // UIDs of the project that came back into a study uploaded from here (other readers'
      // versions, annotations, objects: mapBack) go up as the project has them, not de-identified
      // a second time: the engine maps them like every UID, and they are put back after it.
      const kept = pulled ? [] : this.deps.state.keptUids(this.deps.projectId, studyUid);
      if (!pulled && source) {
        const aliases = versionAliases(config, readPart10(fs.readFileSync(source)), new Set(kept));
        this.deps.state.transaction(() =>
          this.deps.state.addVersionAliases(this.deps.projectId, studyUid, aliases),
        );
      }
      const prepared = await this.#deidentifyAndRegister(
        studyUid,
        'annotation',
        hashOf('annotations', studyUid, key),
        files,
        config,
        signal,
        {
          ...(pulled && image ? { identity: studyIdentity(image, PULLED_IDENTITY) } : {}),
          ...(source ? { observers: readPart10(fs.readFileSync(source)) } : {}),
          ...(kept.length > 0 ? { restore: keptUidsAfterDeid(config, kept) } : {}),
        },
      );
      return { ...prepared, document };
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  async #deidentifyAndRegister(
    studyUid: string,
    kind: 'image' | 'annotation',
    key: string,
    files: readonly string[],
    config: DeidConfig,
    signal: AbortSignal,
    after: { identity?: Dataset; observers?: Dataset; restore?: ReadonlyMap<string, string> } = {},
  ): Promise<PreparedStudy> {
    const final = path.join(this.#dir, key);
    const partial = `${final}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const summary = await deidentifyTree({
      inputs: [...files],
      outputDir: partial,
      config,
      signal,
      logger: this.deps.logger,
      ...(this.deps.workers !== undefined ? { workers: this.deps.workers } : {}),
    });
    if (summary.cancelled || signal.aborted) {
      fs.rmSync(partial, { recursive: true, force: true });
      throw new AppError(ErrorCode.Cancelled, 'Sync was stopped.');
    }
    const items: NewItem[] = [];
    let remoteStudyUid: string | null = null;
    const readers = new Set((this.deps.readers ?? []).map((name) => name.toLowerCase()));
    if (after.identity || after.restore || (after.observers && readers.size > 0))
      for (const file of outputFiles(partial)) {
        let dataset = readPart10(fs.readFileSync(file));
        if (after.identity) dataset = { ...dataset, ...after.identity };
        const restore = after.restore;
        if (restore) mapUids(dataset, (uid) => restore.get(uid) ?? uid);
        if (after.observers && dataset['Modality'] === 'SR')
          restoreReaders(after.observers, dataset, readers);
        fs.writeFileSync(file, writePart10(dataset));
      }
    for (const file of outputFiles(partial)) {
      const header = readDicomHeaderFromFile(file);
      remoteStudyUid ??= header.studyInstanceUID;
      items.push({
        sopUid: header.sopInstanceUID,
        studyUid,
        remoteStudyUid: header.studyInstanceUID,
        seriesUid: header.seriesInstanceUID,
        kind,
        file: path.relative(this.deps.root, path.join(final, path.relative(partial, file))),
        size: fs.statSync(file).size,
        sha256: await fileHash(file),
      });
    }
    // The folder becomes the outbox's, then the rows name it; a crash between leaves a folder no
    // row names (removed by cleanup) and the study still queued.
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(partial, final);
    this.deps.state.transaction(() => this.deps.state.addItems(this.deps.projectId, 'up', items));
    // Copies of instances already sent (a study chosen again) are not kept.
    this.cleanup();
    return { remoteStudyUid, items: items.length, held: summary.held, failed: summary.failed };
  }

  /**
   * Maps an object another reader added on the server to a study uploaded from here back into this
   * machine's UIDs, in place (before it is imported): every UID the de-identification made here
   * (the linkage table's pseudonyms of this project: the study, series, images, this machine's
   * annotations and versions) becomes its original again; every other UID (the other reader's
   * versions, annotations and objects) is kept as the project has it, and returned so the study's
   * next upload keeps it too. The patient and study attributes become those of the study's images
   * here, so the object joins the local study instead of making a patient of its own.
   */
  async mapBack(studyUid: string, file: string): Promise<{ sopInstanceUID: string; kept: string[] }> {
    const config = await this.deps.uploadConfig(this.deps.deid, []);
    const linkage = config.linkage;
    if (!linkage?.reverse)
      throw new AppError(
        ErrorCode.KeyUnavailable,
        'The de-identification linkage table is not available, so annotations of other readers cannot be matched to this study.',
      );
    const originals = new Map<string, string>();
    const kept = new Set<string>();
    const dataset = readPart10(fs.readFileSync(file));
    mapUids(dataset, (uid) => {
      let original = originals.get(uid);
      if (original === undefined) {
        const entry = Pseudonymizer.isWellKnown(uid) ? null : linkage.reverse!('uid', uid);
        original =
          entry?.kind === 'uid' && entry.project === config.projectId
            ? entry.original
            : (this.deps.state.versionAlias(this.deps.projectId, studyUid, uid) ?? uid);
        originals.set(uid, original);
        if (original === uid && !Pseudonymizer.isWellKnown(uid)) kept.add(uid);
      }
      return original;
    });
    if (dataset['StudyInstanceUID'] !== studyUid)
      throw new AppError(
        ErrorCode.InvalidRequest,
        'This object from the project server does not belong to the study uploaded from here.',
      );
    const image = smallest(this.deps.studyFiles(studyUid) ?? []);
    if (image) Object.assign(dataset, studyIdentity(image, SOURCE_IDENTITY));
    fs.writeFileSync(file, writePart10(dataset));
    return { sopInstanceUID: text(dataset['SOPInstanceUID']), kept: [...kept] };
  }

  /** The absolute path of an item's file, checked unchanged since the engine wrote it. */
  async verifiedFile(item: { file: string | null; sha256: string | null; size: number }): Promise<string> {
    if (!item.file || !item.sha256)
      throw new AppError(ErrorCode.InvalidRequest, 'This object did not come from the de-identification.');
    const absolute = path.resolve(this.deps.root, item.file);
    if (!absolute.startsWith(this.#dir + path.sep))
      throw new AppError(ErrorCode.InvalidRequest, 'This object is not in the outbox.');
    let hash: string;
    try {
      hash = await fileHash(absolute);
    } catch (error) {
      throw new AppError(ErrorCode.NotFound, 'The de-identified copy of this object is missing.', {
        cause: error,
      });
    }
    if (hash !== item.sha256)
      throw new AppError(
        ErrorCode.InvalidRequest,
        'The de-identified copy of this object was changed after de-identification; it is not sent.',
      );
    return absolute;
  }

  /**
   * After a crash or at start: removes folders being written, and files no pending row names (sent
   * ones, leftovers of an interrupted registration).
   */
  cleanup(): void {
    if (!fs.existsSync(this.#dir)) return;
    const named = new Set(
      this.deps.state
        .pendingWithFiles(this.deps.projectId, 'up')
        .map((row) => path.resolve(this.deps.root, row.file!)),
    );
    for (const entry of fs.readdirSync(this.#dir, { withFileTypes: true })) {
      const full = path.join(this.#dir, entry.name);
      if (entry.name.endsWith('.partial') || entry.name.endsWith('.source')) {
        fs.rmSync(full, { recursive: true, force: true });
        continue;
      }
      if (!entry.isDirectory()) {
        fs.rmSync(full, { force: true });
        continue;
      }
      let kept = 0;
      for (const file of outputFiles(full)) {
        if (named.has(file)) kept++;
        else fs.rmSync(file, { force: true });
      }
      if (kept === 0) fs.rmSync(full, { recursive: true, force: true });
    }
  }

  /** Removes a sent item's file (and its study folder once empty). */
  forget(file: string | null): void {
    if (!file) return;
    const absolute = path.resolve(this.deps.root, file);
    if (!absolute.startsWith(this.#dir + path.sep)) return;
    fs.rmSync(absolute, { force: true });
  }
}

/**
 * The observers of an SR as the project knows them: the de-identification replaces every person
 * name (an SR's observer too); a name that is one of the manifest's readers (the project's own
 * user names) is put back where the source SR had it, item for item. Any other name stays replaced.
 */
function restoreReaders(source: Dataset, output: Dataset, readers: ReadonlySet<string>): void {
  const name = text(source['PersonName']).trim();
  if (name && readers.has(name.toLowerCase()) && output['PersonName'] !== undefined)
    output['PersonName'] = source['PersonName'];
  const from = source['ContentSequence'];
  const to = output['ContentSequence'];
  if (!Array.isArray(from) || !Array.isArray(to) || from.length !== to.length) return;
  from.forEach((item, index) => restoreReaders(item as Dataset, to[index] as Dataset, readers));
}

/** The identity attributes the outbox reads from a study's image: tag and the dictionary's VR. */
const IDENTITY_ATTRIBUTES = {
  SpecificCharacterSet: [0x00080005, 'CS'],
  StudyDate: [0x00080020, 'DA'],
  StudyTime: [0x00080030, 'TM'],
  AccessionNumber: [0x00080050, 'SH'],
  ReferringPhysicianName: [0x00080090, 'PN'],
  PatientName: [0x00100010, 'PN'],
  PatientID: [0x00100020, 'LO'],
  IssuerOfPatientID: [0x00100021, 'LO'],
  PatientBirthDate: [0x00100030, 'DA'],
  PatientSex: [0x00100040, 'CS'],
  ClinicalTrialSubjectID: [0x00120040, 'LO'],
  StudyID: [0x00200010, 'SH'],
} as const satisfies Record<string, readonly [number, string]>;
type IdentityKeyword = Exclude<keyof typeof IDENTITY_ATTRIBUTES, 'SpecificCharacterSet'>;

/** The study-level identity a pulled study has on the server (the project's pseudonyms, shifted dates). */
export const PULLED_IDENTITY: readonly IdentityKeyword[] = [
  'PatientID',
  'PatientName',
  'ClinicalTrialSubjectID',
  'StudyDate',
  'StudyTime',
];

/** What the de-identification keys a patient's pseudonym and date shift on, and the study's own. */
export const SOURCE_IDENTITY: readonly IdentityKeyword[] = [
  'PatientID',
  'IssuerOfPatientID',
  'PatientName',
  'PatientBirthDate',
  'PatientSex',
  'StudyDate',
  'StudyTime',
  'StudyID',
  'AccessionNumber',
  'ReferringPhysicianName',
];

/**
 * The patient and study attributes of one of a study's images. Before de-identification they make
 * the annotation objects name the patient as the images do; after it, for a pulled study, they are
 * the project's pseudonyms as its images carry them (the de-identification would derive this
 * workstation's own from them).
 *
 * Only the image's header is read, as the import reads it (main/dicom/header.ts: bounded reads up
 * to Pixel Data, the import's leniency): a stored image is one the import accepted, so reading it
 * never fails on its pixel data or on a quirk the strict check for hostile SR/SEG files refuses.
 * The values are then decoded as before: the attributes' own bytes (and the Specific Character
 * Set's) are put in a small Part 10 object of their own and read by readPart10, the dcmjs reading
 * the annotation objects are written with (GB18030, UTF-8, Latin-1…: the same values). dcmjs does
 * not read ISO 2022 code extensions (an ISO 2022 IR 58 张^三 came out as Latin-1 characters), so
 * values in such a character set are decoded by the catalog's decoder (main/dicom/charset.ts) and
 * given as UTF-8.
 */
export function studyIdentity(file: string, keywords: readonly IdentityKeyword[]): Dataset {
  const image = readPart10(identityObject(readHeaderDataSetFromFile(file), keywords));
  return Object.fromEntries(
    keywords.filter((keyword) => image[keyword] !== undefined).map((keyword) => [keyword, image[keyword]]),
  );
}

const EXPLICIT_VR_LITTLE_ENDIAN_UID = '1.2.840.10008.1.2.1\0';

/**
 * A Part 10 object (explicit VR little endian) of the header's Specific Character Set and
 * `keywords`, each with its value bytes as the image has them. String values do not depend on the
 * byte order or the VR encoding of the image, so they decode as they would in the image itself.
 */
function identityObject({ dataSet }: HeaderDataSet, keywords: readonly IdentityKeyword[]): Uint8Array {
  const elementOf = (tag: number) => dataSet.elements[`x${tag.toString(16).padStart(8, '0')}`];
  const valueOf = (tag: number): Uint8Array | null => {
    const element = elementOf(tag);
    if (!element || element.hadUndefinedLength) return null;
    const end = element.dataOffset + element.length;
    return end > dataSet.byteArray.length ? null : dataSet.byteArray.subarray(element.dataOffset, end);
  };
  const charset = valueOf(IDENTITY_ATTRIBUTES.SpecificCharacterSet[0]);
  const terms = parseSpecificCharacterSet(charset ? Buffer.from(charset).toString('latin1') : undefined);
  const transcoded = usesCodeExtensions(terms);
  const elements: Buffer[] = [];
  if (charset)
    elements.push(
      explicitElementBytes(0x00080005, 'CS', transcoded ? Buffer.from('ISO_IR 192', 'latin1') : charset),
    );
  const wanted = keywords.map((keyword) => IDENTITY_ATTRIBUTES[keyword]).sort((a, b) => a[0] - b[0]);
  for (const [tag, dictionaryVr] of wanted) {
    const value = valueOf(tag);
    if (!value) continue;
    const element = elementOf(tag)!;
    // An explicit VR file's own VR, as dcmjs reads it; the dictionary's for implicit VR (and UN).
    const vr = element.vr && /^[A-Z]{2}$/.test(element.vr) && element.vr !== 'UN' ? element.vr : dictionaryVr;
    // Over 64 KiB cannot be a name, an ID or a date (nor be written back with a 2-byte length).
    if (!LONG_VRS.has(vr) && value.length > 0xffff) continue;
    elements.push(
      explicitElementBytes(
        tag,
        vr,
        transcoded ? Buffer.from(decodeText(value, terms, textKindFor(vr)), 'utf8') : value,
      ),
    );
  }
  const syntax = explicitElementBytes(0x00020010, 'UI', Buffer.from(EXPLICIT_VR_LITTLE_ENDIAN_UID, 'latin1'));
  return Buffer.concat([fileMetaBytes([syntax]), ...elements]);
}

/** The smallest of a study's files (the cheapest to read). */
function smallest(files: readonly string[]): string | undefined {
  let best: { file: string; size: number } | undefined;
  for (const file of files) {
    const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
    if (size !== undefined && (!best || size < best.size)) best = { file, size };
  }
  return best?.file;
}

const UID_VALUE = /^\d+(\.\d+)+$/;

/**
 * Rewrites every UID of a dataset through `map`, in place: each attribute whose keyword ends in
 * UID (a UIDREF content item's `UID` too), in every item of every sequence, multi-valued ones value
 * by value.
 */
function mapUids(dataset: Dataset, map: (uid: string, keyword: string) => string): void {
  for (const [keyword, value] of Object.entries(dataset)) {
    if (Array.isArray(value) && value.some((item) => isItem(item))) {
      for (const item of value) if (isItem(item)) mapUids(item, map);
      continue;
    }
    if (!keyword.endsWith('UID')) continue;
    const one = (uid: unknown): unknown =>
      typeof uid === 'string' && UID_VALUE.test(uid.trim()) ? map(uid.trim(), keyword) : uid;
    if (typeof value === 'string') dataset[keyword] = value.split('\\').map(one).join('\\');
    else if (Array.isArray(value)) dataset[keyword] = value.map(one);
  }
}

const isItem = (value: unknown): value is Dataset =>
  typeof value === 'object' &&
  value !== null &&
  !ArrayBuffer.isView(value) &&
  !(value instanceof ArrayBuffer);

/**
 * What machines that pull an SR uploaded from here write for its versions: a version UID the
 * de-identification remapped is no UUID, so they know the version by a UUID derived from it
 * (`versionIdOf`) and write that UUID's UID. Each such alias, mapped to the version UID here.
 */
function versionAliases(config: DeidConfig, sr: Dataset, kept: ReadonlySet<string>): Map<string, string> {
  const pseudonyms = new Pseudonymizer(config.projectSecret, config.projectId);
  const aliases = new Map<string, string>();
  mapUids(sr, (uid, keyword) => {
    if (keyword === 'UID' && !kept.has(uid) && !Pseudonymizer.isWellKnown(uid)) {
      const pseudonym = pseudonyms.uid(uid);
      const alias = trackingUidOf(versionIdOf(pseudonym));
      if (alias !== pseudonym) aliases.set(alias, uid);
    }
    return uid;
  });
  return aliases;
}

/** What the de-identification makes of each kept UID (the project's own), mapped to the kept UID. */
function keptUidsAfterDeid(config: DeidConfig, kept: readonly string[]): Map<string, string> {
  const pseudonyms = new Pseudonymizer(config.projectSecret, config.projectId);
  return new Map(kept.map((uid) => [pseudonyms.uid(uid), uid]));
}

/** Every `.dcm` file under a folder (the engine's `<study>/<series>/<sop>.dcm` layout), sorted. */
function outputFiles(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.partial') walk(full);
      } else if (entry.isFile() && entry.name.endsWith('.dcm')) found.push(full);
    }
  };
  walk(folder);
  return found;
}

async function fileHash(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}
