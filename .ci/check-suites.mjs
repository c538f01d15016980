// Fails CI when the PostgreSQL suite was skipped or nothing ran: reads vitest's JSON report.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const tests = report.testResults.flatMap((file) => file.assertionResults);
const postgres = tests.filter((test) => test.fullName.includes('[postgres]'));
const count = (list, status) => list.filter((test) => test.status === status).length;
const skipped = count(tests, 'skipped') + count(tests, 'pending') + count(tests, 'todo');
console.log(
  `[postgres] tests: ${count(postgres, 'passed')} passed, ${count(postgres, 'skipped') + count(postgres, 'pending')} skipped`,
);
// The plain closing line CI readers look for.
console.log(`tests: ${count(tests, 'passed')} passed, ${count(tests, 'failed')} failed, ${skipped} skipped`);
if (count(tests, 'passed') === 0) throw new Error('No test ran.');
if (count(postgres, 'passed') === 0)
  throw new Error('The PostgreSQL suite did not run (is STEPWISE_TEST_POSTGRES set?).');
if (postgres.some((test) => test.status === 'skipped' || test.status === 'pending')) {
  throw new Error('Part of the PostgreSQL suite was skipped.');
}
if (!report.success) process.exit(1);
