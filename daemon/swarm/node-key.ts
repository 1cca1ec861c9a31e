// The node's libp2p identity: an Ed25519 key persisted in the state directory, so the peer ID
// (and with it every placement by XOR distance) stays the same across restarts (DESIGN.md §8).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { CorruptObjectError, NotInitializedError } from '../errors.js'
import { readPrivateFile, writeNewFileAtomic } from './swarm-key.js'

/** File name of the node key inside the state directory. */
export const NODE_KEY_FILE_NAME = 'node.key'

/**
 * Loads `<stateDir>/node.key` (libp2p private key protobuf), or creates it on first start: a new
 * Ed25519 key written crash-safely with mode 0600, never over an existing file. When two processes
 * race to create it, both end up with the key that reached the disk first. The file must be
 * private to its owner (InsecureKeyFileError otherwise); a file that does not decode is
 * CorruptObjectError (the peer ID is lost: move it away and restart to get a new one).
 */
export async function loadOrCreateNodeKey (stateDir: string): Promise<PrivateKey> {
  const path = join(stateDir, NODE_KEY_FILE_NAME)
  const existing = tryLoad(path)
  if (existing !== undefined) return existing
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const key = await generateKeyPair('Ed25519')
  try {
    writeNewFileAtomic(path, privateKeyToProtobuf(key))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    const winner = tryLoad(path)
    if (winner === undefined) throw err
    return winner
  }
  return key
}

function tryLoad (path: string): PrivateKey | undefined {
  let bytes: Buffer
  try {
    bytes = readPrivateFile(path, `no node key at ${path}`, '')
  } catch (err) {
    if (err instanceof NotInitializedError) return undefined
    throw err
  }
  try {
    return privateKeyFromProtobuf(new Uint8Array(bytes))
  } catch (err) {
    throw new CorruptObjectError(`the node key ${path} does not decode (${(err as Error).message})`, {
      hint: `this machine's peer ID cannot be recovered from it; move ${path} away and restart to create a new identity (peers will re-replicate what it held)`,
      cause: err
    })
  }
}
