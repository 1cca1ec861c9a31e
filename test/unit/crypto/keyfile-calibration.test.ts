// The KDF cost of a new key file is calibrated to the machine (docs/keys.md §"KDF"): N doubles from
// the minimum while one derivation fits the target time, up to a cap. scryptSync is replaced by a
// fast stand-in (a hash of its inputs) that advances a fake clock by the time the real one would
// take on a machine of a chosen speed, so every branch is checked without spending seconds.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHash, randomBytes, scryptSync } from 'node:crypto'
import {
  createKeyFile, deriveKeys, KDF_TARGET_ENV, seal, KDF_TARGET_MS, MAX_CREATE_SCRYPT, MIN_CREATE_SCRYPT, rewrapKeyFile, unwrapKeyFile
} from '../../../daemon/crypto/index.js'
import type { KeyFileJson } from '../../../daemon/crypto/index.js'
import { InvalidArgumentError } from '../../../daemon/errors.js'

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  return { ...actual, scryptSync: vi.fn(actual.scryptSync) }
})

const scrypt = vi.mocked(scryptSync)
const PASS = 'lamp orbit velvet cactus'
let clock = 0
/** Milliseconds one derivation at N = 2^17, r = 8 takes on the pretend machine. */
let msAtMin = 600

beforeEach(() => {
  clock = 0
  vi.spyOn(performance, 'now').mockImplementation(() => clock)
  scrypt.mockImplementation((password, salt, keylen, options) => {
    clock += msAtMin * (options!.N! / 2 ** 17) * (options!.r! / 8)
    return createHash('sha256').update(JSON.stringify([Buffer.from(password as Uint8Array).toString('hex'), Buffer.from(salt as Uint8Array).toString('hex'), options!.N, options!.r, options!.p])).digest().subarray(0, keylen)
  })
  scrypt.mockClear()
})
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

const created = (targetMs?: number): KeyFileJson => createKeyFile({ ownerName: 'alice', passphrase: PASS, kdf: targetMs === undefined ? undefined : { targetMs } }).keyFile
const costs = (): number[] => scrypt.mock.calls.map(c => c[3]!.N!)

describe('KDF calibration', () => {
  it('production bounds: at least N = 2^17, r = 8 (128 MiB), at most N = 2^19 (512 MiB), target 1 s', () => {
    expect(MIN_CREATE_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 })
    expect(MAX_CREATE_SCRYPT).toEqual({ N: 2 ** 19, r: 8, p: 1 })
    expect(KDF_TARGET_MS).toBe(1000)
  })

  it('on a machine where 2^17 takes 0.3 s, picks 2^18 for a 1 s target (and the file opens)', () => {
    msAtMin = 300
    const kf = created(1000)
    expect(kf.kdf).toMatchObject({ N: 2 ** 18, r: 8, p: 1 })
    expect(costs()).toEqual([2 ** 17, 2 ** 18]) // one timing run at the minimum, then the real one
    expect(unwrapKeyFile(kf, PASS).byteLength).toBe(32)
  })

  it('keeps the first derivation when it already takes about the target (no second run)', () => {
    msAtMin = 600
    expect(created(1000).kdf.N).toBe(2 ** 17)
    expect(costs()).toEqual([2 ** 17])
  })

  it('never goes below the minimum, even on a slow machine or with a zero target', () => {
    msAtMin = 5000
    expect(created(1000).kdf.N).toBe(2 ** 17)
    msAtMin = 1
    expect(created(0).kdf.N).toBe(2 ** 17)
  })

  it('never goes above the cap on a very fast machine', () => {
    msAtMin = 10
    expect(created(1000).kdf.N).toBe(MAX_CREATE_SCRYPT.N)
    expect(Math.max(...costs())).toBe(MAX_CREATE_SCRYPT.N)
  })

  it('uses 1 s by default, and P2PBAK_KDF_TARGET_MS when set (the test suite sets 0)', () => {
    msAtMin = 300
    vi.stubEnv(KDF_TARGET_ENV, '')
    expect(created().kdf.N).toBe(2 ** 18)
    vi.stubEnv(KDF_TARGET_ENV, '0')
    expect(created().kdf.N).toBe(2 ** 17)
    vi.stubEnv(KDF_TARGET_ENV, '100000') // raising the target is capped too
    expect(created().kdf.N).toBe(MAX_CREATE_SCRYPT.N)
    vi.stubEnv(KDF_TARGET_ENV, 'fast')
    expect(() => created()).toThrow(InvalidArgumentError)
  })

  it('an explicit cost below the minimum is refused, whatever the target', () => {
    expect(() => createKeyFile({ ownerName: 'a', passphrase: PASS, kdf: { N: 2 ** 16 } })).toThrow(InvalidArgumentError)
    expect(() => createKeyFile({ ownerName: 'a', passphrase: PASS, kdf: { N: 2 ** 15, targetMs: 0 } })).toThrow(InvalidArgumentError)
    expect(scrypt).not.toHaveBeenCalled()
  })

  it('rewrapping (key passwd) raises a file of the old default cost (2^15) to the calibrated cost', () => {
    msAtMin = 300
    const master = new Uint8Array(randomBytes(32))
    const salt = randomBytes(32).toString('base64')
    const kek = scryptSync(Buffer.from(PASS), Buffer.from(salt, 'base64'), 32, { N: 2 ** 15, r: 8, p: 1 })
    const aad = Buffer.from('p2pbak/v1/keyfile\n' + JSON.stringify([1, 'alice', 'scrypt', 2 ** 15, 8, 1, salt]))
    const legacy: KeyFileJson = {
      version: 1, owner: 'alice', created: '2024-01-01T00:00:00Z', kdf: { name: 'scrypt', N: 2 ** 15, r: 8, p: 1, salt },
      wrappedKey: seal(kek, master, aad).toString('base64'), publicKey: Buffer.from(deriveKeys(master).publicKey).toString('base64')
    }
    expect(unwrapKeyFile(legacy, PASS)).toEqual(master) // old files keep opening
    const rewrapped = rewrapKeyFile(legacy, PASS, 'a new passphrase here', { kdf: { targetMs: 1000 } })
    expect(rewrapped.kdf.N).toBe(2 ** 18)
    expect(unwrapKeyFile(rewrapped, 'a new passphrase here')).toEqual(master)
  })

  it('rewrapping never makes a file cheaper than it was', () => {
    msAtMin = 2000 // a slower machine than the one that made the file
    const strong = createKeyFile({ ownerName: 'alice', passphrase: PASS, kdf: { N: 2 ** 19 } }).keyFile
    expect(rewrapKeyFile(strong, PASS, 'a new passphrase here', { kdf: { targetMs: 1000 } }).kdf.N).toBe(2 ** 19)
  })
})
