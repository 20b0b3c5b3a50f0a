/**
 * `radlabel account` (the built CLI, as a headless administrator runs it; docs/accounts.md): lists,
 * creates, resets, disables and enables accounts; passwords come from standard input or from a
 * terminal prompt that does not echo them, never from argv; the password rule and the last
 * administrator hold here as in the app; a disabled reader's sign-in is refused; every change is
 * in the audit log under `cli:<user>`.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInSession } from '../../../main/account/sessions.js';
import { runCliInProcess } from '../../support/cli.js';
import { dispatch } from '../../../main/rpc/dispatch.js';
import { makeTempDir } from '../../fixtures/index.js';
import { openTestServices } from '../../support/services.js';
import { buildCli, builtCli } from '../../support/built-cli.js';

const cli = builtCli;
const scratch = makeTempDir('account-cli');
const dataDir = path.join(scratch, 'data');
const env = { PATH: process.env['PATH'], HOME: scratch, RADLABEL_DATA_DIR: dataDir };
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  expect(buildCli()).toBe(true);
});

/** The built CLI as a process, the password piped to its standard input. */
function piped(args: string[], input: string) {
  const result = spawnSync(process.execPath, [cli, 'account', ...args], {
    encoding: 'utf8',
    env,
    input,
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The CLI in this process (quicker), reading passwords line by line from `input` like piped stdin. */
async function radlabel(args: string[], input = '') {
  const lines = input.split('\n');
  return runCliInProcess(
    ['account', ...args, '--data-dir', dataDir],
    {},
    {
      interactive: false,
      read: async () => {
        if (lines.length <= 1) throw new Error('Standard input ended before the password.');
        return lines.shift()!;
      },
    },
  );
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing each answer once its prompt shows. */
function onTerminal(args: string[], answers: string[]): Promise<{ status: number | null; output: string }> {
  const command = [process.execPath, cli, 'account', ...args].map((part) => `'${part}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...env, TERM: 'dumb' } });
  let output = '';
  let prompts = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no answer from the terminal: ${output}`));
    }, 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const seen = output.match(/password[^:\n]*: /gi)?.length ?? 0;
      while (prompts < seen && prompts < answers.length) child.stdin.write(`${answers[prompts++]}\r`);
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

const runCliAudit = () => runCliInProcess(['audit', '--action', 'account', '--data-dir', dataDir]);

describe('radlabel account', { timeout: 240_000 }, () => {
  it('manages accounts from the command line with passwords from standard input, never argv', async () => {
    expect((await radlabel(['list'])).stdout).toMatch(/No accounts/);

    // Through a real pipe into the built CLI.
    const admin = piped(['create', 'admin', '--name', 'IT Admin'], 'admin-pass 1\n');
    expect(admin).toMatchObject({ status: 0, stdout: 'Created administrator admin.\n' });

    // A password on the command line is not an option at all.
    expect(await radlabel(['create', 'mallory', '--password', 'mallory-pass-1'])).toMatchObject({
      status: 2,
    });
    expect(await radlabel(['create', 'mallory'])).toMatchObject({
      status: 3,
      stderr: expect.stringMatching(/ended/),
    });
    const weak = await radlabel(['create', 'alice'], 'alicealice\n');
    expect(weak.status).toBe(3);
    expect(weak.stderr).toMatch(/two kinds/);
    expect(
      await radlabel(['create', 'alice', '--name', 'Dr Alice', '--must-change'], 'alice-pass-1\n'),
    ).toMatchObject({
      status: 0,
      stdout: 'Created reader alice.\n',
    });

    const list = await radlabel(['list']);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^admin\tIT Admin\tadmin\t\d{4}-\d\d-\d\dT[\d:]+Z\tnever\tactive$/m);
    expect(list.stdout).toMatch(/^alice\tDr Alice\treader\t.*\tnever\tmust change password$/m);

    // The last administrator stays.
    const lastAdmin = await radlabel(['disable', 'admin']);
    expect(lastAdmin.status).toBe(3);
    expect(lastAdmin.stderr).toMatch(/last administrator/);

    expect(await radlabel(['disable', 'alice'])).toMatchObject({ status: 0 });
    expect((await radlabel(['list'])).stdout).toMatch(/^alice\t.*\tdisabled$/m);
    expect(await radlabel(['disable', 'nobody'])).toMatchObject({
      status: 3,
      stderr: expect.stringMatching(/No account/),
    });

    // In the app, the disabled reader's sign-in is refused with the reason.
    const services = openTestServices(dataDir);
    try {
      const refused = await runInSession('page', () =>
        dispatch(services.handlers, 'account.signIn', { username: 'alice', password: 'alice-pass-1' }),
      );
      expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/disabled/) } });
    } finally {
      await services.close();
    }

    expect(await radlabel(['enable', 'alice'])).toMatchObject({ status: 0 });
    expect(await radlabel(['reset-password', 'alice'], 'alice-temp-2\n')).toMatchObject({ status: 0 });
    expect((await radlabel(['list'])).stdout).toMatch(/^alice\t.*\tmust change password$/m);

    const audit = await runCliAudit();
    const lines = audit.stdout.split('\n').filter((line) => line.includes('\taccount\t'));
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/\tcli:[^\t]+\taccount\t/);
    for (const secret of ['admin-pass 1', 'alice-pass-1', 'alice-temp-2'])
      expect(audit.stdout).not.toContain(secret);
  });

  it('on a terminal asks twice without echoing the password', async () => {
    const typed = 'typed-secret-9';
    const result = await onTerminal(['reset-password', 'alice'], [typed, typed]);
    expect(result.output).toMatch(/New password for alice: /);
    expect(result.output).toMatch(/The same password again: /);
    expect(result.output).toMatch(/Password of alice reset/);
    expect(result.output).not.toContain(typed);
    expect(result.status).toBe(0);

    const differ = await onTerminal(['reset-password', 'alice'], ['one-password-1', 'other-password-2']);
    expect(differ.output).toMatch(/differ; nothing was changed/);
    expect(differ.status).toBe(3);
  });
});
