import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** the import paths that reach these rooms from anywhere in the tree (imports are relative) */
const out = (...rooms) => [
  ...new Set(
    rooms.flatMap((r) => {
      const dir = r === 'channels' || r === 'flows' ? r : `src/${r}`;
      return [`../${r}/**`, `../../${r}/**`, `../${dir}/**`, `../../${dir}/**`, `../../../${dir}/**`];
    }),
  ),
];
const CHANNELS = ['messenger', 'viber', 'sms', 'whatsapp'];
const CHANNEL = [...out('engine', 'store', 'sync', 'jobs', 'identity', 'provider', 'sandbox', 'flows'), 'koa', '@koa/*'];
/** `backend.kv` / `backend.indexes` (and `x.backend.kv`, `backend['kv']`, `const { kv } = x.backend`) outside src/store */
const RAW = '/^(kv|indexes)$/';
const STORE_ROOM = [
  `MemberExpression:matches([object.name='backend'], [object.property.name='backend']):matches([property.name=${RAW}], [property.value=${RAW}])`,
  `VariableDeclarator:matches([init.name='backend'], [init.property.name='backend']) > ObjectPattern > Property[key.name=${RAW}]`,
].map((selector) => ({ selector, message: 'Only src/store reaches the backend: use (or add) a repository in src/store for this key family.' }));
/** one `no-restricted-imports` block per room: [files, forbidden patterns] */
const rooms = (list) => list.map(([files, patterns]) => ({ files: [files], rules: { 'no-restricted-imports': ['error', { patterns }] } }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', 'src/dev/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // the staff console's browser script (no build step: served as it is)
  {
    files: ['src/http/console/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', window: 'readonly', location: 'readonly', fetch: 'readonly', EventSource: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  // the rooms of ../shared/architecture.md: what each may import (src/log.ts and src/config types are shared plumbing)
  ...rooms([
    ['flows/**/*.ts', [...out('channels', 'http', 'store', 'engine', 'jobs', 'sync', 'identity', 'provider', 'sandbox'), 'koa', '@koa/*', 'node:*']],
    ['src/core/**/*.ts', ['../*', '../**']],
    ['src/store/**/*.ts', out('engine', 'sync', 'jobs', 'http', 'identity', 'channels', 'flows', 'provider', 'sandbox')],
    ['src/jobs/**/*.ts', out('engine', 'sync', 'http', 'channels', 'flows', 'provider', 'sandbox')],
    ['src/engine/**/*.ts', [...out('http', 'jobs', 'sync', 'channels', 'sandbox'), 'koa', '@koa/*']],
    ['src/identity/**/*.ts', out('http', 'jobs', 'sync', 'engine', 'channels', 'flows', 'sandbox')],
    ['src/sync/**/*.ts', [...out('http', 'engine', 'channels', 'flows', 'sandbox'), 'koa', '@koa/*']],
    ['src/provider/**/*.ts', out('store', 'engine', 'sync', 'jobs', 'http', 'identity', 'channels', 'flows', 'sandbox')],
    ['src/sandbox/**/*.ts', out('store', 'engine', 'sync', 'jobs', 'http', 'identity', 'channels', 'flows', 'provider')],
    // the one outbound HTTP client: src/core and npm packages only (not even src/log.ts: it answers with values)
    ['src/outbound/**/*.ts', ['../*', '!../core', '../../*']],
    // a channel: its platform and src/core (plus the shared outbound client); never another channel
    ['channels/*.ts', CHANNEL],
    ...CHANNELS.map((name) => [`channels/${name}/**/*.ts`, [...CHANNEL, ...CHANNELS.filter((n) => n !== name).flatMap((n) => [`../${n}/**`, `../../${n}/**`])]]),
  ]),
  {
    // the store room: only src/store's repositories reach the backend's raw key-value and index primitives
    files: ['src/**/*.ts', 'flows/**/*.ts', 'channels/**/*.ts', 'bench/**/*.ts', 'bin/**'],
    ignores: ['src/store/**'],
    rules: { 'no-restricted-syntax': ['error', ...STORE_ROOM] },
  },
  {
    // payload fixtures are read loosely in tests
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/cli/**/*.ts', 'bench/**/*.ts', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
);
