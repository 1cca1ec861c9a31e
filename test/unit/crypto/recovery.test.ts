import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  deriveKeys, formatRecoveryKey, generateMasterKey, masterKeyToRecoveryKey, recoveryKeyToMasterKey
} from '../../../daemon/crypto/index.js'
import { InvalidArgumentError, InvalidRecoveryKeyError } from '../../../daemon/errors.js'

const MASTER = Uint8Array.from({ length: 32 }, (_, i) => i)
// Computed once (docs/keys.md §"Test vector").
const MASTER_WORDS = 'abandon amount liar amount expire adjust cage candy arch gather drum bullet absurd math era live bid rhythm alien crouch range attend journey unaware'

function thrown (fn: () => unknown): Error {
  try { fn() } catch (err) { return err as Error }
  throw new Error('expected a throw')
}

describe('recovery key', () => {
  it('matches the BIP39 reference vectors for 256-bit entropy', () => {
    expect(masterKeyToRecoveryKey(new Uint8Array(32))).toBe('abandon '.repeat(23) + 'art')
    expect(masterKeyToRecoveryKey(new Uint8Array(32).fill(0x7f))).toBe('legal winner thank year wave sausage worth useful '.repeat(2) + 'legal winner thank year wave sausage worth title')
    expect(masterKeyToRecoveryKey(new Uint8Array(32).fill(0xff))).toBe('zoo '.repeat(23) + 'vote')
    expect(masterKeyToRecoveryKey(MASTER)).toBe(MASTER_WORDS)
  })

  it('round-trips any master key', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (master) => {
      const words = masterKeyToRecoveryKey(master)
      expect(words.split(' ')).toHaveLength(24)
      expect(recoveryKeyToMasterKey(words)).toEqual(master)
    }), { numRuns: 300 })
  })

  it('recreates identical derived keys', () => {
    const master = generateMasterKey()
    const a = deriveKeys(master)
    const b = deriveKeys(recoveryKeyToMasterKey(masterKeyToRecoveryKey(master)))
    expect(b.encryptionKey).toEqual(a.encryptionKey)
    expect(b.blobIdKey).toEqual(a.blobIdKey)
    expect(b.chunkerKey).toEqual(a.chunkerKey)
    expect(b.publicKey).toEqual(a.publicKey)
    expect(b.ownerId).toBe(a.ownerId)
  })

  it('tolerates case, extra whitespace, line breaks, printed numbers and 4-letter abbreviations', () => {
    const words = MASTER_WORDS.split(' ')
    expect(recoveryKeyToMasterKey(`  ${words.slice(0, 12).join('   ').toUpperCase()}\n\t${words.slice(12).join('\r\n')}  `)).toEqual(MASTER)
    expect(recoveryKeyToMasterKey(formatRecoveryKey(MASTER_WORDS))).toEqual(MASTER)
    expect(recoveryKeyToMasterKey(words.map((w, i) => `${i + 1}. ${w}`).join(', '))).toEqual(MASTER)
    expect(recoveryKeyToMasterKey(words.map((w) => w.slice(0, 4)).join(' '))).toEqual(MASTER)
  })

  it('names an unknown word, its position and the closest word', () => {
    const err = thrown(() => recoveryKeyToMasterKey(MASTER_WORDS.replace('liar', 'lair')))
    expect(err).toBeInstanceOf(InvalidRecoveryKeyError)
    expect(err.message).toContain('unknown word "lair" at position 3')
    expect(err.message).toContain('did you mean "liar"?')
    expect((err as InvalidRecoveryKeyError).hint).toMatch(/recovery sheet/)
    const typo = thrown(() => recoveryKeyToMasterKey(MASTER_WORDS.replace('rhythm', 'rythm')))
    expect(typo.message).toContain('unknown word "rythm" at position 18 (did you mean "rhythm"?)')
  })

  it('detects two swapped words by the checksum', () => {
    const words = MASTER_WORDS.split(' ')
    ;[words[1], words[2]] = [words[2] as string, words[1] as string]
    const err = thrown(() => recoveryKeyToMasterKey(words.join(' ')))
    expect(err).toBeInstanceOf(InvalidRecoveryKeyError)
    expect(err.message).toMatch(/checksum/)
  })

  it('reports a wrong word count', () => {
    const words = MASTER_WORDS.split(' ')
    for (const list of [words.slice(0, 23), [...words, 'abandon'], words.slice(0, 12), []]) {
      const err = thrown(() => recoveryKeyToMasterKey(list.join(' ')))
      expect(err).toBeInstanceOf(InvalidRecoveryKeyError)
      expect(err.message).toContain(`has ${list.length} word`)
      expect(err.message).toContain('must have 24')
    }
  })

  it('formats six numbered lines of four words that round-trip', () => {
    const text = formatRecoveryKey(MASTER_WORDS)
    const lines = text.split('\n')
    expect(lines).toHaveLength(6)
    expect(lines[0]).toMatch(/^ 1 abandon\s+2 amount\s+3 liar\s+4 amount$/)
    expect(lines[5]).toMatch(/^21 range\s+22 attend\s+23 journey\s+24 unaware$/)
    expect(formatRecoveryKey(MASTER_WORDS.split(' '))).toBe(text)
    expect(() => formatRecoveryKey('abandon abandon')).toThrow(InvalidRecoveryKeyError)
  })

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => masterKeyToRecoveryKey(new Uint8Array(16))).toThrow(InvalidArgumentError)
  })
})
