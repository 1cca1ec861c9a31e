// The owner's local state (docs/format.md §9): blob index, packs, file cache. A cache of what the
// repository holds, never the only copy: everything but the file cache can be rebuilt from packs.
import Database from 'better-sqlite3'
import type { Database as Db, Statement } from 'better-sqlite3'
import { UnsupportedVersionError } from '../errors.js'
import { BlobType } from './pb/repo.js'
import type { PackEntry } from './pb/repo.js'

const SCHEMA_VERSION = 2

const blobTypeToInt: Record<BlobType, number> = { DATA: 0, TREE: 1, INDEX: 2, SNAPSHOT: 3, MANIFEST: 4 }
const intToBlobType = [BlobType.DATA, BlobType.TREE, BlobType.INDEX, BlobType.SNAPSHOT, BlobType.MANIFEST]

export interface BlobLoc {
  id: Uint8Array
  pack: string
  type: BlobType
  offset: number
  length: number
  rawLength: number
  compressed: boolean
}

export interface FileCacheEntry {
  size: number
  mtimeNs: bigint
  ctimeNs: bigint
  inode: bigint
  /** Encoded content list (pb ContentRef list, see archiver). */
  content: Uint8Array
}

export interface PackRow {
  id: string
  type: BlobType
  size: number
}

export class StateDb {
  private readonly db: Db
  private readonly stmt: {
    hasBlob: Statement
    getBlob: Statement
    packIdOf: Statement
    insertPack: Statement
    insertBlob: Statement
    hasPack: Statement
    getDir: Statement
    putFile: Statement
    unindexed: Statement
    entriesOf: Statement
    markIndexed: Statement
    getMeta: Statement
    putMeta: Statement
  }

  constructor (path: string) {
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode survives a process crash; a power loss may lose the last commits, which
    // the next run repairs by re-reading pack headers (format.md §9).
    this.db.pragma('synchronous = NORMAL')
    // Keep hot pages (file cache of a directory, blob lookups) in a bounded 64 MiB cache. No mmap:
    // mapped pages count in the RSS and grow with the database, i.e. with the number of files.
    this.db.pragma('cache_size = -65536')
    this.db.pragma('temp_store = MEMORY')
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID')
    const version = this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('schema') as number | undefined
    if (version !== undefined && version !== SCHEMA_VERSION) {
      this.db.close()
      throw new UnsupportedVersionError(`the state database ${path} has schema ${version}, this build uses ${SCHEMA_VERSION}`, {
        hint: 'move state.db aside: it is a cache, rebuilt from the repository on the next start'
      })
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS packs (
        rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type INTEGER NOT NULL,
        size INTEGER NOT NULL, indexed INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS blobs (
        id BLOB PRIMARY KEY, pack INTEGER NOT NULL, type INTEGER NOT NULL, offset INTEGER NOT NULL,
        length INTEGER NOT NULL, raw_length INTEGER NOT NULL, compressed INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS blobs_by_pack ON blobs (pack);
      -- Keyed by (directory, name) so the archiver reads a whole directory's entries in one query.
      CREATE TABLE IF NOT EXISTS filecache (
        dir BLOB NOT NULL, name BLOB NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
        ctime INTEGER NOT NULL, inode INTEGER NOT NULL, content BLOB NOT NULL,
        PRIMARY KEY (dir, name)) WITHOUT ROWID;
      -- Entries of the running backup; they become the file cache only once its snapshot is
      -- committed, so a cached entry never names a blob that is not durable.
      CREATE TABLE IF NOT EXISTS filecache_pending (
        dir BLOB NOT NULL, name BLOB NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
        ctime INTEGER NOT NULL, inode INTEGER NOT NULL, content BLOB NOT NULL,
        PRIMARY KEY (dir, name)) WITHOUT ROWID;
    `)
    if (version === undefined) this.db.prepare('INSERT INTO meta VALUES (?, ?)').run('schema', SCHEMA_VERSION)
    this.stmt = {
      hasBlob: this.db.prepare('SELECT 1 FROM blobs WHERE id = ?').pluck(),
      getBlob: this.db.prepare('SELECT type, offset, length, raw_length, compressed, pack FROM blobs WHERE id = ?').raw(true),
      packIdOf: this.db.prepare('SELECT id FROM packs WHERE rowid = ?').pluck(),
      insertPack: this.db.prepare('INSERT OR IGNORE INTO packs (id, type, size, indexed) VALUES (?, ?, ?, ?)'),
      insertBlob: this.db.prepare('INSERT OR IGNORE INTO blobs VALUES (?, (SELECT rowid FROM packs WHERE id = ?), ?, ?, ?, ?, ?)'),
      hasPack: this.db.prepare('SELECT 1 FROM packs WHERE id = ?').pluck(),
      getDir: this.db.prepare('SELECT name, size, mtime, ctime, inode, content FROM filecache WHERE dir = ?').raw(true).safeIntegers(true),
      putFile: this.db.prepare('INSERT OR REPLACE INTO filecache_pending VALUES (?, ?, ?, ?, ?, ?, ?)'),
      unindexed: this.db.prepare('SELECT rowid, id, type, size FROM packs WHERE indexed = 0 ORDER BY rowid'),
      entriesOf: this.db.prepare('SELECT id, type, offset, length, raw_length, compressed FROM blobs WHERE pack = ? ORDER BY offset'),
      markIndexed: this.db.prepare('UPDATE packs SET indexed = 1 WHERE id = ?'),
      getMeta: this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      putMeta: this.db.prepare('INSERT OR REPLACE INTO meta VALUES (?, ?)')
    }
  }

  hasBlob (id: Uint8Array): boolean {
    return this.stmt.hasBlob.get(id) !== undefined
  }

  getBlob (id: Uint8Array): BlobLoc | undefined {
    const r = this.stmt.getBlob.get(id) as [number, number, number, number, number, number] | undefined
    if (r === undefined) return undefined
    const pack = this.packIdByRow(r[5])
    if (pack === undefined) return undefined
    return { id, pack, type: intToBlobType[r[0]] ?? BlobType.DATA, offset: r[1], length: r[2], rawLength: r[3], compressed: r[4] === 1 }
  }

  /** Pack IDs by row: a restore looks up every blob, and packs are few and never renumbered. */
  private readonly packIds = new Map<number, string>()
  private packIdByRow (rowid: number): string | undefined {
    let id = this.packIds.get(rowid)
    if (id === undefined) {
      id = this.stmt.packIdOf.get(rowid) as string | undefined
      if (id !== undefined) this.packIds.set(rowid, id)
    }
    return id
  }

  hasPack (id: string): boolean {
    return this.stmt.hasPack.get(id) !== undefined
  }

  /** Records a durable pack and its blobs in one transaction. */
  addPack (id: string, type: BlobType, size: number, entries: PackEntry[], indexed: boolean): void {
    this.db.transaction(() => {
      this.stmt.insertPack.run(id, blobTypeToInt[type], size, indexed ? 1 : 0)
      for (const e of entries) {
        this.stmt.insertBlob.run(e.id, id, blobTypeToInt[e.type], e.offset, e.length, e.rawLength, e.compressed ? 1 : 0)
      }
    })()
  }

  /** Packs that no committed index blob covers yet (without their entries: see packEntries). */
  unindexedPackRows (): Array<PackRow & { rowid: number }> {
    return (this.stmt.unindexed.all() as Array<{ rowid: number, id: string, type: number, size: number }>)
      .map(r => ({ rowid: r.rowid, id: r.id, type: intToBlobType[r.type] ?? BlobType.DATA, size: r.size }))
  }

  packEntries (rowid: number): PackEntry[] {
    return (this.stmt.entriesOf.all(rowid) as Array<{ id: Uint8Array, type: number, offset: number, length: number, raw_length: number, compressed: number }>)
      .map(e => ({ id: e.id, type: intToBlobType[e.type] ?? BlobType.DATA, offset: e.offset, length: e.length, rawLength: e.raw_length, compressed: e.compressed === 1 }))
  }

  markIndexed (ids: string[]): void {
    this.db.transaction(() => { for (const id of ids) this.stmt.markIndexed.run(id) })()
  }

  /** The file cache entries of one directory, by name (as a latin1 string: one char per byte). */
  getDirCache (dir: Uint8Array): Map<string, FileCacheEntry> {
    const out = new Map<string, FileCacheEntry>()
    for (const r of this.stmt.getDir.iterate(dir) as Iterable<[Buffer, bigint, bigint, bigint, bigint, Uint8Array]>) {
      out.set(r[0].toString('latin1'), { size: Number(r[1]), mtimeNs: r[2], ctimeNs: r[3], inode: r[4], content: r[5] })
    }
    return out
  }

  /** Stages an entry; `commitFileCache` makes the staged entries the cache. */
  putFile (dir: Uint8Array, name: Uint8Array, e: FileCacheEntry): void {
    this.stmt.putFile.run(dir, name, e.size, e.mtimeNs, e.ctimeNs, e.inode, e.content)
  }

  commitFileCache (): void {
    this.db.transaction(() => {
      this.db.exec('INSERT OR REPLACE INTO filecache SELECT * FROM filecache_pending; DELETE FROM filecache_pending;')
    })()
  }

  discardPendingFileCache (): void {
    this.db.exec('DELETE FROM filecache_pending')
  }

  /** Runs `fn` in one transaction (batches file cache writes). */
  transaction<T> (fn: () => T): T {
    return this.db.transaction(fn)()
  }

  getMeta (key: string): unknown {
    return this.stmt.getMeta.get(key)
  }

  putMeta (key: string, value: string | number | bigint | Uint8Array): void {
    this.stmt.putMeta.run(key, value)
  }

  /** Forgets the blob index and packs (before a rebuild from pack headers). */
  resetIndex (): void {
    this.db.exec('DELETE FROM blobs; DELETE FROM packs;')
    this.packIds.clear()
  }

  close (): void {
    this.db.close()
  }
}
