// ESLint flat config. Besides style, it enforces the process boundaries of docs/design.md (rules 1–3):
// shared/ imports nothing that does I/O, main/ services never import electron (only
// main/electron/ may), and renderer/ never reaches into main/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'crypto',
  'http',
  'net',
  'stream',
  'url',
  'zlib',
  'util',
  'events',
  'buffer',
  'readline',
  'tty',
];
const nodeModules = nodeBuiltins.flatMap((name) => [name, `node:${name}`, `${name}/*`, `node:${name}/*`]);

export default tseslint.config(
  {
    ignores: [
      'build/',
      'dist/',
      'out/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'bench-results/',
      '.tmp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'better-sqlite3', 'better-sqlite3-multiple-ciphers'],
          patterns: [
            { group: nodeModules, message: 'shared/ is pure: no Node APIs.' },
            {
              group: ['**/main/**', '**/renderer/**'],
              message: 'shared/ depends on nothing in the project.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only main/electron/ imports electron; services stay Electron-free.',
            },
            {
              name: 'better-sqlite3',
              message:
                'Use better-sqlite3-multiple-ciphers: the catalog is encrypted (key a connection with keyConnection, main/core/sqlite.ts).',
            },
          ],
          patterns: [
            { group: ['**/renderer/**', '**/electron/**'], message: 'Services do not depend on an adapter.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'better-sqlite3', 'better-sqlite3-multiple-ciphers'],
          patterns: [
            {
              group: ['**/main/**'],
              message: 'The renderer talks to main only through the contract client.',
            },
            { group: nodeModules, message: 'The renderer runs in a sandbox: no Node APIs.' },
          ],
        },
      ],
    },
  },
);
