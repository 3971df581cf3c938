// Lint rules that keep the architecture honest: renderer → shared ← electron, only electron/
// touches Electron or child processes, and no code anywhere runs a shell string.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const noShellStrings = [
  'error',
  {
    selector: "Property[key.name='shell'][value.value!=false]",
    message: 'Never run a shell: pass an argument array to the command runner.',
  },
  {
    selector: "ImportDeclaration[source.value=/child_process$/] ImportSpecifier[imported.name=/^exec(Sync)?$/]",
    message: 'exec() runs a shell string; use the command runner with an argument array.',
  },
];

const electronOnlyPaths = ['electron', 'node:child_process', 'child_process'].map((name) => ({
  name,
  allowTypeImports: true,
  message: 'Only electron/ may use Electron or child processes: use its command runner.',
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-output/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['scripts/**/*.mjs', '*.js'], languageOptions: { globals: globals.node } },
  {
    rules: {
      'no-restricted-syntax': noShellStrings,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'electron', 'react', 'react-dom', '@mui/*'], message: 'shared/ is pure: no Node, Electron or UI.' },
            { group: ['**/electron/**', '**/renderer/**', '**/lab/**'], message: 'shared/ depends on nothing of ours.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnlyPaths,
          patterns: [
            { group: ['node:*'], message: 'The renderer never touches the host.' },
            { group: ['**/electron/**', '**/lab/**'], message: 'The renderer talks to the core only through the contract.' },
          ],
        },
      ],
    },
  },
  {
    files: ['lab/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{ts,mjs}', '*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: electronOnlyPaths }] },
  },
  {
    // ipcRenderer is the preload's business alone; child processes live in the command runner.
    files: ['electron/**/*.ts'],
    ignores: ['electron/preload/**', 'electron/main/**', 'electron/host/command-runner.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: electronOnlyPaths },
      ],
    },
  },
);
