// Shared pieces of the parsers' property tests (src/**/*.property.test.ts): hostile strings, near-valid
// mutations, and the check that a parser fails only with nerdnet's own error.
import fc from 'fast-check';
import { NerdnetError } from '../../src/lib/errors.js';

// Characters that break paths, lines, lists and grammars.
const NASTY = ['/', '..', '.', '\n', '\r', '\0', '\t', ' ', ':', '=', '[', ']', '%', '#', ';', ',', '-', '_', '*', '\\', '"', "'", '$(', '`', '\u00e9', '\u200b', '\ud83d\ude00', '\u202e', '\ufeff'];

// Any string: printable, any code point, or pieces of the nasty set glued together.
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 6 }), fc.stringMatching(/^[0-9]{1,6}$/)), { maxLength: 12 }).map((parts) => parts.join('')),
);

// One random edit of `s`: insert a nasty piece, delete or duplicate a slice, or truncate.
function mutate(s: string): fc.Arbitrary<string> {
  const pos = fc.nat({ max: s.length });
  return fc.oneof(
    fc.tuple(pos, fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 3 }))).map(([p, piece]) => s.slice(0, p) + piece + s.slice(p)),
    fc.tuple(pos, pos).map(([a, b]) => s.slice(0, Math.min(a, b)) + s.slice(Math.max(a, b))),
    fc.tuple(pos, pos).map(([a, b]) => s.slice(0, Math.max(a, b)) + s.slice(Math.min(a, b))),
    pos.map((p) => s.slice(0, p)),
  );
}

// Valid values from `valid`, each put through 0-3 random edits: the inputs that reach deep branches.
export function nearly(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edited = (s: string, n: number): fc.Arbitrary<string> => (n === 0 ? fc.constant(s) : mutate(s).chain((t) => edited(t, n - 1)));
  return fc.tuple(valid, fc.integer({ min: 0, max: 3 })).chain(([s, n]) => edited(s, n));
}

// Valid, nearly valid or hostile: the mix every parser is fed.
export function fuzz(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: valid, weight: 1 }, { arbitrary: nearly(valid), weight: 3 }, { arbitrary: hostileString, weight: 2 });
}

// Mostly valid: enough values get through a multi-field parser to exercise what it builds.
export function mostly(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: fuzz(valid), weight: 1 });
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: NerdnetError };

// Run `fn`: its value, or the NerdnetError it threw; any other exception fails the property.
export function outcome<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (NerdnetError.is(err)) return { ok: false, error: err };
    throw err;
  }
}

export async function outcomeAsync<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (NerdnetError.is(err)) return { ok: false, error: err };
    throw err;
  }
}
