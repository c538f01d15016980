// Fails CI when the PostgreSQL suite or the browser tests were skipped, or nothing ran: reads vitest's
// JSON report. The browser tests ([e2e] in their names) are checked when the report holds them (the
// Node 24 run, `--project server`, does not); they are skipped when /usr/bin/chromium is missing.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const tests = report.testResults.flatMap((file) => file.assertionResults);
const postgres = tests.filter((test) => test.fullName.includes('[postgres]'));
const e2e = tests.filter((test) => test.fullName.includes('[e2e]'));
const count = (list, status) => list.filter((test) => test.status === status).length;
const notRun = (list) => count(list, 'skipped') + count(list, 'pending') + count(list, 'todo');
const skipped = notRun(tests);
console.log(
  `[postgres] tests: ${count(postgres, 'passed')} passed, ${count(postgres, 'skipped') + count(postgres, 'pending')} skipped`,
);
if (e2e.length > 0)
  console.log(
    `[e2e] tests: ${count(e2e, 'passed')} passed, ${count(e2e, 'failed')} failed, ${notRun(e2e)} skipped`,
  );
// The plain closing line CI readers look for.
console.log(`tests: ${count(tests, 'passed')} passed, ${count(tests, 'failed')} failed, ${skipped} skipped`);
if (count(tests, 'passed') === 0) throw new Error('No test ran.');
if (count(postgres, 'passed') === 0)
  throw new Error('The PostgreSQL suite did not run (is STEPWISE_TEST_POSTGRES set?).');
if (postgres.some((test) => test.status === 'skipped' || test.status === 'pending')) {
  throw new Error('Part of the PostgreSQL suite was skipped.');
}
if (e2e.length > 0 && (count(e2e, 'passed') === 0 || notRun(e2e) > 0)) {
  throw new Error('The [e2e] browser tests were skipped (is Chromium installed at /usr/bin/chromium?).');
}
if (!report.success) process.exit(1);
