#!/usr/bin/env node
/** The `radlabel` executable (package.json "bin"): wires the process to runCli. */
import { runCli } from './run.js';
import { processSecretSource } from './secret.js';

let interruptListeners: Array<() => void> = [];
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  // A second Ctrl-C, or one with nobody to cancel, stops at once.
  if (interrupts > 1 || interruptListeners.length === 0) process.exit(130);
  for (const listener of interruptListeners) listener();
});

const status = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  secrets: processSecretSource(),
  onInterrupt(listener) {
    interruptListeners.push(listener);
    return () => {
      interruptListeners = interruptListeners.filter((candidate) => candidate !== listener);
    };
  },
});
process.exitCode = status;
