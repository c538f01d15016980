import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../designer/fixtures/index.js';
import { errorsWithStepIds } from './errors-with-step-ids.js';

describe('errorsWithStepIds', () => {
  it('keeps a step id the server sent', () => {
    const error = { code: 'wait_at_end', stepId: 'w2', path: '/definition/steps/0', message: 'm' };
    expect(errorsWithStepIds([error], FIXTURES.waitAtEnd)).toEqual([error]);
  });

  it('finds the step from the path when there is no step id', () => {
    expect(
      errorsWithStepIds(
        [{ code: 'invalid_duration', path: '/definition/steps/1/duration', message: 'm' }],
        FIXTURES.waitAtEnd,
      ),
    ).toEqual([
      { code: 'invalid_duration', path: '/definition/steps/1/duration', message: 'm', stepId: 'w2' },
    ]);
  });

  it('leaves errors about the whole sequence alone', () => {
    const error = {
      code: 'exit_on_reply_without_email',
      path: '/definition/options/exitOnReply',
      message: 'm',
    };
    expect(errorsWithStepIds([error], FIXTURES.waitAtEnd)).toEqual([error]);
  });
});
