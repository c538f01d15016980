import { describe, expect, it } from 'vitest';
import { columnOfError, previewCsv, readCsv } from './csv-preview.js';

describe('readCsv', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks, CRLF and a BOM', () => {
    const text = '\uFEFFname,notes\r\n"Ng, Ann","said ""hi""\nthen left"\r\nBo,x\r\n';
    expect(readCsv(text)).toEqual([
      ['name', 'notes'],
      ['Ng, Ann', 'said "hi"\nthen left'],
      ['Bo', 'x'],
    ]);
  });
  it('stops after the records it needs and reads a last line without a newline', () => {
    expect(readCsv('a\nb\nc\nd', 2)).toEqual([['a'], ['b']]);
    expect(readCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});

describe('previewCsv', () => {
  it('names the known columns as the server does and keeps the others as custom fields', () => {
    const preview = previewCsv('Name,E-mail,Owner,Job Title\nAnn,ann@x.io,sam@x.io,CTO\n', 5);
    expect(preview.columns).toEqual([
      { position: 0, header: 'Name', known: 'name' },
      { position: 1, header: 'E-mail', known: 'email' },
      { position: 2, header: 'Owner', known: 'ownerEmail' },
      { position: 3, header: 'Job Title', known: undefined },
    ]);
    expect(preview.rows).toEqual([['Ann', 'ann@x.io', 'sam@x.io', 'CTO']]);
    expect(preview.problems).toEqual([]);
    expect(preview.more).toBe(false);
  });
  it('shows the first rows only and says there are more', () => {
    const text = ['name', ...Array.from({ length: 10 }, (_, i) => `R${i}`)].join('\n');
    const preview = previewCsv(text, 3);
    expect(preview.rows).toEqual([['R0'], ['R1'], ['R2']]);
    expect(preview.more).toBe(true);
  });
  it('says what would make the server refuse the file', () => {
    expect(previewCsv('').problems).toEqual(['The file is empty.']);
    expect(previewCsv('email\nx@y.z').problems).toEqual(['The file needs a “name” column.']);
    expect(previewCsv('name,Name\nA,B').problems).toEqual(['The column “Name” appears twice.']);
    expect(previewCsv('name,\nA,B').problems).toEqual(['A column has no header.']);
  });
  it('names the column of a row error it can place', () => {
    expect(columnOfError('owner_not_found')).toBe('ownerEmail');
    expect(columnOfError('column_count')).toBeUndefined();
  });
});
