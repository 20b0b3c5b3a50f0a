/**
 * The renderer's client: answers come back as values, refusals as typed AppErrors, and anything
 * else a transport may hand back (a proxy's error page, a truncated reply) as a typed internal error.
 */
import { describe, expect, it } from 'vitest';
import { type Transport, createClient } from '../../../shared/client.js';
import { AppError } from '../../../shared/errors.js';

const answering = (reply: unknown): Transport => ({
  invoke: async () => reply as never,
  subscribe: () => () => {},
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('the contract client', () => {
  it('returns the value of an answer', async () => {
    expect(
      await createClient(answering({ ok: true, value: { cancelled: true } })).call('import.cancel', {
        jobId: 'x',
      }),
    ).toEqual({
      cancelled: true,
    });
  });

  it('throws a refusal as an AppError with its code and message', async () => {
    const error = await failure(
      createClient(
        answering({
          ok: false,
          error: { code: 'not-found', message: 'This study is not in the local catalog.' },
        }),
      ).call('catalog.getStudy', { studyInstanceUID: '1.2' }),
    );
    expect(error.toJSON()).toEqual({ code: 'not-found', message: 'This study is not in the local catalog.' });
  });

  it('turns a reply outside the envelope into a typed internal error', async () => {
    for (const reply of [
      null,
      'Bad gateway',
      { ok: true },
      { ok: false, error: { code: 'bogus', message: 'x' } },
      {},
    ]) {
      const error = await failure(createClient(answering(reply)).call('app.info', {}));
      expect(error.code, JSON.stringify(reply)).toBe('internal');
    }
  });

  it('refuses a method the contract does not name before calling the transport', async () => {
    let called = false;
    const client = createClient({
      invoke: async () => ((called = true), { ok: true, value: 1 }),
      subscribe: () => () => {},
    });
    expect((await failure(client.call('fs.readFile' as never, {} as never))).code).toBe('invalid-request');
    expect(called).toBe(false);
  });
});

describe('events through the contract client', () => {
  it('reach a listener of their name when they match their schema, and are dropped otherwise', () => {
    let emit: (event: unknown) => void = () => {};
    const client = createClient({
      invoke: async () => ({ ok: true, value: null }),
      subscribe: (listener) => {
        emit = listener as (event: unknown) => void;
        return () => {};
      },
    });
    const seen: unknown[] = [];
    client.on('catalog.changed', (payload) => seen.push(payload));
    emit({ name: 'catalog.changed', payload: { studyInstanceUIDs: ['1.2.3'] } });
    emit({ name: 'catalog.changed', payload: { studyInstanceUIDs: 'not a list' } });
    emit({ name: 'import.progress', payload: { studyInstanceUIDs: ['1.2.3'] } });
    expect(seen).toEqual([{ studyInstanceUIDs: ['1.2.3'] }]);
  });
});
