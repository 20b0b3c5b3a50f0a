import { describe, expect, it } from 'vitest';
import { displayPersonName, parsePersonName, personNameSearchText } from '../../../main/dicom/person-name.js';

describe('person names (PN)', () => {
  it('splits the alphabetic, ideographic and phonetic groups', () => {
    expect(parsePersonName('Yamada^Tarou=山田^太郎=やまだ^たろう')).toEqual({
      alphabetic: 'Yamada^Tarou',
      ideographic: '山田^太郎',
      phonetic: 'やまだ^たろう',
    });
  });

  it('drops trailing empty components and padding', () => {
    expect(parsePersonName('Doe^John^^^ ').alphabetic).toBe('Doe^John');
  });

  it('keeps only the first value of a multi-valued PN', () => {
    expect(parsePersonName('Doe^John\\Roe^Jane').alphabetic).toBe('Doe^John');
  });

  it('shows the ideographic form first, with the alphabetic one in parentheses', () => {
    expect(displayPersonName(parsePersonName('Wang^XiaoDong=王^小东'))).toBe('王^小东 (Wang^XiaoDong)');
  });

  it('shows the alphabetic form alone when there is no ideographic one', () => {
    expect(displayPersonName(parsePersonName('Doe^John'))).toBe('Doe^John');
  });

  it('shows the ideographic or phonetic form when it is the only one', () => {
    expect(displayPersonName(parsePersonName('=洪^吉洞'))).toBe('洪^吉洞');
    expect(displayPersonName(parsePersonName('==홍^길동'))).toBe('홍^길동');
  });

  it('makes every group searchable', () => {
    expect(personNameSearchText(parsePersonName('Yamada^Tarou=山田^太郎=やまだ^たろう'))).toBe(
      'Yamada^Tarou 山田^太郎 やまだ^たろう',
    );
  });
});
