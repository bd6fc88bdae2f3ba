import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', '.local/', 'coverage/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  // Import boundaries (docs/function-manifest.md): domain ← ports ← use cases; adapters implement
  // ports; wiring (shared/wiring) alone puts adapters and use cases together, for the handlers.
  {
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*', '@aws-lambda-powertools/*'], message: 'Domain code imports no AWS SDK.' },
            {
              // Outside the domain it reads only the reporting calendar (data) and shared/format (pure
              // escaping the emails it composes need, with no I/O).
              regex: '^\\.\\./(?!\\.\\./config/reporting-calendar\\.json$|format/)',
              message: 'Domain code imports only domain code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(adapters|use-cases|wiring|functions|infra)(/|$)',
              message: 'Ports name what use cases need: they import only domain code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/use-cases/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(adapters|wiring|functions|infra)(/|$)',
              message: 'Use cases take ports: they import no adapter, wiring, handler or infrastructure.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(use-cases|wiring|functions|infra)(/|$)',
              message: 'Adapters implement ports: they import ports and domain, never use cases, wiring or handlers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+shared/adapters(/|$)',
              message: 'A handler gets its adapters from its deps builder (shared/wiring/), never directly.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['infra/local/**/*.ts', 'infra/cli/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
