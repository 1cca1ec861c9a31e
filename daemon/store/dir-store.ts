// Backend in a local directory (docs/storage.md §"Directory store"). Packs are whole files named by
// their ID under packs/<shard>/, written in tmp/ and renamed into place once fsynced, so a crash
// leaves either nothing or the whole object. Records are small files replaced atomically.
import { chmodSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { dirname, join, resolve } from 'node:path'
import {
  AlreadyExistsError, CorruptObjectError, IntegrityError, NotInitializedError, ObjectNotFoundError,
  UnsupportedVersionError
} from '../errors.js'
import { fsyncDir, mapFsError, writeFileAtomic } from '../fs/atomic.js'
import { faultPoint } from '../fault.js'
import { isPackId, packIdOf } from '../../protocol/ids.js'
import { checkAborted, checkPackId, checkRange, checkRecordKey } from './validate.js'
import type { Backend, ByteRange, ObjectInfo, OperationOptions, PutOptions } from './types.js'

/** Name of the marker file at the top of a directory store. */
/** A directory store: the Backend contract plus writing a pack as it arrives. */
export interface DirStoreBackend extends Backend {
  createWriter: (id: string) => Promise<PackFileWriter>
}

/** A pack being written piece by piece (DirStoreBackend.createWriter). */
export interface PackFileWriter {
  write: (chunk: Uint8Array) => Promise<void>
  /** fsync, rename into place, fsync the folder: durable when it resolves. */
  commit: () => Promise<void>
  /** Removes the temporary file. */
  abort: () => Promise<void>
}

export const DIR_STORE_MARKER = 'p2pbak-store'
/** Layout version written in the marker; bump it (with a migration) when the layout changes. */
export const DIR_STORE_VERSION = 1

/** Every pack ID starts with this (CIDv1, raw, sha2-256, base32): useless for spreading files. */
const ID_PREFIX = 'bafkrei'
/** `has` checks this many files at a time, so a big batch does not flood libuv's thread pool. */
const HAS_CONCURRENCY = 64

/**
 * The shard folder of a pack: the two characters after the fixed prefix. The first of them carries
 * 3 bits of the digest (a–h), the second 5, hence 256 shards.
 */
export function shardOf (id: string): string {
  return id.slice(ID_PREFIX.length, ID_PREFIX.length + 2)
}

export function openDirStore (dir: string, create: boolean): DirStoreBackend {
  const root = resolve(dir)
  const marker = join(root, DIR_STORE_MARKER)
  let raw: string | undefined
  try {
    raw = readFileSync(marker, 'utf8')
  } catch (err) {
    if (codeOf(err) !== 'ENOENT') throw err
  }
  if (raw !== undefined) {
    checkMarker(raw, root)
  } else if (create) {
    initStore(root)
  } else {
    throw new NotInitializedError(`${root} is not a p2pbak store: it has no ${DIR_STORE_MARKER} file`, {
      hint: 'check the path, or create the store there first (openDirBackend(dir, { create: true }))'
    })
  }

  let created = false
  for (const sub of ['packs', 'records', 'tmp']) created = mkdirIfMissing(join(root, sub)) || created
  if (created) fsyncDir(root)

  // Only this process writes here (the repository lock sees to that), so whatever is in tmp/ is
  // a write that a crash interrupted: never complete, never to be served.
  const tmp = join(root, 'tmp')
  for (const name of readdirSync(tmp)) rmSync(join(tmp, name), { recursive: true, force: true })
  // Same for writeFileAtomic's temporaries beside the records (names that no key can take).
  const records = join(root, 'records')
  for (const name of readdirSync(records)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) unlinkSync(join(records, name))
  }
  return new DirBackend(root)
}

function initStore (root: string): void {
  const existed = existsSync(root)
  mkdirSync(root, { recursive: true, mode: 0o700 })
  if (existed) {
    // Refuse to adopt a folder with someone's files in it: open() would empty its tmp/.
    const others = readdirSync(root).filter(name => !name.startsWith(`.${DIR_STORE_MARKER}.`))
    if (others.length > 0) {
      throw new AlreadyExistsError(`${root} is not empty and is not a p2pbak store`, {
        hint: 'choose a new or empty directory for the store'
      })
    }
    chmodSync(root, 0o700)
  } else {
    fsyncDir(dirname(root))
  }
  writeFileAtomic(join(root, DIR_STORE_MARKER), `${JSON.stringify({ version: DIR_STORE_VERSION })}\n`, { mode: 0o600 })
}

function checkMarker (raw: string, root: string): void {
  let version: unknown
  try {
    version = (JSON.parse(raw) as { version?: unknown } | null)?.version
  } catch {}
  if (typeof version !== 'number') {
    throw new CorruptObjectError(`${join(root, DIR_STORE_MARKER)} is not a valid store marker`, {
      hint: `if this is a p2pbak store, write {"version": ${DIR_STORE_VERSION}} into that file`
    })
  }
  if (version !== DIR_STORE_VERSION) {
    throw new UnsupportedVersionError(`store ${root} has layout version ${version}; this build reads version ${DIR_STORE_VERSION}`, {
      hint: 'use a p2pbak release that supports this store version'
    })
  }
}

class DirBackend implements Backend {
  private readonly packsDir: string
  private readonly recordsDir: string
  private readonly tmpDir: string
  /** Shard folders known to exist durably, or being made so. */
  private readonly shards = new Map<string, Promise<void>>()

  constructor (root: string) {
    this.packsDir = join(root, 'packs')
    this.recordsDir = join(root, 'records')
    this.tmpDir = join(root, 'tmp')
  }

  async put (id: string, bytes: Uint8Array, options?: PutOptions): Promise<void> {
    checkPackId(id)
    checkAborted(options)
    if (options?.verified !== true && packIdOf(bytes) !== id) {
      throw new IntegrityError(`bytes do not hash to ${id}; nothing was stored`, [id], {
        hint: 'compute the ID with packIdOf(bytes) or re-read the bytes from their source'
      })
    }
    const target = this.packPath(id)
    if (await isFile(target)) return

    const tmp = join(this.tmpDir, `${id}.${randomBytes(6).toString('hex')}`)
    let handle: FileHandle | undefined
    try {
      handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
      await handle.writeFile(bytes)
      await handle.sync()
      await handle.close()
      handle = undefined
      checkAborted(options)
      // The shard is made only now, so a failed write leaves no empty folder behind.
      await this.ensureShard(shardOf(id))
      faultPoint('dir-store-before-rename')
      // Two puts of one ID may race here: both renames install identical bytes.
      await rename(tmp, target)
    } catch (err) {
      if (handle !== undefined) await handle.close().catch(() => {})
      await unlink(tmp).catch(() => {})
      throw mapFsError(err, target)
    }
    try {
      await syncDir(dirname(target))
    } catch (err) {
      throw mapFsError(err, target)
    }
  }

  /**
   * Writes a pack as it arrives (a holder receiving it): chunks go to a temp file; `commit`
   * fsyncs it and renames it into place, `abort` removes it. The caller checks the hash before
   * committing (it hashes the chunks as they pass), so nothing unverified is ever visible.
   */
  async createWriter (id: string): Promise<PackFileWriter> {
    checkPackId(id)
    const target = this.packPath(id)
    const tmp = join(this.tmpDir, `${id}.${randomBytes(6).toString('hex')}`)
    let handle: FileHandle | undefined = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    let position = 0
    const cleanup = async (): Promise<void> => {
      if (handle !== undefined) await handle.close().catch(() => {})
      handle = undefined
      await unlink(tmp).catch(() => {})
    }
    return {
      write: async (chunk) => {
        try {
          let off = 0
          while (off < chunk.byteLength) {
            const { bytesWritten } = await handle!.write(chunk, off, chunk.byteLength - off, position)
            off += bytesWritten
            position += bytesWritten
          }
        } catch (err) {
          await cleanup()
          throw mapFsError(err, target)
        }
      },
      commit: async () => {
        try {
          await handle!.sync()
          await handle!.close()
          handle = undefined
          if (await isFile(target)) { await unlink(tmp).catch(() => {}); return }
          await this.ensureShard(shardOf(id))
          faultPoint('dir-store-before-rename')
          await rename(tmp, target)
          await syncDir(dirname(target))
        } catch (err) {
          await cleanup()
          throw mapFsError(err, target)
        }
      },
      abort: cleanup
    }
  }

  async get (id: string, range?: ByteRange, options?: OperationOptions): Promise<Uint8Array> {
    checkPackId(id)
    checkAborted(options)
    const handle = await this.openPack(id)
    try {
      if (range === undefined) return plain(await handle.readFile())
      checkRange(id, range, (await handle.stat()).size)
      const out = new Uint8Array(range.length)
      let done = 0
      while (done < range.length) {
        const { bytesRead } = await handle.read(out, done, range.length - done, range.offset + done)
        if (bytesRead === 0) {
          throw new CorruptObjectError(`object ${id} became shorter while it was read`, {
            hint: 'read it again; if it is damaged, fetch it from another holder'
          })
        }
        done += bytesRead
      }
      return out
    } finally {
      await handle.close()
    }
  }

  async stat (id: string, options?: OperationOptions): Promise<ObjectInfo> {
    checkPackId(id)
    checkAborted(options)
    try {
      const info = await stat(this.packPath(id))
      if (info.isFile()) return { id, size: info.size }
    } catch (err) {
      if (!isMissing(err)) throw err
    }
    throw notFound(id)
  }

  async has (ids: string[], options?: OperationOptions): Promise<boolean[]> {
    for (const id of ids) checkPackId(id)
    const out: boolean[] = []
    for (let i = 0; i < ids.length; i += HAS_CONCURRENCY) {
      checkAborted(options)
      out.push(...await Promise.all(ids.slice(i, i + HAS_CONCURRENCY).map(async id => await isFile(this.packPath(id)))))
    }
    return out
  }

  async * list (options?: OperationOptions): AsyncIterable<ObjectInfo> {
    checkAborted(options)
    for (const shard of await readdir(this.packsDir, { withFileTypes: true })) {
      if (!shard.isDirectory()) continue
      checkAborted(options)
      const shardDir = join(this.packsDir, shard.name)
      for (const name of await readdirOrEmpty(shardDir)) {
        // A file that get() could not reach (not an ID, or an ID in the wrong shard) is not listed.
        if (!isPackId(name) || shardOf(name) !== shard.name) continue
        let size: number
        try {
          const info = await stat(join(shardDir, name))
          if (!info.isFile()) continue
          size = info.size
        } catch (err) {
          if (codeOf(err) === 'ENOENT') continue // deleted meanwhile
          throw err
        }
        yield { id: name, size }
      }
    }
  }

  async delete (id: string, options?: OperationOptions): Promise<void> {
    checkPackId(id)
    checkAborted(options)
    const path = this.packPath(id)
    try {
      await unlink(path)
    } catch (err) {
      if (isMissing(err)) return
      throw err
    }
    await syncDir(dirname(path))
  }

  async putRecord (key: string, value: Uint8Array, options?: OperationOptions): Promise<void> {
    checkRecordKey(key)
    checkAborted(options)
    // Synchronous, but records are a few hundred bytes.
    writeFileAtomic(join(this.recordsDir, key), value, { mode: 0o600 })
  }

  async getRecord (key: string, options?: OperationOptions): Promise<Uint8Array | undefined> {
    checkRecordKey(key)
    checkAborted(options)
    try {
      return plain(await readFile(join(this.recordsDir, key)))
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return undefined
      throw err
    }
  }

  async close (): Promise<void> {
    // Every operation opens and closes its own file handles: nothing to release.
  }

  private packPath (id: string): string {
    return join(this.packsDir, shardOf(id), id)
  }

  private async openPack (id: string): Promise<FileHandle> {
    try {
      return await open(this.packPath(id), 'r')
    } catch (err) {
      if (isMissing(err)) throw notFound(id)
      throw err
    }
  }

  private async ensureShard (shard: string): Promise<void> {
    let ready = this.shards.get(shard)
    if (ready === undefined) {
      // Concurrent puts into a new shard share one mkdir + fsync, so none resolves before the
      // folder itself is durable.
      ready = this.makeShard(shard)
      this.shards.set(shard, ready)
      ready.catch(() => this.shards.delete(shard))
    }
    await ready
  }

  private async makeShard (shard: string): Promise<void> {
    try {
      await mkdir(join(this.packsDir, shard), { mode: 0o700 })
    } catch (err) {
      if (codeOf(err) === 'EEXIST') return
      throw err
    }
    await syncDir(this.packsDir)
  }
}

async function syncDir (dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function isFile (path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch (err) {
    if (isMissing(err)) return false
    throw err
  }
}

async function readdirOrEmpty (dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if (isMissing(err)) return []
    throw err
  }
}

function mkdirIfMissing (dir: string): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 })
    return true
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return false
    throw err
  }
}

function notFound (id: string): ObjectNotFoundError {
  return new ObjectNotFoundError(id, { hint: 'check the ID, or fetch the object from another holder' })
}

/**
 * Both stores hand out plain Uint8Arrays (a Buffer's slice() is a view, not a copy). A buffer that
 * shares Node's pool is copied, so the caller's view reaches nothing else.
 */
function plain (buf: Buffer): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return new Uint8Array(buf.buffer)
  return new Uint8Array(buf)
}

/** ENOTDIR: a stray file sits where a shard folder would be, so the pack is not there either. */
function isMissing (err: unknown): boolean {
  return codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR'
}

function codeOf (err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code
}
