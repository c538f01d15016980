import { describe, expect, it } from 'vitest';
import { detailsDraft, detailsPatch, fieldProblems, otherProblems, parseTags } from './sequence-details.js';

describe('sequence details', () => {
  it('reads tags from the text: trimmed, no empty ones, one of each whatever the case', () => {
    expect(parseTags(' renewal, Enterprise ,, RENEWAL,q3 ')).toEqual(['renewal', 'Enterprise', 'q3']);
    expect(parseTags('')).toEqual([]);
  });

  it('turns the draft into the PUT body and back', () => {
    const sequence = { name: 'Renewals', description: null, tags: ['renewal', 'q3'] };
    expect(detailsDraft(sequence)).toEqual({ name: 'Renewals', description: '', tags: 'renewal, q3' });
    expect(detailsPatch({ name: ' Renewals 2025 ', description: '  ', tags: 'renewal' })).toEqual({
      name: 'Renewals 2025',
      description: null,
      tags: ['renewal'],
    });
  });

  it('puts the server’s problems at their fields, a tag’s naming the tag', () => {
    const errors = [
      { code: 'missing_property', path: '/name', message: 'A sequence needs a name.' },
      { code: 'bad_shape', path: '/tags/1', message: 'must NOT have more than 100 characters' },
      { code: 'conflict', message: 'Something else.' },
    ];
    expect(fieldProblems(errors, 'name', [])).toEqual(['A sequence needs a name.']);
    expect(fieldProblems(errors, 'tags', ['ok', 'long'])).toEqual([
      '“long”: must NOT have more than 100 characters',
    ]);
    expect(fieldProblems(errors, 'description', [])).toEqual([]);
    expect(otherProblems(errors).map((e) => e.message)).toEqual(['Something else.']);
  });
});
