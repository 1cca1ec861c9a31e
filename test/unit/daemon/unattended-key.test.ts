// The unattended key (docs/keys.md §Unattended key): the master key on the daemon's disk, mode
// 0600, written once, refused when others may read it or when it does not decode.
import { chmodSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { CorruptObjectError } from '../../../daemon/errors.js'
import { readUnattendedKey, UNATTENDED_KEY_FILE_NAME, writeUnattendedKey } from '../../../daemon/owner.js'
import { InsecureKeyFileError } from '../../../daemon/swarm/swarm-key.js'
import { tempDirs } from '../../harness/tmp.js'

const dirs = tempDirs()
afterEach(() => { dirs.cleanup() })

describe('unattended key', () => {
  it('round-trips the master key in a 0600 file, and is never replaced', () => {
    const dir = dirs.make()
    const key = randomBytes(32)
    expect(readUnattendedKey(dir)).toBeUndefined()
    writeUnattendedKey(dir, key)
    expect(statSync(join(dir, UNATTENDED_KEY_FILE_NAME)).mode & 0o777).toBe(0o600)
    expect(Buffer.from(readUnattendedKey(dir)!)).toEqual(key)
    expect(() => { writeUnattendedKey(dir, randomBytes(32)) }).toThrow(expect.objectContaining({ code: 'EEXIST' }))
    expect(Buffer.from(readUnattendedKey(dir)!)).toEqual(key)
  })

  it('refuses a file others may read, and one that is not a key', () => {
    const dir = dirs.make()
    writeUnattendedKey(dir, randomBytes(32))
    chmodSync(join(dir, UNATTENDED_KEY_FILE_NAME), 0o644)
    expect(() => readUnattendedKey(dir)).toThrow(InsecureKeyFileError)
    const other = dirs.make()
    writeFileSync(join(other, UNATTENDED_KEY_FILE_NAME), 'p2pbak-master-key-v1:c2hvcnQ=\n', { mode: 0o600 })
    expect(() => readUnattendedKey(other)).toThrow(CorruptObjectError)
    writeFileSync(join(other, UNATTENDED_KEY_FILE_NAME), 'something else entirely\n', { mode: 0o600 })
    expect(() => readUnattendedKey(other)).toThrow(/is not a p2pbak master key/)
  })
})
