import type { Reporter, TestModule, Vitest } from 'vitest/node';

/**
 * `npm test` must run every test: a skipped or todo test is a failure of the run, because a skip
 * can hide exactly the failure the test exists to catch (a missing tool, a server that did not
 * start). Runs filtered by test name (`-t`) skip by design and are not checked; running a subset of
 * files (`vitest run test/x.test.ts`) only collects those files, so it is checked as usual.
 */
export default class NoSkipReporter implements Reporter {
  private ctx: Vitest | undefined;

  onInit(ctx: Vitest): void {
    this.ctx = ctx;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (this.ctx?.config.testNamePattern) return;
    const skipped: string[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'skipped' || test.options.mode === 'todo') skipped.push(`${mod.moduleId.replace(/^.*?\/test\//, 'test/')} › ${test.fullName} (${test.options.mode === 'todo' ? 'todo' : 'skipped'})`);
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(`\n${skipped.length} test(s) did not run — npm test runs every test, none skipped (fix the cause; do not skip):\n${skipped.map((s) => `  ${s}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}
