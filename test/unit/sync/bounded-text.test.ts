/**
 * The one bounded collector of a server's answer texts (`BoundedText`, main/sync/dicomweb-client.ts),
 * used by undici's bodies and by the reused-buffer GET: a JSON answer beyond its bound fails, an
 * error's text keeps its first bytes, and chunks of a reused buffer are copied.
 */
import { describe, expect, it } from 'vitest';
import { BoundedText } from '../../../main/sync/dicomweb-client.js';

describe('an answer text collected up to a bound', () => {
  it('fails with its own error once the bound is passed, not at the bound', () => {
    const text = new BoundedText(10, () => new Error('too large'), false);
    text.add(Buffer.from('01234'));
    text.add(Buffer.from('56789'));
    expect(text.text()).toBe('0123456789');
    expect(() => text.add(Buffer.from('x'))).toThrow('too large');
  });

  it('without an error, keeps the first bytes and drops the rest, however the chunks fall', () => {
    const text = new BoundedText(8, null, false);
    for (const piece of ['Service ', 'Unavailable', ' (retry later)']) text.add(Buffer.from(piece));
    expect(text.text()).toBe('Service ');
    const split = new BoundedText(8, null, false);
    for (const piece of ['Serv', 'ice Unav', 'ailable']) split.add(Buffer.from(piece));
    expect(split.text()).toBe('Service ');
  });

  it('copies what it keeps when the chunks are views of a buffer reused after each add', () => {
    const reused = Buffer.alloc(6);
    const copied = new BoundedText(100, null, true);
    for (const piece of ['error ', 'text']) {
      reused.fill(0);
      const length = reused.write(piece, 'latin1');
      copied.add(reused.subarray(0, length));
    }
    reused.fill(0x41);
    expect(copied.text()).toBe('error text');
  });
});
