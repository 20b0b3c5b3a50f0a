import { describe, expect, it } from 'vitest';
import { formatDicomDate, formatPersonName, parseDicomDate } from '../../../renderer/src/i18n/format.js';

describe('DICOM dates (DA) for display', () => {
  it('are shown in the reader’s locale', () => {
    expect(formatDicomDate('20240115', 'en-US')).toBe('01/15/2024');
    expect(formatDicomDate('20240115', 'zh-CN')).toBe('2024/01/15');
  });

  it('never move by a day whatever the time zone', () => {
    // Node applies a new TZ at once (process.env.TZ is watched); the offsets prove each zone took effect.
    const zones = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
    const original = process.env['TZ'];
    const offsets = new Set<number>();
    try {
      for (const zone of zones) {
        process.env['TZ'] = zone;
        offsets.add(new Date(2024, 0, 15).getTimezoneOffset());
        expect(parseDicomDate('19700101')?.toISOString(), zone).toBe('1970-01-01T00:00:00.000Z');
        expect(formatDicomDate('19700101', 'en-US'), zone).toBe('01/01/1970');
        expect(formatDicomDate('20241231', 'zh-CN'), zone).toBe('2024/12/31');
        expect(formatDicomDate('20240229', 'en-US'), zone).toBe('02/29/2024');
      }
    } finally {
      if (original === undefined) delete process.env['TZ'];
      else process.env['TZ'] = original;
    }
    expect(offsets.size).toBe(zones.length);
  });

  it('are shown as they are when they are not a calendar date', () => {
    expect(formatDicomDate('20240230', 'en-US')).toBe('20240230');
    expect(formatDicomDate('2024', 'en-US')).toBe('2024');
    expect(formatDicomDate('', 'en-US')).toBe('');
  });
});

describe('person names for display', () => {
  it('write CJK names without carets or spaces and Latin names with spaces', () => {
    expect(formatPersonName('王^小东 (Wang^XiaoDong)')).toBe('王小东 (Wang XiaoDong)');
    expect(formatPersonName('洪^吉洞 (Hong^Gildong)')).toBe('洪吉洞 (Hong Gildong)');
    expect(formatPersonName('Buc^Jérôme')).toBe('Buc Jérôme');
  });

  it('drop empty components', () => {
    expect(formatPersonName('Doe^John^^^')).toBe('Doe John');
  });
});
