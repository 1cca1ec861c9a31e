// The persisted node key: created once with mode 0600, reloaded as the same identity, never
// replaced, refused when insecure or corrupt.
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { CorruptObjectError } from '../../../daemon/errors.js'
import { InsecureKeyFileError, loadOrCreateNodeKey, NODE_KEY_FILE_NAME } from '../../../daemon/swarm/index.js'
import { tempDirs } from '../../harness/tmp.js'

const dirs = tempDirs()
afterEach(() => { dirs.cleanup() })

describe('loadOrCreateNodeKey', () => {
  it('creates an Ed25519 key with mode 0600 in a new state dir (0700), and reloads the same one', async () => {
    const stateDir = join(dirs.make(), 'state')
    const first = await loadOrCreateNodeKey(stateDir)
    expect(first.type).toBe('Ed25519')
    expect(statSync(stateDir).mode & 0o777).toBe(0o700)
    expect(statSync(join(stateDir, NODE_KEY_FILE_NAME)).mode & 0o777).toBe(0o600)
    expect(readdirSync(stateDir)).toEqual([NODE_KEY_FILE_NAME])
    const second = await loadOrCreateNodeKey(stateDir)
    expect(second.equals(first)).toBe(true)
    expect(peerIdFromPrivateKey(second).toString()).toBe(peerIdFromPrivateKey(first).toString())
  })

  it('concurrent first starts agree on one key', async () => {
    const stateDir = dirs.make()
    const keys = await Promise.all([1, 2, 3, 4].map(async () => await loadOrCreateNodeKey(stateDir)))
    const onDisk = await loadOrCreateNodeKey(stateDir)
    for (const k of keys) expect(k.equals(onDisk)).toBe(true)
  })

  it('refuses a key file that others can read', async () => {
    const stateDir = dirs.make()
    await loadOrCreateNodeKey(stateDir)
    chmodSync(join(stateDir, NODE_KEY_FILE_NAME), 0o644)
    await expect(loadOrCreateNodeKey(stateDir)).rejects.toThrow(InsecureKeyFileError)
  })

  it('a corrupt key file is CorruptObjectError and is not replaced', async () => {
    const stateDir = dirs.make()
    const path = join(stateDir, NODE_KEY_FILE_NAME)
    writeFileSync(path, 'garbage', { mode: 0o600 })
    await expect(loadOrCreateNodeKey(stateDir)).rejects.toThrow(CorruptObjectError)
    expect(statSync(path).size).toBe(7)
  })
})
