/**
 * Korean search: a query typed in initial consonants (초성, e.g. `ㅂㅌ`) finds `비트코인`, and
 * mixed queries (`비ㅌ`) work too, as on Korean exchanges.
 *
 * A precomposed syllable U+AC00..U+D7A3 is `0xAC00 + (initial * 21 + medial) * 28 + final`, so its
 * initial consonant is `floor((code - 0xAC00) / 588)`, an index into the 19 initials below
 * (written as Hangul Compatibility Jamo, the characters a Korean keyboard types).
 */
const INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
const SYLLABLE_FIRST = 0xac00;
const SYLLABLE_LAST = 0xd7a3;
const SYLLABLES_PER_INITIAL = 588;

/** The initial consonant of a Hangul syllable, or undefined for any other character. */
export function initialOf(char: string): string | undefined {
  const code = char.charCodeAt(0);
  if (code < SYLLABLE_FIRST || code > SYLLABLE_LAST) return undefined;
  return INITIALS[Math.floor((code - SYLLABLE_FIRST) / SYLLABLES_PER_INITIAL)];
}

/** Whether `char` is one of the 19 initial consonants as typed on a keyboard. */
export function isInitialConsonant(char: string): boolean {
  return char.length === 1 && INITIALS.includes(char);
}

/** Every syllable replaced by its initial consonant: `비트코인` -> `ㅂㅌㅋㅇ`. */
export function toInitials(text: string): string {
  let out = "";
  for (const ch of text) out += initialOf(ch) ?? ch;
  return out;
}

function charMatches(textChar: string, queryChar: string): boolean {
  if (textChar === queryChar) return true;
  return isInitialConsonant(queryChar) && initialOf(textChar) === queryChar;
}

/**
 * Whether `query` occurs in `text`, where each initial consonant in the query also matches any
 * syllable starting with it. Latin letters compare case-insensitively; spaces in the query are ignored.
 */
export function hangulIncludes(text: string, query: string): boolean {
  const q = [...query.replace(/\s+/g, "").toLowerCase()];
  if (q.length === 0) return true;
  const s = [...text.replace(/\s+/g, "").toLowerCase()];
  outer: for (let i = 0; i + q.length <= s.length; i++) {
    for (let j = 0; j < q.length; j++) {
      if (!charMatches(s[i + j] as string, q[j] as string)) continue outer;
    }
    return true;
  }
  return false;
}
