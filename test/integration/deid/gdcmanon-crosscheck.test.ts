/**
 * Cross-check against a reference implementation: GDCM's gdcmanon with the PS3.15 basic
 * profile (`gdcmanon -e -c cert.pem`, apt libgdcm-tools) and our engine de-identify the same
 * corpus. Every top-level attribute that gdcmanon removes or empties while we keep its original
 * value must be listed, with its justification, in docs/deid-crosscheck.md; the test fails on
 * any that is not.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeidentifier, type DeidOptionName } from '../../../main/deid/index.js';
import { DEBIAN_PYTHON, generateMarkerFixtures } from '../../fixtures/deid-markers/index.js';
import { ensureCtSeries, pydicomCharsetFilesDir, pydicomTestFilesDir } from '../../fixtures/index.js';

const run = promisify(execFile);
const CROSSCHECK_DOC = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../docs/deid-crosscheck.md',
);

const CONFIGS: Array<{ name: 'basic' | 'research'; options: DeidOptionName[] }> = [
  // The basic profile alone, plus Clean Pixel Data so that burned-in objects are compared too.
  { name: 'basic', options: ['cleanPixelData'] },
  { name: 'research', options: [] },
];

/** Lists, for each file present in all three folders, the top-level attributes removed/emptied by the reference and kept unchanged by us. */
const DIFF_SCRIPT = `
import json, os, sys, warnings
warnings.simplefilter('ignore')
import pydicom
def attributes(path):
    ds = pydicom.dcmread(path, force=True)
    found = {}
    for element in list(ds.file_meta) + list(ds):
        if element.tag == 0x04000500:  # gdcmanon's EncryptedAttributesSequence
            continue
        empty = element.value in (None, '', b'', []) or (element.VR == 'SQ' and len(element.value) == 0)
        found['(%04X,%04X)' % (element.tag.group, element.tag.element)] = (element.keyword or element.name, empty, str(element.value))
    return found
inputs, reference, ours = sys.argv[1:4]
differences = []
for name in sorted(os.listdir(ours)):
    if not os.path.exists(os.path.join(reference, name)):
        continue
    before, theirs, mine = attributes(os.path.join(inputs, name)), attributes(os.path.join(reference, name)), attributes(os.path.join(ours, name))
    for tag, (keyword, empty, value) in before.items():
        if empty:
            continue
        removed_by_reference = tag not in theirs or theirs[tag][1]
        kept_by_us = tag in mine and not mine[tag][1] and mine[tag][2] == value
        if removed_by_reference and kept_by_us:
            differences.append({'file': name, 'tag': tag, 'keyword': keyword})
print(json.dumps(differences))
`;

interface Difference {
  file: string;
  tag: string;
  keyword: string;
}

let workDir: string;
const differences = new Map<string, Difference[]>();
const referenceFailures: string[] = [];

/** Runs gdcmanon over a folder; a single failure aborts its directory run, so failing files are retried one by one and skipped. */
async function gdcmanon(inputDir: string, outputDir: string, cert: string): Promise<void> {
  fs.mkdirSync(outputDir, { recursive: true });
  for (const name of fs.readdirSync(inputDir)) {
    await run('gdcmanon', [
      '-e',
      '-c',
      cert,
      '-i',
      path.join(inputDir, name),
      '-o',
      path.join(outputDir, name),
    ]).catch(() => referenceFailures.push(name));
  }
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-crosscheck-'));
  const inputDir = path.join(workDir, 'in');
  const markerDir = path.join(workDir, 'markers');
  const markers = generateMarkerFixtures(markerDir);
  fs.mkdirSync(inputDir);
  const series = ensureCtSeries({ slices: 3, size: 128, seed: 'deid-crosscheck' });
  const corpus = [
    ...markers.files.map((file) => path.join(markerDir, file)),
    ...['CT_small.dcm', 'MR_small.dcm', 'rtplan.dcm', 'reportsi.dcm', 'test-SR.dcm', 'waveform_ecg.dcm'].map(
      (name) => path.join(pydicomTestFilesDir, name),
    ),
    ...['chrH31.dcm', 'chrX1.dcm', 'chrGerm.dcm'].map((name) => path.join(pydicomCharsetFilesDir, name)),
    ...series.files,
  ];
  for (const file of corpus) fs.copyFileSync(file, path.join(inputDir, path.basename(file)));

  const cert = path.join(workDir, 'cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    path.join(workDir, 'key.pem'),
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=radlabel-crosscheck',
  ]);
  await gdcmanon(inputDir, path.join(workDir, 'gdcmanon'), cert);

  for (const config of CONFIGS) {
    const outputDir = path.join(workDir, `ours-${config.name}`);
    fs.mkdirSync(outputDir);
    const deidentifier = createDeidentifier({
      profile: config.name,
      options: config.options,
      projectSecret: new Uint8Array(32).fill(5),
      projectId: 'CROSSCHECK',
      clinicalTrial: { sponsorName: 'RadLabel Proof', protocolId: 'PROOF-3' },
    });
    try {
      for (const name of fs.readdirSync(inputDir)) {
        const outcome = await deidentifier.deidentify(
          new Uint8Array(fs.readFileSync(path.join(inputDir, name))),
        );
        if (outcome.status === 'done') fs.writeFileSync(path.join(outputDir, name), outcome.output);
      }
    } finally {
      await deidentifier.close();
    }
    const { stdout } = await run(
      DEBIAN_PYTHON,
      ['-c', DIFF_SCRIPT, inputDir, path.join(workDir, 'gdcmanon'), outputDir],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    differences.set(config.name, JSON.parse(stdout) as Difference[]);
  }
}, 600_000);

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** `config tag` pairs justified in docs/deid-crosscheck.md (table rows `| config | (gggg,eeee) | … |`). */
function justifiedInDoc(): Set<string> {
  const justified = new Set<string>();
  for (const line of fs.readFileSync(CROSSCHECK_DOC, 'utf8').split('\n')) {
    const match = /^\|\s*(basic|research)\s*\|\s*(\([0-9A-F]{4},[0-9A-F]{4}\))\s*\|[^|]+\|\s*\S[^|]*\|/.exec(
      line,
    );
    if (match) justified.add(`${match[1]} ${match[2]}`);
  }
  return justified;
}

describe('cross-check with gdcmanon (GDCM basic profile)', () => {
  it('the reference de-identified the corpus (files it cannot process are listed in the doc)', () => {
    const doc = fs.readFileSync(CROSSCHECK_DOC, 'utf8');
    expect(referenceFailures.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });

  it.each(CONFIGS.map((config) => config.name))(
    'every attribute gdcmanon removes or empties that we keep (%s) is justified in docs/deid-crosscheck.md',
    (name) => {
      const justified = justifiedInDoc();
      const unjustified = [
        ...new Set(
          differences.get(name)!.map((difference) => `${name} ${difference.tag} ${difference.keyword}`),
        ),
      ].filter((entry) => !justified.has(entry.split(' ').slice(0, 2).join(' ')));
      expect(unjustified).toEqual([]);
    },
  );
});
