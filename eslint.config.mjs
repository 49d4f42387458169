import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Libraries a pure layer must not touch: frameworks, I/O and transports.
const IO_AND_FRAMEWORKS = [
  '@nestjs/*',
  'typeorm',
  'kafkajs',
  '@grpc/*',
  'pg',
  'better-sqlite3',
  'pino',
  'prom-client',
  'node:fs',
  'fs',
  'node:net',
  'net',
  'node:http',
  'http',
];

/** File names are kebab-case with dot-separated role suffixes: `payment.decider.ts`. */
const kebabCaseFilenames = {
  meta: { type: 'suggestion', schema: [] },
  create(context) {
    const base = context.filename.split(/[\\/]/).pop() ?? '';
    return {
      Program(node) {
        if (!/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*\.(ts|js|mjs)$/.test(base)) {
          context.report({ node, message: `file name "${base}" is not kebab-case` });
        }
      },
    };
  },
};

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.nx/**',
      '.cache/**',
      '.data/**',
      'libs/contracts/src/generated/**',
      '**/__lint-fixtures__/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    plugins: { tillgate: { rules: { 'kebab-case-filenames': kebabCaseFilenames } } },
    rules: {
      'tillgate/kebab-case-filenames': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // The layers of ../shared/ARCHITECTURE.md, as tags on every project.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:feature',
                'type:infra',
                'type:domain',
                'type:contracts',
                'type:util',
              ],
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: [
                'type:feature',
                'type:infra',
                'type:domain',
                'type:contracts',
                'type:util',
              ],
            },
            {
              sourceTag: 'type:infra',
              onlyDependOnLibsWithTags: [
                'type:infra',
                'type:domain',
                'type:contracts',
                'type:util',
              ],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util'],
              bannedExternalImports: IO_AND_FRAMEWORKS,
            },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
          ],
        },
      ],
    },
  },
  {
    // Tests may use any test helper and reach a layer's internals.
    files: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
];
