import { describe, expect, it } from 'vitest';
import { compact } from '../../src/core/compact.js';

describe('compact (issue 12: one "drop undefined" helper instead of three)', () => {
  it('drops undefined fields, keeps falsy values, and leaves its input alone', () => {
    const input = { a: 1, b: undefined, c: 0, d: '', e: false, f: null };
    expect(compact(input)).toStrictEqual({ a: 1, c: 0, d: '', e: false, f: null });
    expect(Object.keys(input)).toContain('b');
  });
  it('drops nulls too when asked (a provider saying "no value")', () => {
    expect(compact({ a: null, b: 'x', c: undefined }, { nulls: true })).toStrictEqual({ b: 'x' });
  });
});
