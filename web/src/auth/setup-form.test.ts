import { describe, expect, it } from 'vitest';
import { ApiError, NETWORK_ERROR } from '../api/api-error.js';
import {
  deadLinkMessage,
  EMPTY_SETUP_FORM,
  setupBody,
  setupFailureMessage,
  setupFormErrors,
} from './setup-form.js';

const GOOD = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  password: 'a long password',
  confirm: 'a long password',
};

describe('the set-up form', () => {
  it('accepts a complete form', () => {
    expect(setupFormErrors(GOOD)).toEqual({});
  });

  it('says what is missing or wrong, field by field', () => {
    expect(setupFormErrors(EMPTY_SETUP_FORM)).toEqual({
      name: 'Enter your name.',
      email: 'Enter an email address, like you@example.com.',
      password: 'Use at least 10 characters.',
    });
    expect(setupFormErrors({ ...GOOD, name: '   ', email: 'ada@example' })).toMatchObject({
      name: expect.any(String),
      email: expect.any(String),
    });
    expect(setupFormErrors({ ...GOOD, password: '123456789', confirm: '123456789' }).password).toBe(
      'Use at least 10 characters.',
    );
    expect(setupFormErrors({ ...GOOD, confirm: 'a long passwore' })).toEqual({
      confirm: 'The two passwords are not the same.',
    });
  });

  it('sends trimmed name and email, and the password as typed', () => {
    expect(
      setupBody('tok', { ...GOOD, name: ' Ada ', email: ' ada@example.com ', password: ' spaced password ' }),
    ).toEqual({
      token: 'tok',
      name: 'Ada',
      email: 'ada@example.com',
      password: ' spaced password ',
    });
  });

  it('explains a dead link, and other failures in words', () => {
    const dead = new ApiError(404, 'not_found', 'This set-up link is not valid.', 'Not found');
    expect(deadLinkMessage(dead)).toContain('set-up link can’t be used');
    expect(setupFailureMessage(dead)).toBe(deadLinkMessage(dead));
    expect(deadLinkMessage(new ApiError(400, 'bad_request', 'x', 'Bad request'))).toBeNull();
    expect(setupFailureMessage(new ApiError(0, NETWORK_ERROR, 'x', 'Offline'))).toContain('can’t be reached');
    expect(setupFailureMessage(new Error('boom'))).toBe('Setting up failed. Try again.');
  });
});
