/**
 * The repository stands on its own: what its code and docs cite is in it, its READMEs describe the
 * files that exist, and what it says about packaging, formatting and Node agrees with its config.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const skipped = new Set([
  'node_modules',
  'build',
  'dist',
  'test-results',
  'bench-results',
  'playwright-report',
  '.git',
]);
const self = path.relative(root, import.meta.filename);

function repositoryFiles(dir = root): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name) || entry.name.startsWith('.tmp') || entry.name === '.cache') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...repositoryFiles(full));
    else if (/\.(ts|tsx|js|mjs|cjs|md|yml|yaml|json|html)$/.test(entry.name))
      found.push(path.relative(root, full));
  }
  return found;
}

const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const files = repositoryFiles().filter((file) => file !== self && !file.startsWith('test/fixtures/cache'));
const markdown = files.filter((file) => file.endsWith('.md'));

describe('the repository', () => {
  it('cites no design card or environment notes from outside it', () => {
    const outside =
      /\.\.\/shared\/[A-Z]+\.md|\b(DESIGN|ENVIRONMENT|STYLE)\.md\b|design card|ENVIRONMENT notes/;
    expect(files.filter((file) => outside.test(read(file)))).toEqual([]);
    expect(fs.existsSync(path.join(root, 'docs/design.md'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'docs/environment.md'))).toBe(true);
  });

  it('has every file its Markdown links point to', () => {
    const broken: string[] = [];
    for (const file of markdown) {
      for (const [, target] of read(file).matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        if (!fs.existsSync(path.resolve(root, path.dirname(file), target!)))
          broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('lists in each folder README only files that exist', () => {
    const missing: string[] = [];
    for (const readme of markdown.filter((file) => /^main\/[^/]+\/README\.md$/.test(file))) {
      const folder = path.dirname(readme);
      for (const [, name] of read(readme).matchAll(/^\| `([\w./-]+\.ts)` \|/gm)) {
        if (!fs.existsSync(path.join(root, folder, name!))) missing.push(`${readme}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents every CLI command in main/cli/README.md and the top README', () => {
    const commands = fs
      .readdirSync(path.join(root, 'main/cli/commands'))
      .filter((name) => name.endsWith('.ts') && name !== 'index.ts')
      .map((name) => name.replace(/\.ts$/, ''));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const command of commands) {
      expect(read('main/cli/README.md'), command).toContain(`radlabel ${command} `);
      expect(read('README.md'), command).toContain(`radlabel ${command} `);
    }
  });

  it('describes packaging as electron-builder.yml configures it', () => {
    const builder = read('electron-builder.yml');
    const readme = read('README.md');
    expect(builder).toMatch(/^asar: false$/m);
    expect(readme).not.toMatch(/unpacked from the asar/);
    expect(readme).toContain('asar: false');
    expect(builder).toMatch(/^npmRebuild: true$/m);
    expect(readme).toContain('npmRebuild');
    // electron-builder rebuilds node_modules in place for Electron: the Node build comes back after.
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts['postdist']).toBe('npm rebuild better-sqlite3-multiple-ciphers');
    expect(readme).toMatch(/postdist[^.]*npm rebuild\s+better-sqlite3-multiple-ciphers/);
  });

  it('checks formatting in npm test', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts['format:check']).toBe('prettier --check .');
    expect(scripts['test']).toMatch(/^npm run format:check && /);
  });

  it('says which Node runs what, with the minimum package.json declares', () => {
    const { engines } = JSON.parse(read('package.json')) as { engines: { node: string } };
    const minimum = /^>=(\d+\.\d+)$/.exec(engines.node)?.[1];
    expect(minimum).toBeDefined();
    const readme = read('README.md');
    expect(readme).toContain(`Node.js ${minimum} or newer`);
    expect(readme).toMatch(/runs the build, the tests, the CLI and the web\s+host/);
    expect(readme).toMatch(/desktop app runs on the Node that Electron/);
  });
});
