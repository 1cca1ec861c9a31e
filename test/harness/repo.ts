// Shared fixtures for repository tests: temp folders, an owner with the cheapest allowed KDF,
// deterministic file trees, and reading a directory back for byte comparisons.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { initOwner, openOwner } from '../../daemon/owner.js'
import type { Owner } from '../../daemon/owner.js'
import type { RepositoryOptions } from '../../daemon/repository/repository.js'
import type { Backend } from '../../daemon/store/index.js'

/** The cheapest scrypt cost initOwner accepts (MIN_CREATE_SCRYPT, no calibration): ~0.6 s here, not 1-2 s. */
export const TEST_KDF = { N: 2 ** 17 }
/** Small chunks give many blobs from small test files. */
export const SMALL_CHUNKS = { min: 2048, avg: 8192, max: 65536 }
export const TEST_PASSPHRASE = 'correct horse battery staple'

const keep = process.env.P2PBAK_KEEP_TEST_STATE === '1'

/** A new folder under the system temp dir; remove it with `removeTempDir`. */
export function makeTempDir (prefix: string): string {
  return mkdtempSync(join(tmpdir(), `p2pbak-${prefix}-`))
}

/** Removes a temp folder unless P2PBAK_KEEP_TEST_STATE=1 (then it is left for inspection). */
export function removeTempDir (dir: string): void {
  if (!keep) rmSync(dir, { recursive: true, force: true })
}

export interface TestOwnerOptions {
  backend: Backend
  stateDir: string
  ownerName?: string
  repository?: RepositoryOptions
}

/** initOwner + openOwner with the test KDF. Call `owner.close()` when done. */
export async function createTestOwner (options: TestOwnerOptions): Promise<Owner> {
  await initOwner({
    stateDir: options.stateDir,
    backend: options.backend,
    ownerName: options.ownerName ?? 'tester',
    passphrase: TEST_PASSPHRASE,
    kdf: TEST_KDF
  })
  return await reopenTestOwner(options)
}

/** Opens an owner created by `createTestOwner` again (same state directory). */
export async function reopenTestOwner (options: TestOwnerOptions): Promise<Owner> {
  return await openOwner({
    stateDir: options.stateDir,
    backend: options.backend,
    passphrase: TEST_PASSPHRASE,
    repository: options.repository
  })
}

/** Deterministic pseudo-random bytes (xorshift32): incompressible, reproducible from a seed. */
export function prng (seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length)
  let x = (seed | 0) || 0x9e3779b9
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** A small deterministic RNG for choosing test positions: returns integers in [0, n). */
export function seededRandom (seed: number): (n: number) => number {
  let x = (seed | 0) || 0x2545f491
  return (n: number) => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    return (x >>> 0) % n
  }
}

/** Writes `files` (relative path → content) under `dir`, creating folders as needed. */
export function writeFiles (dir: string, files: Record<string, Uint8Array>): void {
  for (const [rel, data] of Object.entries(files)) {
    const path = join(dir, rel)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, data)
  }
}

/** Every regular file under `dir`, by path relative to `dir` ('/'-separated), with its bytes. */
/** Every regular file below `dir` (none when `dir` does not exist: a restore whose top tree was damaged). */
export function readFiles (dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  if (!existsSync(dir)) return out
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      const st = lstatSync(path)
      if (st.isDirectory()) walk(path)
      else if (st.isFile()) out.set(relative(dir, path), readFileSync(path))
    }
  }
  walk(dir)
  return out
}

/** Path of a pack file inside a directory store (docs/storage.md: packs/<shard>/<id>). */
export function packFilePath (storeDir: string, id: string): string {
  return join(storeDir, 'packs', id.slice('bafkrei'.length, 'bafkrei'.length + 2), id)
}

/** Path of a record file inside a directory store. */
export function recordFilePath (storeDir: string, key: string): string {
  return join(storeDir, 'records', key)
}
