import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeOnly = {
  patterns: [{ group: ['electron'], message: 'Only src-main/electron may import electron.' }],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'release/',
      '.bench/',
      '.playwright-results/',
      '.electron-native/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src-main/engine/**', 'src-main/cli/**', 'src-main/team/**', 'src-worker/**'],
    rules: { 'no-restricted-imports': ['error', nodeOnly] },
  },
  {
    files: ['src-renderer/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron', 'fs', 'path', 'os', 'child_process'],
              message: 'The renderer sees only window.crossdock.',
            },
            {
              group: ['**/src-main/**', '**/src-worker/**', '!**/src-main/common/**'],
              message: 'The renderer imports only from src-main/common.',
            },
            {
              group: ['**/src-main/common/contract.ts'],
              allowTypeImports: true,
              message:
                'Import only types from src-main/common/contract.ts (the renderer runs no main-process code).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
);
