/**
 * Starts the built app's web host (`build/main/webhost/start.js`) as a child process with its own
 * data folder, for end-to-end tests and benchmarks. Run `npm run build` first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** A copy of the build elsewhere (RADLABEL_WEBHOST_ENTRY) keeps a long run apart from rebuilds. */
const entry = process.env['RADLABEL_WEBHOST_ENTRY'] ?? path.join(root, 'build/main/webhost/start.js');

export interface RunningWebHost {
  /** The link with the token, as a user would open it. */
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  /** The host's process (a test may kill it the hard way). */
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startWebHost(options: {
  dataDir: string;
  timeoutMs?: number;
  /** Variables added to this process's environment for the host. */
  env?: NodeJS.ProcessEnv;
}): Promise<RunningWebHost> {
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first.`);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const child: ChildProcess = spawn(process.execPath, [entry, '--data-dir', options.dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      RADLABEL_LOG_LEVEL: process.env['RADLABEL_LOG_LEVEL'] ?? 'info',
      ...options.env,
    },
  });
  // A host outlives nothing: whatever ends this test process (a failed setup included) ends it.
  const killOnExit = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`web host did not start in time:\n${output}`)),
      options.timeoutMs ?? 30_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web host exited with ${code}:\n${output}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    dataDir: options.dataDir,
    process: child,
    async stop() {
      // Ended already (an exit code, or a signal such as a test's SIGKILL): no 'exit' will come.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
