import { InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { CsvParser, parseCsv } from './csv.js';

describe('parseCsv (RFC 4180)', () => {
  it('parses plain, quoted and escaped fields, CRLF and LF, a BOM, blank lines', () => {
    const text = '\ufeffid,labels\r\n1,"a b"\r\n"2","say ""hi"""\n\n3,"line\nbreak"\n4,\n';
    expect(parseCsv(text)).toEqual([
      ['id', 'labels'],
      ['1', 'a b'],
      ['2', 'say "hi"'],
      ['3', 'line\nbreak'],
      ['4', ''],
    ]);
    expect(parseCsv('a;b\n1;2', ';')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('gives the same rows whatever the chunking, with their line numbers', () => {
    const text = 'id,label\n1,"x\ny"\n2,"q""q"\n3,z';
    for (const size of [1, 2, 3, 5, 100]) {
      const parser = new CsvParser();
      const rows = [];
      for (let i = 0; i < text.length; i += size) rows.push(...parser.push(text.slice(i, i + size)));
      rows.push(...parser.end());
      expect(rows).toEqual([
        { line: 1, fields: ['id', 'label'] },
        { line: 2, fields: ['1', 'x\ny'] },
        { line: 4, fields: ['2', 'q"q'] },
        { line: 5, fields: ['3', 'z'] },
      ]);
    }
  });

  it('rejects an unterminated quote and bad delimiters', () => {
    expect(() => parseCsv('a,"b\n')).toThrow(InvalidArgumentError);
    expect(() => new CsvParser('"')).toThrow(InvalidArgumentError);
    expect(() => parseCsv(3 as unknown as string)).toThrow(InvalidArgumentError);
  });
});
