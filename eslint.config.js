// The linter guards the architecture, not the style (prettier formats): no import cycles anywhere, and the
// boundaries of DESIGN.md — the engine runs any command and knows nothing of ML; src/ml and src/report never
// import each other; stage programs are thin and never reach into the engine. `npm run lint`; run by `npm test`.
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/** A folder may not import from these: [from, forbidden targets, why]. */
const boundaries = [
  ['src/engine', ['src/ml', 'src/report', 'src/artifacts', 'stages', 'src/cli.ts'], 'the engine runs any command (a Python script too) and knows nothing about ML or its artifacts'],
  ['src/ml', ['src/report', 'src/engine', 'stages'], 'src/ml and src/report never import each other, nor the engine; stages call them, not the reverse'],
  ['src/report', ['src/ml', 'src/engine', 'stages'], 'src/ml and src/report never import each other, nor the engine; stages call them, not the reverse'],
  ['src/artifacts', ['src/ml', 'src/report', 'src/engine', 'stages'], 'an artifact module is a type, a writer and a reader: the stages, src/ml and src/report use it, it uses none of them'],
  ['stages', ['src/engine'], 'a stage program talks to the runner only through its PIPELINE_* environment (stages/support/stage-env.ts)'],
];

export default [
  {
    ignores: ['dist/**', 'node_modules/**', 'cache/**', 'reports/**', 'test-results/**', '.gpu-build/**', '.gpu-kit/**', '**/*.d.ts'],
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    // typescript-eslint's plugin is registered so that its rules named in disable comments exist; none is on.
    plugins: { 'import-x': importX, '@typescript-eslint': tseslint.plugin },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
    },
    // The rules below are what this config is for; it reports nothing else (unused disable comments included).
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      // `import type` cannot cycle at run time, but a type cycle still ties two modules: it counts too.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: boundaries.map(([target, from, message]) => ({ target: `./${target}`, from: from.map((where) => `./${where}`), message })) }],
    },
  },
];
