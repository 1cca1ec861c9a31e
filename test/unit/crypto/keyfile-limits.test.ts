// A hostile key file (from a peer, or planted on disk) must not make us allocate scrypt memory or
// spin the CPU: its parameters are checked before scrypt runs. scryptSync is wrapped in a spy to
// prove it is never called with them.
import { vi, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { scryptSync } from 'node:crypto'
import {
  createKeyFile, decodeKeyFile, MAX_SCRYPT, rewrapKeyFile, scryptMaxmem, unwrapKeyFile
} from '../../../daemon/crypto/index.js'
import type { KeyFileJson } from '../../../daemon/crypto/index.js'
import { CorruptObjectError, InvalidArgumentError } from '../../../daemon/errors.js'

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  return { ...actual, scryptSync: vi.fn(actual.scryptSync) }
})

const scrypt = vi.mocked(scryptSync)
let good: KeyFileJson

beforeAll(() => {
  good = createKeyFile({ ownerName: 'alice', passphrase: 'pw' }).keyFile
})
beforeEach(() => { scrypt.mockClear() })

const HOSTILE: Array<[string, Partial<KeyFileJson['kdf']>]> = [
  ['N = 2^30', { N: 2 ** 30 }],
  ['N = 2^23', { N: 2 ** 23 }],
  ['r = 1024', { r: 1024 }],
  ['p = 1000', { p: 1000 }],
  ['N = 2^22, r = 32 (16 GiB)', { N: 2 ** 22, r: 32 }],
  ['N = 2^21 (2 GiB)', { N: 2 ** 21 }],
  ['N = 2^20, r = 16 (2 GiB)', { N: 2 ** 20, r: 16 }],
  ['N = 2^20, r = 8, p = 2 (work)', { N: 2 ** 20, r: 8, p: 2 }],
  ['N = 2^21, r = 8, p = 16 (work)', { N: 2 ** 21, r: 8, p: 16 }],
  ['N = 2^17, r = 1 (invalid for r)', { N: 2 ** 17, r: 1 }],
  ['N = 2^53', { N: 2 ** 53 }]
]

describe('hostile KDF parameters', () => {
  it.each(HOSTILE)('%s is refused by decode and unwrap without running scrypt', (_, kdf) => {
    const hostile = { ...good, kdf: { ...good.kdf, ...kdf } }
    expect(() => decodeKeyFile(Buffer.from(JSON.stringify(hostile)))).toThrow(CorruptObjectError)
    expect(() => unwrapKeyFile(hostile, 'pw')).toThrow(CorruptObjectError)
    expect(() => rewrapKeyFile(hostile, 'pw', 'pw2')).toThrow(CorruptObjectError)
    expect(scrypt).not.toHaveBeenCalled()
  })

  it('names the limit in the message', () => {
    const hostile = { ...good, kdf: { ...good.kdf, N: 2 ** 30 } }
    expect(() => decodeKeyFile(Buffer.from(JSON.stringify(hostile)))).toThrow(/N = 1073741824 is above the limit 1048576/)
  })

  it('refuses hostile parameters on create too', () => {
    expect(() => createKeyFile({ ownerName: 'a', passphrase: 'pw', kdf: { N: 2 ** 30 } })).toThrow(InvalidArgumentError)
    expect(scrypt).not.toHaveBeenCalled()
  })

  it('accepts the largest allowed cost (the check is not off by one)', () => {
    const max = { ...good, kdf: { ...good.kdf, N: MAX_SCRYPT.N, r: 8, p: 1 } }
    expect(decodeKeyFile(Buffer.from(JSON.stringify(max))).kdf.N).toBe(2 ** 20)
  })

  it('passes scrypt a maxmem that covers the parameters it runs', () => {
    unwrapKeyFile(good, 'pw')
    expect(scrypt).toHaveBeenCalledTimes(1)
    const options = scrypt.mock.calls[0]?.[3]
    expect(options).toMatchObject({ N: 2 ** 17, r: 8, p: 1 })
    expect(options?.maxmem).toBeGreaterThanOrEqual(128 * 2 ** 17 * 8)
  })

  it('keeps scrypt maxmem near the 1 GiB memory cap for the costliest file it opens', () => {
    const max = { ...good, kdf: { ...good.kdf, N: MAX_SCRYPT.N, r: 8, p: 1 } }
    expect(MAX_SCRYPT.memory).toBe(2 ** 30)
    expect(scryptMaxmem(max.kdf.N, max.kdf.r, max.kdf.p)).toBeLessThanOrEqual(MAX_SCRYPT.memory + 2 * 1024 * 1024)
    expect(scryptMaxmem(max.kdf.N, max.kdf.r, max.kdf.p)).toBeGreaterThanOrEqual(128 * max.kdf.N * max.kdf.r)
  })
})
