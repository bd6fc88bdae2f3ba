/**
 * Three projects kept apart: pure domain tests, handler/adapter tests against the local stand-ins,
 * and the AWS CDK app (template assertions, cdk-nag, bundle budgets).
 */
// ts-jest only transpiles (tsconfig's isolatedModules: true: no language service, no second type-check);
// `npm test` type-checks once with `tsc --noEmit` before Jest runs.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

/** @type {import('jest').Config} */
module.exports = {
  // A global option (Jest ignores it inside a project): the stand-ins and the CDK synth take seconds
  // on a shared 2-core machine, so tests get two minutes before they are called hung.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
      setupFiles: ['<rootDir>/jest.setup.js'],
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
      setupFiles: ['<rootDir>/jest.setup.js'],
    },
    {
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
      setupFiles: ['<rootDir>/jest.setup.js'],
    },
  ],
};
