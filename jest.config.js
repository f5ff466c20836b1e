// Four projects so each layer can run alone: unit (one module, mocks allowed), contract (one
// suite per storage/queue port, run on every adapter), e2e (real HTTP server, real processes),
// browser (the web pages in Debian's Chromium through playwright-core).
// ts-jest transpiles only (tsconfig.jest.json has isolatedModules); `npm run typecheck` checks types.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

/** @type {import('jest').Config} */
module.exports = {
  // Real servers, Redis and child processes: generous, and still bounded.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'contract', testMatch: ['<rootDir>/test/contract/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
};
