import { defineConfig } from "vitest/config";

// End-to-end suite: the packaged .vsix in a real code-server driven by Debian's Chromium.
// Run with `npm run test:e2e` (installs code-server into .cache/ first and packages the .vsix).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
  },
});
