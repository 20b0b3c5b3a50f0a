import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../main/catalog/catalog.js';
import { makeTempDir } from '../../fixtures/index.js';
import { instanceRecord } from './records.js';

const dir = makeTempDir('catalog');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const openFresh = () =>
  Catalog.open(path.join(dir, `catalog-${(counter += 1)}.sqlite`), {
    now: () => new Date('2026-01-02T03:04:05Z'),
  });

describe('catalog', () => {
  it('adds instances and keeps study and series counts and modalities', () => {
    const catalog = openFresh();
    const result = catalog.addInstances([
      instanceRecord({ sopInstanceUID: '1.2.3.1.1' }),
      instanceRecord({ sopInstanceUID: '1.2.3.1.2' }),
      instanceRecord({
        sopInstanceUID: '1.2.3.2.1',
        seriesInstanceUID: '1.2.3.2',
        modality: 'SR',
        seriesNumber: 2,
      }),
    ]);
    expect(result).toEqual({ outcomes: ['added', 'added', 'added'], changedStudyUIDs: ['1.2.3'] });
    const { study, series } = catalog.getStudy('1.2.3')!;
    expect(study).toMatchObject({
      numberOfSeries: 2,
      numberOfInstances: 3,
      modalities: ['CT', 'SR'],
      patientName: 'Doe^Jane',
    });
    expect(series.map((s) => [s.seriesInstanceUID, s.numberOfInstances])).toEqual([
      ['1.2.3.1', 2],
      ['1.2.3.2', 1],
    ]);
    catalog.close();
  });

  it('counts a re-added instance with the same content as a duplicate and changes nothing', () => {
    const catalog = openFresh();
    catalog.addInstances([instanceRecord({ sopInstanceUID: '1.2.3.1.1' })]);
    const again = catalog.addInstances([instanceRecord({ sopInstanceUID: '1.2.3.1.1' })]);
    expect(again).toEqual({ outcomes: ['duplicate'], changedStudyUIDs: [] });
    expect(catalog.counts()).toEqual({ patients: 1, studies: 1, series: 1, instances: 1 });
    expect(catalog.getStudy('1.2.3')!.study.numberOfInstances).toBe(1);
    catalog.close();
  });

  it('reports the same SOP Instance UID with different content as a conflict and keeps the stored one', () => {
    const catalog = openFresh();
    const original = instanceRecord({ sopInstanceUID: '1.2.3.1.1' });
    catalog.addInstances([original]);
    const other = instanceRecord({
      sopInstanceUID: '1.2.3.1.1',
      sha256: 'f'.repeat(64),
      filePath: `ff/${'f'.repeat(64)}.dcm`,
    });
    expect(catalog.addInstances([other]).outcomes).toEqual(['conflict']);
    expect(catalog.storedFile('1.2.3.1.1')!.filePath).toBe(original.filePath);
    catalog.close();
  });

  it('lists instances in display order: position along the normal, then instance number', () => {
    const catalog = openFresh();
    catalog.addInstances([
      instanceRecord({ sopInstanceUID: '1.2.3.1.5', slicePosition: null, instanceNumber: 1 }),
      instanceRecord({ sopInstanceUID: '1.2.3.1.4', slicePosition: 20, instanceNumber: 1 }),
      instanceRecord({ sopInstanceUID: '1.2.3.1.3', slicePosition: -10, instanceNumber: 9 }),
      instanceRecord({ sopInstanceUID: '1.2.3.1.2', slicePosition: 20, instanceNumber: 0 }),
    ]);
    expect(catalog.listInstances('1.2.3.1')!.map((i) => i.sopInstanceUID)).toEqual([
      '1.2.3.1.3',
      '1.2.3.1.2',
      '1.2.3.1.4',
      '1.2.3.1.5',
    ]);
    expect(catalog.getStudy('1.2.3')!.series[0]!.thumbnailSopInstanceUID).toBe('1.2.3.1.2');
    expect(catalog.listInstances('9.9.9')).toBeNull();
    catalog.close();
  });

  describe('worklist', () => {
    const catalog = openFresh();
    const studies = [
      {
        uid: '1.1',
        date: '20240301',
        name: 'Zeta^Anna',
        id: 'Z9',
        description: 'MR brain',
        modality: 'MR',
        instances: 3,
      },
      {
        uid: '1.2',
        date: '20230115',
        name: 'Alpha^Bob',
        id: 'A1',
        description: 'CT chest',
        modality: 'CT',
        instances: 1,
      },
      {
        uid: '1.3',
        date: '20250720',
        name: 'Müller^Jürgen',
        id: 'M5',
        description: 'CT abdomen',
        modality: 'CT',
        instances: 2,
      },
    ];
    for (const s of studies) {
      catalog.addInstances(
        Array.from({ length: s.instances }, (_, i) =>
          instanceRecord({
            sopInstanceUID: `${s.uid}.1.${i + 1}`,
            studyInstanceUID: s.uid,
            seriesInstanceUID: `${s.uid}.1`,
            studyDate: s.date,
            patientName: { alphabetic: s.name, ideographic: '', phonetic: '' },
            patientId: s.id,
            studyDescription: s.description,
            modality: s.modality,
          }),
        ),
      );
    }
    catalog.addInstances([
      instanceRecord({
        sopInstanceUID: '1.4.1.1',
        studyInstanceUID: '1.4',
        seriesInstanceUID: '1.4.1',
        studyDate: '20220101',
        patientName: { alphabetic: 'Yamada^Tarou', ideographic: '山田^太郎', phonetic: 'やまだ^たろう' },
        patientId: 'J1',
        studyDescription: 'XR hand',
      }),
    ]);
    const uids = (response: { studies: Array<{ studyInstanceUID: string }> }) =>
      response.studies.map((s) => s.studyInstanceUID);

    it('sorts by study date, newest first by default', () => {
      expect(uids(catalog.listStudies({ limit: 10, offset: 0 }))).toEqual(['1.3', '1.1', '1.2', '1.4']);
    });

    it('sorts by patient name (first name group, diacritics folded) and by number of instances', () => {
      // Alpha, Müller, Yamada (山田 sorts by its alphabetic group), Zeta.
      expect(
        uids(catalog.listStudies({ limit: 10, offset: 0, sort: { field: 'patientName', direction: 'asc' } })),
      ).toEqual(['1.2', '1.3', '1.4', '1.1']);
      expect(
        uids(
          catalog.listStudies({
            limit: 10,
            offset: 0,
            sort: { field: 'numberOfInstances', direction: 'desc' },
          }),
        )[0],
      ).toBe('1.1');
    });

    it('pages, with the total of all matches', () => {
      const page = catalog.listStudies({ limit: 2, offset: 2 });
      expect(page.total).toBe(4);
      expect(uids(page)).toEqual(['1.2', '1.4']);
    });

    it('searches patient name, id and description case-insensitively, beyond ASCII', () => {
      expect(uids(catalog.listStudies({ limit: 10, offset: 0, search: 'ct' }))).toEqual(['1.3', '1.2']);
      expect(uids(catalog.listStudies({ limit: 10, offset: 0, search: 'MÜLLER' }))).toEqual(['1.3']);
      expect(uids(catalog.listStudies({ limit: 10, offset: 0, search: 'z9' }))).toEqual(['1.1']);
      expect(catalog.listStudies({ limit: 10, offset: 0, search: 'nobody' })).toEqual({
        total: 0,
        studies: [],
      });
    });

    it('matches every word of the search in any order, across name components', () => {
      expect(uids(catalog.listStudies({ limit: 10, offset: 0, search: 'anna zeta' }))).toEqual(['1.1']);
      expect(uids(catalog.listStudies({ limit: 10, offset: 0, search: '  ct   müller ' }))).toEqual(['1.3']);
      expect(uids(catalog.listStudies({ limit: 10, offset: 0, search: 'anna ct' }))).toEqual([]);
    });

    it('finds a Japanese patient by any of the three name forms and shows the ideographic one', () => {
      for (const term of ['yamada', '山田', 'やまだ'])
        expect(uids(catalog.listStudies({ limit: 10, offset: 0, search: term }))).toEqual(['1.4']);
      expect(catalog.getStudy('1.4')!.study.patientName).toBe('山田^太郎 (Yamada^Tarou)');
    });

    it('finds a name typed without its diacritics', () => {
      expect(uids(catalog.listStudies({ limit: 10, offset: 0, search: 'muller jurgen' }))).toEqual(['1.3']);
      expect(uids(catalog.listStudies({ limit: 10, offset: 0, search: 'MüllerJürgen' }))).toEqual(['1.3']);
    });

    it('treats search text literally (no SQL wildcards)', () => {
      expect(catalog.listStudies({ limit: 10, offset: 0, search: '%' }).total).toBe(0);
      expect(catalog.listStudies({ limit: 10, offset: 0, search: "'; DROP TABLE study; --" }).total).toBe(0);
      expect(catalog.listStudies({ limit: 10, offset: 0, search: 'mül"ler OR *' }).total).toBe(0);
      expect(catalog.listStudies({ limit: 10, offset: 0, search: 'NEAR(ller' }).total).toBe(0);
      expect(catalog.counts().studies).toBe(4);
    });
  });
});
