import { createPredictionTable, InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { formatPredictionCsv, parsePredictionCsv } from './prediction-csv.js';

describe('formatPredictionCsv', () => {
  it('writes the header and the shortest float32 text of each probability', () => {
    const table = createPredictionTable(['img1', 'a,"b"'], ['cat', 'dog, big'], [0.1, 0.9, 1, 0]);
    expect(formatPredictionCsv(table)).toBe('id,cat,"dog, big"\nimg1,0.1,0.9\n"a,""b""",1,0\n');
    expect(formatPredictionCsv(table, { digits: 1, idHeader: 'image' })).toBe(
      'image,cat,"dog, big"\nimg1,0.1,0.9\n"a,""b""",1,0\n',
    );
  });

  it('rounds to the requested significant digits', () => {
    const table = createPredictionTable(['a'], ['x', 'y'], [1 / 3, 2e-9]);
    expect(formatPredictionCsv(table, { digits: 3 })).toBe('id,x,y\na,0.333,2e-9\n');
  });

  it('rejects bad options', () => {
    const table = createPredictionTable(['a'], ['x'], [1]);
    expect(() => formatPredictionCsv(table, { digits: 12 })).toThrow(
      'options.digits must be an integer in [1, 9]',
    );
    expect(() => formatPredictionCsv(table, { idHeader: '' })).toThrow(
      'options.idHeader must be a non-empty string',
    );
  });
});

describe('parsePredictionCsv', () => {
  it('round-trips a random table exactly', () => {
    const rng = new Rng(4);
    const n = 50;
    const classes = ['a', 'b,c', 'd"e', 'f'];
    const probs = Float32Array.from({ length: n * classes.length }, () => rng.next());
    probs[0] = 0;
    probs[1] = 1;
    probs[2] = 1e-30;
    const ids = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? `id,${i}` : `id${i}`));
    const table = createPredictionTable(ids, classes, probs);
    const back = parsePredictionCsv(formatPredictionCsv(table));
    expect(back.ids).toEqual(ids);
    expect(back.classes).toEqual(classes);
    expect(back.probs).toEqual(probs);
  });

  it('reorders columns to the vocabulary order', () => {
    const table = parsePredictionCsv('id,dog,cat\na,0.25,0.75\r\nb,1,0\r\n', { classes: ['cat', 'dog'] });
    expect(table.classes).toEqual(['cat', 'dog']);
    expect([...table.probs]).toEqual([0.75, 0.25, 0, 1]);
  });

  it('reads an empty table', () => {
    const table = parsePredictionCsv('id,x,y\n');
    expect(table.ids).toEqual([]);
    expect(table.classes).toEqual(['x', 'y']);
  });

  it.each([
    [
      'no header',
      '',
      'Error in parsePredictionCsv: text must be CSV with a header "id,<class>,…" naming at least one class',
    ],
    ['a header without classes', 'id\na\n', 'naming at least one class'],
    [
      'a short line',
      'id,x,y\na,0.5,0.5\nb,0.5\n',
      'text (line 3) must be 3 fields like the header, got "b,0.5"',
    ],
    [
      'a bad number',
      'id,x,y\na,0.5,abc\n',
      'text (line 2, column "y") must be a probability in [0, 1], got "abc"',
    ],
    [
      'an empty probability',
      'id,x\na,\n',
      'text (line 2, column "x") must be a probability in [0, 1], got ""',
    ],
    [
      'a probability above 1',
      'id,x\n\na,1.5\n',
      'text (line 3, column "x") must be a probability in [0, 1], got "1.5"',
    ],
    ['a repeated id', 'id,x\na,1\na,0\n', 'Error in createPredictionTable: ids[1] must be unique'],
  ])('rejects %s', (_, text, message) => {
    expect(() => parsePredictionCsv(text)).toThrow(InvalidArgumentError);
    expect(() => parsePredictionCsv(text)).toThrow(message);
  });

  it('rejects a file whose classes differ from the vocabulary', () => {
    expect(() => parsePredictionCsv('id,cat,cow\na,0.5,0.5\n', { classes: ['cat', 'dog'] })).toThrow(
      'text must be a header whose class columns are options.classes (missing "dog"; unexpected "cow"), got "id,cat,cow"',
    );
    expect(() => parsePredictionCsv('id,cat,cat\na,0.5,0.5\n', { classes: ['cat'] })).toThrow(
      'a class column appears twice',
    );
  });
});
