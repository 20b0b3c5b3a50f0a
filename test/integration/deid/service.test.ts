/** The service: preview, per-study reports, the contract handlers, cancellation. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeidPreviewRow, DeidStudyReport } from '../../../shared/contract.js';
import {
  createDeidHandlers,
  deidentifyTree,
  previewInstance,
  StudyReports,
} from '../../../main/deid/service.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { buildDicom } from '../../unit/deid/support/build-dicom.js';
import { config, sample, sampleElements } from '../../unit/deid/support/sample.js';

let root: string;
beforeAll(() => {
  root = makeTempDir('deid-service');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const projectConfig = config({ pixelCleaner: undefined, ocr: false });

describe('previewInstance', () => {
  it('shows every attribute before and after with the action that decided', async () => {
    const rows = await previewInstance(buildDicom(sampleElements()), projectConfig);
    for (const row of rows) DeidPreviewRow.parse(row);
    const byTag = new Map(rows.filter((row) => row.depth === 0).map((row) => [row.tag, row]));
    expect(byTag.get('(0010,1040)')).toMatchObject({
      keyword: 'PatientAddress',
      before: '12 Elm Street',
      after: '',
      action: 'X',
    });
    expect(byTag.get('(0008,0050)')).toMatchObject({ before: sample.accession, after: '', action: 'Z' });
    expect(byTag.get('(0008,1030)')).toMatchObject({
      before: 'CT CHEST WITH CONTRAST',
      after: 'CT CHEST WITH CONTRAST',
      action: 'C (kept)',
    });
    expect(byTag.get('(0020,000D)')?.after).toMatch(/^2\.25\./);
    expect(byTag.get('(0008,0020)')?.action).toBe('C (shifted)');
    expect(rows.some((row) => row.depth === 1 && row.tag === '(0008,1155)' && row.action === 'U')).toBe(true);
  });
});

describe('deidentifyTree and study reports', () => {
  it('aggregates what happened per original study, and serves it through the handlers', async () => {
    const input = path.join(root, 'in');
    fs.mkdirSync(input);
    fs.writeFileSync(path.join(input, 'a.dcm'), buildDicom(sampleElements()));
    fs.writeFileSync(
      path.join(input, 'b.dcm'),
      buildDicom(sampleElements({ sopUid: `${sample.sopUid}.2`, studyDescription: 'CT DOE JANE' })),
    );
    const reports = new StudyReports();
    const summary = await deidentifyTree({
      inputs: [input],
      outputDir: path.join(root, 'out'),
      config: projectConfig,
      workers: 0,
      reports,
    });
    expect(summary.done).toBe(2);
    const handlers = createDeidHandlers({
      config: () => projectConfig,
      instanceBytes: async () => buildDicom(sampleElements()),
      reports,
    });
    const report = DeidStudyReport.parse(
      await handlers['deid.studyReport']({ studyInstanceUID: sample.studyUid }),
    );
    expect(report.objects).toEqual({ done: 2, held: 0, failed: 0, duplicates: 0, conflicts: 0 });
    expect(report.pseudonymousStudyInstanceUID).toMatch(/^2\.25\./);
    expect(report.actions['uidsRemapped']).toBeGreaterThan(0);
    // ImageComments names the patient in both objects; b's StudyDescription too.
    expect(report.warnings).toEqual([expect.objectContaining({ code: 'descriptor-cleaned', count: 3 })]);
    const preview = await handlers['deid.preview']({ sopInstanceUID: sample.sopUid });
    expect(preview.length).toBeGreaterThan(20);
    await expect(handlers['deid.studyReport']({ studyInstanceUID: '1.2.3' })).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('stops scheduling on cancel and reports the run as cancelled', async () => {
    const series = ensureCtSeries({ slices: 40, size: 64, seed: 'deid-cancel' });
    const controller = new AbortController();
    const summary = await deidentifyTree({
      inputs: [series.dir],
      outputDir: path.join(root, 'out-cancel'),
      config: projectConfig,
      workers: 0,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.filesDone === 5) controller.abort();
      },
    });
    expect(summary.cancelled).toBe(true);
    expect(summary.done).toBe(5);
  });
});

describe('an object that cannot be placed in the output', () => {
  it('is counted once, as a failure, and the counts still add up to the inputs', async () => {
    const input = path.join(root, 'place-in');
    fs.mkdirSync(input);
    fs.writeFileSync(path.join(input, 'a.dcm'), buildDicom(sampleElements()));
    // The first run tells where the study goes; in a second output folder a plain file stands there.
    const first = await deidentifyTree({
      inputs: [input],
      outputDir: path.join(root, 'place-out-1'),
      config: projectConfig,
      workers: 0,
    });
    expect(first.done).toBe(1);
    const [studyFolder] = fs
      .readdirSync(path.join(root, 'place-out-1'))
      .filter((name) => name.startsWith('2.25.'));
    expect(studyFolder).toBeDefined();
    const blocked = path.join(root, 'place-out-2');
    fs.mkdirSync(blocked);
    fs.writeFileSync(path.join(blocked, studyFolder!), 'not a folder');
    const summary = await deidentifyTree({
      inputs: [input],
      outputDir: blocked,
      config: projectConfig,
      workers: 0,
    });
    expect(summary).toMatchObject({ filesFound: 1, filesDone: 1, done: 0, failed: 1 });
    expect(summary.failures).toHaveLength(1);
  });
});
