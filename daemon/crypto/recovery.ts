// The recovery key (docs/keys.md §"Recovery key"): the 32-byte master key as 24 BIP39 English
// words (256 bits + an 8-bit checksum). Written down at `init`, it restores everything without
// the passphrase or the key file, so the parser forgives what people do when they type it back
// (case, extra spaces, line breaks, the numbers printed beside the words, 4-letter abbreviations)
// and names exactly what is wrong otherwise.
import { entropyToMnemonic, mnemonicToEntropy, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { InvalidArgumentError, InvalidRecoveryKeyError } from '../errors.js'
import { MASTER_KEY_LENGTH } from './keys.js'

export const RECOVERY_WORD_COUNT = 24

const WORDS = new Set(wordlist)
const HINT = 'compare every word and its position with the recovery sheet written down at `p2pbak init`'

/** The master key as 24 lowercase words separated by single spaces. */
export function masterKeyToRecoveryKey (master: Uint8Array): string {
  if (!(master instanceof Uint8Array) || master.byteLength !== MASTER_KEY_LENGTH) {
    throw new InvalidArgumentError(`a master key must be ${MASTER_KEY_LENGTH} bytes`, {
      hint: 'pass the key from generateMasterKey() or unwrapKeyFile()'
    })
  }
  return entropyToMnemonic(master, wordlist)
}

/** The master key a recovery key encodes; InvalidRecoveryKeyError naming the problem otherwise. */
export function recoveryKeyToMasterKey (words: string): Uint8Array {
  const list = parseWords(words)
  const entropy = mnemonicToEntropy(list.join(' '), wordlist)
  return new Uint8Array(entropy)
}

/** The recovery key as six numbered lines of four words, for writing down. */
export function formatRecoveryKey (words: string | readonly string[]): string {
  const list = parseWords(typeof words === 'string' ? words : words.join(' '))
  const lines: string[] = []
  for (let i = 0; i < list.length; i += 4) {
    lines.push(list.slice(i, i + 4).map((w, j) => `${String(i + j + 1).padStart(2)} ${w.padEnd(8)}`).join('   ').trimEnd())
  }
  return lines.join('\n')
}

/** Normalized, checked words (exactly 24, all known, checksum valid). */
function parseWords (input: string): string[] {
  if (typeof input !== 'string') throw new InvalidRecoveryKeyError('the recovery key must be text', { hint: HINT })
  const tokens = input.normalize('NFKD').toLowerCase().split(/[\s,;]+/)
    .map((t) => t.replace(/^\d+[.):]/, '')) // "7." or "7)" printed or typed before a word
    .filter((t) => t.length > 0 && !/^\d+$/.test(t)) // bare position numbers
  if (tokens.length !== RECOVERY_WORD_COUNT) {
    throw new InvalidRecoveryKeyError(`the recovery key has ${tokens.length} word${tokens.length === 1 ? '' : 's'}; it must have ${RECOVERY_WORD_COUNT}`, {
      hint: `enter all ${RECOVERY_WORD_COUNT} words in order; ${HINT}`
    })
  }
  const problems: string[] = []
  const words = tokens.map((token, i) => {
    if (WORDS.has(token)) return token
    const expanded = expandPrefix(token)
    if (expanded !== undefined) return expanded
    const shown = JSON.stringify(token.slice(0, 32))
    problems.push(`unknown word ${shown} at position ${i + 1} (did you mean "${closestWord(token)}"?)`)
    return token
  })
  if (problems.length > 0) throw new InvalidRecoveryKeyError(problems.join('; '), { hint: HINT })
  if (!validateMnemonic(words.join(' '), wordlist)) {
    throw new InvalidRecoveryKeyError('the recovery key\'s checksum does not match: a word is wrong or two words are swapped', {
      hint: HINT
    })
  }
  return words
}

/** BIP39 words are unique in their first four letters, so a prefix of 4+ letters names one word. */
function expandPrefix (token: string): string | undefined {
  if (token.length < 4) return undefined
  const matches = wordlist.filter((w) => w.startsWith(token))
  return matches.length === 1 ? matches[0] : undefined
}

/** The nearest word by edit distance; ties go to the same length, then the same first letter. */
function closestWord (token: string): string {
  let best = wordlist[0] as string
  let bestScore = Infinity
  for (const word of wordlist) {
    const score = editDistance(token, word) * 1000 + Math.abs(word.length - token.length) * 10 + (word[0] === token[0] ? 0 : 1)
    if (score < bestScore) { best = word; bestScore = score }
  }
  return best
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance (a: string, b: string): number {
  if (a.length > 64) a = a.slice(0, 64) // a pasted paragraph must not cost quadratic time per word
  const rows: number[][] = []
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1)
    row[0] = i
    rows.push(row)
  }
  const first = rows[0] as number[]
  for (let j = 0; j <= b.length; j++) first[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[]
    const prev = rows[i - 1] as number[]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2] as number[])[j - 2] as number + 1)
      }
      row[j] = d
    }
  }
  return (rows[a.length] as number[])[b.length] as number
}
