/**
 * Two web hosts on one machine (#7 item 18): cookies ignore the port, so both hosts share the
 * browser's cookie jar. Each launch names its cookie itself, so opening the second host does not
 * sign the first tab out.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { makeTempDir } from '../fixtures/index.js';
import { type RunningWebHost, startWebHost } from './support/webhost.js';

test('a second web host does not sign the first tab out (one browser, one cookie jar)', async ({
  browser,
}) => {
  const dataDirs = [makeTempDir('e2e-host-a'), makeTempDir('e2e-host-b')];
  const hosts: RunningWebHost[] = [];
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    for (const dataDir of dataDirs) hosts.push(await startWebHost({ dataDir }));
    const first = await context.newPage();
    await first.goto(hosts[0]!.url);
    await expect(first.getByTestId('worklist')).toBeVisible();
    const second = await context.newPage();
    await second.goto(hosts[1]!.url);
    await expect(second.getByTestId('worklist')).toBeVisible();

    // Both tabs still talk to their hosts: a reload (new requests, new events socket) works.
    for (const page of [first, second]) {
      await page.reload();
      await expect(page.getByTestId('worklist')).toBeVisible();
      const answer = await page.evaluate(async () => {
        const response = await fetch('/api/rpc/app.info', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        return { status: response.status, body: (await response.json()) as { ok: boolean } };
      });
      expect(answer).toMatchObject({ status: 200, body: { ok: true } });
    }
    const names = (await context.cookies()).map((cookie) => cookie.name);
    expect(new Set(names).size).toBe(2);
  } finally {
    await context.close();
    for (const host of hosts) await host.stop();
    for (const dataDir of dataDirs) fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
