// Is a new passphrase good enough to protect the key file that every colleague's machine receives
// (docs/keys.md §"Passphrase strength")? zxcvbn estimates how many guesses a cracker with
// dictionaries and common patterns needs; its dictionaries (~1.5 MB) are loaded only here, when a
// new passphrase is checked, so ordinary commands do not pay for them.
import { WeakPassphraseError } from './errors.js'

/**
 * The lowest zxcvbn score accepted. Score 3 means an estimated 10^8 guesses or more; at ~1 s per
 * guess per core (the key file's scrypt cost) that is about three CPU-years, where score 2
 * (10^6–10^8: a name plus a year, a word with digits) falls in days to weeks to one machine.
 */
export const MIN_PASSPHRASE_SCORE = 3

const HINT = 'choose four or more words that do not form a known phrase (e.g. "lamp orbit velvet cactus"), or a long random string from a password manager'

interface Checker { check: (password: string, userInputs?: string[]) => { score: number, feedback: { warning: string | null, suggestions: string[] } } }
let checker: Promise<Checker> | undefined

async function loadChecker (): Promise<Checker> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')
  ])
  return new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations
  })
}

/**
 * Throws WeakPassphraseError if `passphrase` is empty or scores below MIN_PASSPHRASE_SCORE.
 * `userInputs` are words an attacker would try first (the owner name, "p2pbak").
 */
export async function checkNewPassphrase (passphrase: string, userInputs: string[] = []): Promise<void> {
  if (passphrase.normalize('NFKC').trim() === '') {
    throw new WeakPassphraseError('the new passphrase is empty', { hint: HINT })
  }
  checker ??= loadChecker()
  const r = (await checker).check(passphrase, ['p2pbak', ...userInputs])
  if (r.score >= MIN_PASSPHRASE_SCORE) return
  const why = r.feedback.warning ?? 'it would be guessed quickly by a password cracker'
  throw new WeakPassphraseError(`the new passphrase is too easy to guess (strength ${r.score} of 4, at least ${MIN_PASSPHRASE_SCORE} is needed): ${why.replace(/\.$/, '')}`, {
    hint: [HINT, ...r.feedback.suggestions].join('. ').replace(/\.\./g, '.')
  })
}
