// The archiver (docs/format.md §3, DESIGN.md §3): walks the chosen paths depth first, skips files
// whose (path, size, mtime, ctime, inode) match the file cache, chunks and stores the rest, writes
// one tree blob per directory bottom-up, and commits a snapshot. Memory is bounded by the depth of
// the tree and the open packs, never by the number of files.
//
// File and metadata I/O is synchronous on purpose: readdir + lstatSync walk ~200k entries/s and
// readSync is ~3x faster than fs.promises on cached data (research/perf.md §6). The event loop is
// given back between chunks so that pack uploads progress.
import { createHash } from 'node:crypto'
import { closeSync, constants, lstatSync, openSync, opendirSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs'
import type { BigIntStats } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import picomatch from 'picomatch'
import { InvalidArgumentError, P2pbakError, SourceNotFoundError } from './errors.js'
import { readXattrs } from './fs/xattr.js'
import { FileChunker, createChunkerParams } from './repository/chunker.js'
import type { ChunkSizes } from './repository/chunker.js'
import { BlobType, Node as NodeCodec, NodeType } from './repository/pb/repo.js'
import { SnapshotOrigin } from './repository/pb/repo.js'
import type { ContentRef, Node, Snapshot, Summary } from './repository/pb/repo.js'
import { normalizeSetPaths, normalizeTags } from './snapshot-filter.js'
import { defaultSnapshotFields } from './repository/repository.js'
import type { FileCacheEntry } from './repository/state-db.js'
import type { Repository } from './repository/repository.js'

export interface BackupOptions {
  /** Absolute paths to back up. */
  paths: string[]
  owner: string
  /** Stored sorted and without duplicates: with the paths they make the snapshot's backup set. */
  tags?: string[]
  hostname?: string
  /** Whether this is the owner's configured set (format.md §7 "Backup sets"); default ad hoc. */
  origin?: SnapshotOrigin
  /** Chunk sizes (tests only; the defaults are the format's). */
  chunkSizes?: ChunkSizes
  /** Called at most every `progressIntervalMs` (default 250) and once at the end. */
  onProgress?: (p: BackupProgress) => void
  progressIntervalMs?: number
  signal?: AbortSignal
  // Glob patterns (picomatch) of paths to leave out. A pattern without "/" matches a name at any
  // depth ("*.tmp", "node_modules"); one with "/" matches the whole absolute path ("/home/*/cache",
  // "**/build"). An excluded folder is not entered.
  exclude?: string[]
  /** Leave out the contents of folders holding a valid CACHEDIR.TAG (the tag file itself is kept). */
  excludeCaches?: boolean
  /** Do not enter folders on another filesystem than the backup path they are under (kept empty). */
  oneFileSystem?: boolean
}

/** https://bford.info/cachedir/: a CACHEDIR.TAG must start with this line to count. */
export const CACHEDIR_TAG_SIGNATURE = 'Signature: 8a477f597d28d172789f06886806bc55'

export interface BackupProgress {
  filesDone: number
  bytesDone: number
  packsWritten: number
  currentPath: string
  /** 'reading' the files, then 'uploading' while the last packs reach their holders and the snapshot is committed. */
  stage: 'reading' | 'uploading'
}

export interface BackupResult {
  snapshotId: string
  summary: Summary
  /**
   * What the snapshot lacks: backup paths that do not exist or cannot be read, and files and
   * folders inside them that could not be read (permission denied, vanished while the backup ran).
   * At most MAX_SKIPPED_LISTED; `skippedCount` is the total. Not empty: an incomplete snapshot.
   */
  skipped: SkippedPath[]
  skippedCount: number
}

/** One problem that did not stop the backup (an unreadable file, a FIFO, a vanished file). */
export interface BackupWarning { path: string, message: string }

/** A path left out of a snapshot because it is missing or unreadable, and why. */
export interface SkippedPath { path: string, reason: string }

/** Skipped paths listed in a backup result (the count is always complete). */
export const MAX_SKIPPED_LISTED = 1000

const MAX_WARNINGS_IN_SNAPSHOT = 1000
const FILE_CACHE_BATCH = 2000

export async function backup (repo: Repository, chunkerKey: Uint8Array, options: BackupOptions): Promise<BackupResult> {
  const started = Date.now()
  if (options.paths.length === 0) throw new InvalidArgumentError('nothing to back up: no paths given', { hint: 'name at least one folder, or set backup.paths in the config' })
  const roots = normalizeRoots(options.paths)
  // Paths that are missing or unreadable are left out and listed; with none left there is
  // nothing to snapshot (an empty `latest` would look like a backup of nothing, and restore as one).
  const skippedRoots: SkippedPath[] = []
  const readable = roots.filter((r) => {
    const reason = unreadableReason(r)
    if (reason !== undefined) skippedRoots.push({ path: r.toString(), reason })
    return reason === undefined
  })
  if (readable.length === 0) {
    const list = skippedRoots.map(p => `${p.path} (${p.reason})`).join(', ')
    throw new SourceNotFoundError(roots.length === 1 ? `nothing to back up: ${list}` : `nothing to back up: none of the ${roots.length} paths can be read: ${list}`, {
      hint: 'check the paths (a typo, an unmounted disk, permissions); in the daemon, fix backup.paths in the config'
    })
  }
  try {
    return await backupRoots(repo, chunkerKey, options, roots, readable, skippedRoots, started)
  } catch (err) {
    // Whatever did not become durable is forgotten, so that the next run stores it again.
    await repo.discardUnsaved()
    throw err
  }
}

async function backupRoots (repo: Repository, chunkerKey: Uint8Array, options: BackupOptions, roots: Buffer[], readable: Buffer[], skippedRoots: SkippedPath[], started: number): Promise<BackupResult> {
  // An interrupted run may have left durable packs that the state DB never recorded (killed
  // between a put and its DB insert): read their headers so this run reuses them.
  if (repo.state.getMeta('backup_running') === 1) await repo.syncIndex()
  repo.state.putMeta('backup_running', 1)
  repo.state.discardPendingFileCache()
  const a = new Archiver(repo, chunkerKey, options)
  for (const p of skippedRoots) a.skip(p.path, p.reason)
  // A repository may serve many backups (the daemon): every count is this run's.
  const sealedBefore = repo.stats.sealedBytes
  a.packsBefore = repo.stats.packs
  const rootTree = await a.saveRoots(readable)
  a.stage = 'uploading'
  a.progress(true)
  await repo.flush()
  a.summary.bytesStored = repo.stats.sealedBytes - sealedBefore
  a.flushFileCache()
  const all = await repo.listSnapshots()
  const hostname = options.hostname ?? defaultSnapshotFields().hostname
  const samePaths = (s: Snapshot): boolean => s.paths.length === roots.length && s.paths.every((p, i) => Buffer.from(p).equals(roots[i]!))
  const parent = all.filter(s => s.snapshot.hostname === hostname && samePaths(s.snapshot)).at(-1)
  const summary: Summary = { ...a.summary, durationMs: Date.now() - started, packsAdded: repo.stats.packs - a.packsBefore }
  summary.warnings = a.warnings.slice(0, MAX_WARNINGS_IN_SNAPSHOT).map(w => `${w.path}: ${w.message}`)
  const snapshot: Snapshot = {
    version: 1,
    ...defaultSnapshotFields(),
    hostname,
    owner: options.owner,
    paths: roots,
    tags: normalizeTags(options.tags ?? []),
    parent: parent === undefined ? new Uint8Array(0) : parent.ref.id,
    tree: rootTree,
    summary,
    origin: options.origin ?? SnapshotOrigin.ORIGIN_AD_HOC
  }
  const { snapshotId } = await repo.commitSnapshot(snapshot)
  // Only now are this run's blobs durable and referenced: its file cache entries may be used.
  repo.state.commitFileCache()
  repo.state.putMeta('backup_running', 0)
  summary.packsAdded = repo.stats.packs - a.packsBefore
  a.progress(true)
  return { snapshotId, summary, skipped: a.skipped, skippedCount: a.skippedCount }
}

/** Why a backup path cannot be backed up (missing, not readable), or undefined when it can. */
function unreadableReason (path: Buffer): string | undefined {
  try {
    const st = lstatSync(path)
    if (st.isDirectory()) opendirSync(path).closeSync()
    else if (st.isFile()) closeSync(openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW))
    return undefined
  } catch (err) {
    return skipReason(err)
  }
}

/** A short reason for a path that could not be read. */
function skipReason (err: unknown): string {
  const e = err as NodeJS.ErrnoException
  switch (e.code) {
    case 'ENOENT': return 'does not exist'
    case 'ENOTDIR': return 'does not exist (a parent is not a folder)'
    case 'EACCES': case 'EPERM': return 'permission denied'
    default: return e.code !== undefined ? `${e.code}: ${e.message}` : String(err)
  }
}

const CACHEDIR_TAG = Buffer.from('CACHEDIR.TAG')

function isCacheDir (dir: Buffer): boolean {
  try {
    const head = readFileSync(joinPath(dir, CACHEDIR_TAG)).subarray(0, CACHEDIR_TAG_SIGNATURE.length)
    return head.toString('latin1') === CACHEDIR_TAG_SIGNATURE
  } catch {
    return false
  }
}

/** One predicate for all exclude patterns; undefined when there are none. */
export function compileExcludes (patterns: string[]): ((path: string) => boolean) | undefined {
  if (patterns.length === 0) return undefined
  const byName = patterns.filter(p => !p.includes('/'))
  const byPath = patterns.filter(p => p.includes('/'))
  const name = byName.length > 0 ? picomatch(byName, { dot: true }) : undefined
  const full = byPath.length > 0 ? picomatch(byPath, { dot: true }) : undefined
  return (path) => {
    if (full?.(path) === true) return true
    if (name === undefined) return false
    return name(path.slice(path.lastIndexOf('/') + 1))
  }
}

/** Absolute, resolved, de-duplicated, with paths inside another given path dropped. Sorted. */
function normalizeRoots (paths: string[]): Buffer[] {
  return normalizeSetPaths(paths).map(p => Buffer.from(p))
}

interface TrieNode { children: Map<string, TrieNode>, name: Buffer, real: boolean }

class Archiver {
  readonly summary: Summary = {
    filesNew: 0, filesChanged: 0, filesUnmodified: 0, dirs: 0, blobsAdded: 0, bytesRead: 0,
    bytesAdded: 0, bytesStored: 0, totalFiles: 0, totalBytes: 0, durationMs: 0, warnings: [], packsAdded: 0
  }

  readonly warnings: BackupWarning[] = []
  readonly skipped: SkippedPath[] = []
  skippedCount = 0
  /** repo.stats.packs when this run started. */
  packsBefore = 0
  private readonly chunker: FileChunker
  private readonly minChunk: number
  private readonly cacheBatch: Array<[Buffer, Buffer, FileCacheEntry]> = []
  private lastProgress = 0
  private currentPath = ''
  stage: BackupProgress['stage'] = 'reading'
  private readonly zero: Buffer
  private readonly excluded: ((path: string) => boolean) | undefined
  /** Device of the backup root being walked (one_file_system). */
  private rootDev: bigint | undefined

  constructor (private readonly repo: Repository, chunkerKey: Uint8Array, private readonly options: BackupOptions) {
    this.excluded = compileExcludes(options.exclude ?? [])
    const params = createChunkerParams(chunkerKey, options.chunkSizes)
    this.chunker = new FileChunker(params)
    this.minChunk = params.min
    this.zero = Buffer.alloc(params.max)
  }

  /** Builds the synthetic directories above the chosen paths (as restic does) and saves all. */
  async saveRoots (roots: Buffer[]): Promise<Uint8Array> {
    const top: TrieNode = { children: new Map(), name: Buffer.alloc(0), real: false }
    for (const r of roots) {
      let node = top
      const parts = r.toString('latin1').split('/').filter(s => s !== '')
      for (const part of parts) {
        let child = node.children.get(part)
        if (child === undefined) {
          child = { children: new Map(), name: Buffer.from(part, 'latin1'), real: false }
          node.children.set(part, child)
        }
        node = child
      }
      node.real = true
    }
    if (top.real) { // backing up "/" itself
      this.rootDev = this.lstat(Buffer.from('/'))?.dev
      return await this.saveDir(Buffer.from('/'))
    }
    return await this.saveSynthetic(top, Buffer.from('/'))
  }

  private async saveSynthetic (trie: TrieNode, dir: Buffer): Promise<Uint8Array> {
    const nodes: TreeEntry[] = []
    const children = [...trie.children.values()].sort((a, b) => Buffer.compare(a.name, b.name))
    for (const child of children) {
      const path = joinPath(dir, child.name)
      if (child.real) {
        const node = await this.saveEntry(dir, child.name, this.repo.state.getDirCache(dir), true)
        if (node !== undefined) nodes.push(node)
        continue
      }
      const st = this.lstat(path)
      if (st === undefined) continue
      const node = baseNode(child.name, NodeType.DIR, st)
      node.subtree = await this.saveSynthetic(child, path)
      nodes.push(node)
    }
    return await this.saveTree(nodes)
  }

  private async saveDir (dir: Buffer): Promise<Uint8Array> {
    let names: Buffer[]
    try {
      names = readdirSync(dir, { encoding: 'buffer' })
    } catch (err) {
      this.warn(dir, err)
      names = []
    }
    names.sort(Buffer.compare)
    if (this.options.excludeCaches === true && names.some(n => n.equals(CACHEDIR_TAG)) && isCacheDir(dir)) {
      names = names.filter(n => n.equals(CACHEDIR_TAG))
    }
    const cache = this.repo.state.getDirCache(dir)
    const nodes: TreeEntry[] = []
    for (const name of names) {
      this.options.signal?.throwIfAborted()
      const node = await this.saveEntry(dir, name, cache)
      if (node !== undefined) nodes.push(node)
    }
    this.summary.dirs++
    return await this.saveTree(nodes)
  }

  private async saveTree (nodes: TreeEntry[]): Promise<Uint8Array> {
    const plain = encodeTreeEntries(nodes)
    const id = this.repo.blobId(plain)
    await this.repo.saveBlob(BlobType.TREE, id, plain)
    return id
  }

  private lstat (path: Buffer): BigIntStats | undefined {
    try {
      return lstatSync(path, { bigint: true })
    } catch (err) {
      this.warn(path, err)
      return undefined
    }
  }

  private async saveEntry (dir: Buffer, name: Buffer, cache: Map<string, FileCacheEntry>, root = false): Promise<TreeEntry | undefined> {
    const path = joinPath(dir, name)
    if (this.excluded?.(path.toString()) === true) return undefined
    const st = this.lstat(path)
    if (st === undefined) return undefined
    if (root) this.rootDev = st.dev
    this.currentPath = path.toString()
    if (st.isFile()) {
      const node = await this.saveFile(dir, name, st, cache.get(name.toString('latin1')))
      if (node === undefined) return undefined
      this.summary.totalFiles++
      this.summary.totalBytes += Number(st.size)
      this.progress(false)
      return node
    }
    if (st.isDirectory()) {
      const node = baseNode(name, NodeType.DIR, st)
      node.xattrs = this.xattrs(path)
      node.subtree = this.options.oneFileSystem === true && this.rootDev !== undefined && st.dev !== this.rootDev
        ? await this.saveTree([]) // a mount point: kept, empty, as restic does
        : await this.saveDir(path)
      return node
    }
    if (st.isSymbolicLink()) {
      const node = baseNode(name, NodeType.SYMLINK, st)
      try {
        node.linkTarget = readlinkSync(path, { encoding: 'buffer' })
      } catch (err) {
        this.warn(path, err)
        return undefined
      }
      return node
    }
    const kind = st.isFIFO() ? 'FIFO' : st.isSocket() ? 'socket' : st.isBlockDevice() ? 'block device' : st.isCharacterDevice() ? 'character device' : 'special file'
    this.warnings.push({ path: path.toString(), message: `skipped: ${kind}s are not backed up` })
    return undefined
  }

  private xattrs (path: Buffer): Node['xattrs'] {
    try {
      return readXattrs(path)
    } catch (err) {
      this.warn(path, err, false) // the file itself is kept, without its extended attributes
      return []
    }
  }

  /**
   * A file's tree entry. Unchanged (same size, mtime, ctime, inode: chmod, chown, xattr and link
   * changes all move ctime) → the encoded node from the file cache, as is, without reading the
   * file or decoding anything. Otherwise the file is read and a new node built.
   */
  private async saveFile (dir: Buffer, name: Buffer, st: BigIntStats, cached: FileCacheEntry | undefined): Promise<TreeEntry | undefined> {
    const path = joinPath(dir, name)
    if (cached !== undefined && cached.size === Number(st.size) && cached.mtimeNs === st.mtimeNs &&
        cached.ctimeNs === st.ctimeNs && cached.inode === st.ino) {
      // Entries reach the cache only after their snapshot committed, so their blobs are durable;
      // a damaged entry (its checksum fails) is not used.
      const encoded = decodeCachedNode(cached.content)
      if (encoded !== undefined) {
        this.summary.filesUnmodified++
        return encoded
      }
    }
    const node = baseNode(name, NodeType.FILE, st)
    node.xattrs = this.xattrs(path)
    const read = await this.readFile(path, st)
    if (read === undefined) return undefined
    node.content = read.refs
    node.size = read.size // what was read, if the file changed size meanwhile
    if (cached === undefined) this.summary.filesNew++
    else this.summary.filesChanged++
    if (read.size === Number(st.size)) {
      this.cacheBatch.push([dir, name, { size: read.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, inode: st.ino, content: encodeCachedNode(NodeCodec.encode(node)) }])
    }
    if (this.cacheBatch.length >= FILE_CACHE_BATCH) this.flushFileCache()
    return node
  }

  private async readFile (path: Buffer, st: BigIntStats): Promise<{ refs: ContentRef[], size: number } | undefined> {
    let fd: number
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NOATIME)
    } catch (err) {
      // O_NOATIME is refused on files we do not own (EPERM): retry without it.
      try {
        fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW)
      } catch {
        this.warn(path, err)
        return undefined
      }
    }
    const size = Number(st.size)
    // A file that uses fewer blocks than its size has holes: store all-zero chunks as holes.
    const sparse = st.blocks * 512n < st.size
    const refs: ContentRef[] = []
    let read = 0
    try {
      if (size < this.minChunk) {
        const buf = Buffer.allocUnsafe(size)
        while (read < size) {
          const n = readSync(fd, buf, read, size - read, read)
          if (n === 0) break
          read += n
        }
        if (read > 0) refs.push(await this.saveChunk(buf.subarray(0, read), sparse))
      } else {
        const it = this.chunker.chunks(fd, size)
        for (;;) {
          const r = it.next()
          if (r.done === true) { read = r.value; break }
          this.options.signal?.throwIfAborted() // a checkpoint between chunks: large files stop quickly too
          refs.push(await this.saveChunk(r.value.chunk, sparse))
          this.summary.bytesRead += r.value.chunk.byteLength
        }
      }
      if (size < this.minChunk) this.summary.bytesRead += read
      if (read !== size) this.warnings.push({ path: path.toString(), message: `changed size while being read (${size} → ${read} bytes); stored what was read` })
    } catch (err) {
      if (this.options.signal?.aborted === true) throw err // stopping, not a problem with this file
      this.warn(path, err)
      return undefined
    } finally {
      closeSync(fd)
    }
    return { refs: mergeHoles(refs), size: read }
  }

  private async saveChunk (chunk: Uint8Array, sparse: boolean): Promise<ContentRef> {
    if (sparse && this.zero.compare(chunk, 0, chunk.byteLength, 0, chunk.byteLength) === 0) {
      return { blob: new Uint8Array(0), hole: chunk.byteLength, length: 0 }
    }
    const id = this.repo.blobId(chunk)
    if (await this.repo.saveBlob(BlobType.DATA, id, chunk)) {
      this.summary.blobsAdded++
      this.summary.bytesAdded += chunk.byteLength
    }
    return { blob: id, hole: 0, length: chunk.byteLength }
  }

  flushFileCache (): void {
    if (this.cacheBatch.length === 0) return
    const batch = this.cacheBatch.splice(0)
    this.repo.state.transaction(() => { for (const [d, n, e] of batch) this.repo.state.putFile(d, n, e) })
  }

  /** A per-file problem; `skipped`: the path (or a folder's contents) is not in the snapshot. */
  private warn (path: Buffer, err: unknown, skipped = true): void {
    if (err instanceof P2pbakError) throw err // ours (no space, integrity): not a per-file problem
    const e = err as NodeJS.ErrnoException
    this.warnings.push({ path: path.toString(), message: e.code !== undefined ? `${e.code}: ${e.message}` : String(err) })
    if (skipped) this.noteSkipped(path.toString(), skipReason(err))
  }

  /** A backup path left out before the walk (missing or unreadable). */
  skip (path: string, reason: string): void {
    this.warnings.push({ path, message: `skipped: ${reason}` })
    this.noteSkipped(path, reason)
  }

  private noteSkipped (path: string, reason: string): void {
    this.skippedCount++
    if (this.skipped.length < MAX_SKIPPED_LISTED) this.skipped.push({ path, reason })
  }

  progress (final: boolean): void {
    const cb = this.options.onProgress
    if (cb === undefined) return
    const now = Date.now()
    if (!final && now - this.lastProgress < (this.options.progressIntervalMs ?? 250)) return
    this.lastProgress = now
    cb({ filesDone: this.summary.totalFiles, bytesDone: this.summary.totalBytes, packsWritten: this.repo.stats.packs - this.packsBefore, currentPath: this.currentPath, stage: this.stage })
  }
}

function baseNode (name: Buffer, type: NodeType, st: BigIntStats): Node {
  return {
    name,
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    mtimeNs: st.mtimeNs,
    atimeNs: 0n, // not kept: any read changes it, and every tree with it (docs/format.md §6)
    ctimeNs: st.ctimeNs,
    size: type === NodeType.FILE ? Number(st.size) : 0,
    linkTarget: new Uint8Array(0),
    xattrs: [],
    inode: st.ino,
    device: st.dev,
    links: Number(st.nlink),
    content: [],
    subtree: new Uint8Array(0),
    sparse: type === NodeType.FILE && st.blocks * 512n < st.size
  }
}

/** A tree entry: a node to encode, or a node already encoded (from the file cache). */
type TreeEntry = Node | Uint8Array

/**
 * A tree's plaintext from its entries: exactly what `Tree.encode({ nodes })` writes (field 1,
 * length-delimited, per node), so a cached node gives the same tree ID as a freshly built one.
 */
export function encodeTreeEntries (entries: TreeEntry[]): Uint8Array {
  const parts: Uint8Array[] = []
  for (const e of entries) {
    const enc = e instanceof Uint8Array ? e : NodeCodec.encode(e)
    parts.push(TREE_NODE_TAG, varint(enc.byteLength), enc)
  }
  return Buffer.concat(parts)
}

const TREE_NODE_TAG = Uint8Array.of(0x0a) // field 1, wire type 2

function varint (n: number): Uint8Array {
  const out: number[] = []
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128) }
  out.push(n)
  return Uint8Array.from(out)
}

/**
 * File cache entries (an encoded Node) carry a short SHA-256 so that a damaged state DB (bit rot,
 * a bad disk) makes the archiver read the file again instead of trusting a node that points
 * elsewhere.
 */
const CACHE_SUM_LENGTH = 8

export function encodeCachedNode (encodedNode: Uint8Array): Buffer {
  return Buffer.concat([encodedNode, createHash('sha256').update(encodedNode).digest().subarray(0, CACHE_SUM_LENGTH)])
}

/** The encoded node of a cache entry, or undefined when the entry is damaged (the file is then read again). */
export function decodeCachedNode (bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.byteLength <= CACHE_SUM_LENGTH) return undefined
  const enc = bytes.subarray(0, bytes.byteLength - CACHE_SUM_LENGTH)
  const sum = createHash('sha256').update(enc).digest().subarray(0, CACHE_SUM_LENGTH)
  return sum.equals(bytes.subarray(bytes.byteLength - CACHE_SUM_LENGTH)) ? enc : undefined
}

/** Bytes a content list adds up to; -1 when an entry is malformed. */
export function contentSize (refs: ContentRef[]): number {
  let n = 0
  for (const r of refs) {
    if (r.blob.byteLength === 0) n += r.hole
    else if (r.blob.byteLength === 32 && r.hole === 0) n += r.length
    else return -1
  }
  return n
}

/** Adjacent holes become one. */
function mergeHoles (refs: ContentRef[]): ContentRef[] {
  const out: ContentRef[] = []
  for (const r of refs) {
    const last = out.at(-1)
    if (r.blob.byteLength === 0 && last !== undefined && last.blob.byteLength === 0) last.hole += r.hole
    else out.push(r)
  }
  return out
}

export function joinPath (dir: Buffer, name: Buffer): Buffer {
  return dir.byteLength > 0 && dir[dir.byteLength - 1] === 0x2f ? Buffer.concat([dir, name]) : Buffer.concat([dir, Buffer.from('/'), name])
}

