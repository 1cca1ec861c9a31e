// The native addon: file times to the exact nanosecond (Node's utimes cannot), and flock.
import { closeSync, lstatSync, openSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { flockExclusive, setFdTimesNs, setTimesNs, syncFs } from '../../../../daemon/fs/native.js'
import { tempDirs } from '../../../harness/tmp.js'

const dirs = tempDirs()
afterAll(() => { dirs.cleanup() })

const MTIME = 1_700_000_000_123_456_789n
const ATIME = 1_600_000_000_987_654_321n

describe('native file times', () => {
  it('sets a file\'s times to the nanosecond, by path and by fd', () => {
    const f = join(dirs.make(), 'f')
    writeFileSync(f, 'x')
    setTimesNs(f, ATIME, MTIME)
    let st = statSync(f, { bigint: true })
    expect(st.mtimeNs).toBe(MTIME)
    expect(st.atimeNs).toBe(ATIME)
    const fd = openSync(f, 'r+')
    try {
      setFdTimesNs(fd, MTIME + 1n, ATIME + 1n)
    } finally {
      closeSync(fd)
    }
    st = statSync(f, { bigint: true })
    expect(st.mtimeNs).toBe(ATIME + 1n)
    expect(st.atimeNs).toBe(MTIME + 1n)
  })

  it('sets a symlink\'s own times with noFollow, leaving its target alone', () => {
    const d = dirs.make()
    writeFileSync(join(d, 'target'), 'x')
    setTimesNs(join(d, 'target'), 5_000_000_000n, 5_000_000_000n)
    symlinkSync('target', join(d, 'link'))
    setTimesNs(join(d, 'link'), ATIME, MTIME, { noFollow: true })
    expect(lstatSync(join(d, 'link'), { bigint: true }).mtimeNs).toBe(MTIME)
    expect(statSync(join(d, 'target'), { bigint: true }).mtimeNs).toBe(5_000_000_000n)
  })

  it('handles times before 1970 and names that are not UTF-8', () => {
    const f = Buffer.concat([Buffer.from(dirs.make() + '/'), Buffer.from([0x66, 0xff, 0xfe])])
    closeSync(openSync(f, 'w'))
    setTimesNs(f, -1_500_000_001n, -1_500_000_001n)
    expect(lstatSync(f, { bigint: true }).mtimeNs).toBe(-1_500_000_001n)
  })

  it('throws errors like Node\'s fs, with code and syscall', () => {
    let err: NodeJS.ErrnoException | undefined
    try { setTimesNs(join(dirs.make(), 'missing'), 0n, 0n) } catch (e) { err = e as NodeJS.ErrnoException }
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'utimensat' })
  })
})

describe('native flock', () => {
  it('syncFs flushes the filesystem of an open folder, and a bad fd is EBADF', () => {
    const dir = dirs.make('p2pbak-native-')
    writeFileSync(join(dir, 'f'), 'x')
    const fd = openSync(dir, 'r')
    try { expect(() => syncFs(fd)).not.toThrow() } finally { closeSync(fd) }
    expect(() => syncFs(fd)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'syncfs' }))
  })

  it('a second open file of the same path cannot take the lock until the first is closed', () => {
    const f = join(dirs.make(), 'lock')
    writeFileSync(f, '')
    const a = openSync(f, 'r+')
    const b = openSync(f, 'r+')
    try {
      expect(flockExclusive(a)).toBe(true)
      expect(flockExclusive(b)).toBe(false)
    } finally {
      closeSync(a)
    }
    try {
      expect(flockExclusive(b)).toBe(true)
    } finally {
      closeSync(b)
    }
  })
})
