/**
 * A study's annotations for the cloud project (#10 item 2): when the study is marked complete (or
 * verified; drafts too when the manifest says so) its current annotations are written as a TID 1500
 * measurement SR and one SEG per segmentation by the interchange export (main/annotation/export/),
 * then de-identified with the project's settings by the outbox like every other object. Each new
 * SR names the one uploaded before it in PredecessorDocumentsSequence (in the workstation's UIDs,
 * which the de-identification maps to the project's like every reference), so the server holds
 * the versions as a chain.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Handlers } from '../../shared/contract.js';
import { readPart10, writePart10 } from '../annotation/dicom/dataset.js';
import { type ExportSource, runExport } from '../annotation/export/run-export.js';
import { currentReader } from '../annotation/reader.js';

/** An uploaded SR, in the workstation's UIDs (before de-identification). */
export interface DocumentRef {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  sopClassUID: string;
}

export interface AnnotationSource extends ExportSource {
  handlers: ExportSource['handlers'] & Pick<Handlers, 'annotation.studyStatus'>;
}

/**
 * A key of what would be uploaded now (status and current versions), or null when nothing is due:
 * no annotations, or not complete while drafts stay local.
 */
export async function annotationsKey(
  source: AnnotationSource,
  studyInstanceUID: string,
  uploadDrafts: boolean,
): Promise<string | null> {
  const status = await source.handlers['annotation.studyStatus']({ studyInstanceUID });
  if (status.annotations === 0) return null;
  if (!uploadDrafts && status.status !== 'complete' && status.status !== 'verified') return null;
  const { heads } = await source.handlers['annotation.list']({ studyInstanceUID });
  const versions = heads.map((head) => head.versionId).sort();
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([status.status, versions]))
    .digest('hex')
    .slice(0, 32);
}

/** Writes the study's SR and SEG objects into `folder`; resolves to their files and the SR written. */
export async function writeStudyAnnotations(
  source: AnnotationSource,
  options: {
    studyInstanceUID: string;
    folder: string;
    signal: AbortSignal;
    softwareVersion: string;
    predecessor: DocumentRef | null;
  },
): Promise<{ files: string[]; document: DocumentRef | null }> {
  const files: string[] = [];
  for (const format of ['sr', 'seg'] as const) {
    const summary = await runExport({
      source,
      format,
      outputDir: path.join(options.folder, format),
      studies: [options.studyInstanceUID],
      reader: currentReader().replace(/^cli:/, ''),
      softwareVersion: options.softwareVersion,
      signal: options.signal,
    });
    files.push(...summary.files.filter((file) => file.endsWith('.dcm')));
  }
  let document: DocumentRef | null = null;
  for (const file of files) {
    if (path.basename(file) !== 'SR.dcm') continue;
    const dataset = readPart10(fs.readFileSync(file));
    if (options.predecessor) {
      const previous = options.predecessor;
      // Kept: the AI SRs whose findings the reader edited (main/ai/provenance.ts).
      const earlier = Array.isArray(dataset['PredecessorDocumentsSequence'])
        ? (dataset['PredecessorDocumentsSequence'] as unknown[])
        : [];
      dataset['PredecessorDocumentsSequence'] = [
        ...earlier,
        {
          StudyInstanceUID: previous.studyInstanceUID,
          ReferencedSeriesSequence: [
            {
              SeriesInstanceUID: previous.seriesInstanceUID,
              ReferencedSOPSequence: [
                {
                  ReferencedSOPClassUID: previous.sopClassUID,
                  ReferencedSOPInstanceUID: previous.sopInstanceUID,
                },
              ],
            },
          ],
        },
      ];
      fs.writeFileSync(file, writePart10(dataset));
    }
    document = {
      studyInstanceUID: String(dataset['StudyInstanceUID']),
      seriesInstanceUID: String(dataset['SeriesInstanceUID']),
      sopInstanceUID: String(dataset['SOPInstanceUID']),
      sopClassUID: String(dataset['SOPClassUID']),
    };
  }
  return { files, document };
}
