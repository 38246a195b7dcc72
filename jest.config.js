/**
 * Jest runs the compiled ESM in dist/ (tsc output), the code users run, under
 * `node --experimental-vm-modules`. The sources in test/ are TypeScript; `npm test`
 * compiles them first. Coverage is mapped back to the TypeScript sources.
 */
export default {
  testEnvironment: "node",
  roots: ["<rootDir>/dist/test"],
  testMatch: ["**/*.test.js"],
  transform: {},
  globalSetup: "<rootDir>/dist/test/support/global-setup.js",
  maxWorkers: 2,
  // Real git, python -m build, podman and registries: whole releases take a while.
  testTimeout: 300_000,
  coverageProvider: "v8",
  collectCoverageFrom: ["dist/src/**/*.js"],
  coverageReporters: ["text", "text-summary"],
  coverageThreshold: {
    global: { lines: 80 },
    "./src/version/": { lines: 90 },
    "./src/pyproject/": { lines: 90 },
    "./src/notes/": { lines: 90 },
  },
};
