// The restorer (docs/format.md §3, DESIGN.md §4): walks a snapshot's trees and writes files with
// their metadata under a target folder. Every pack is checked against its ID and every blob
// against its MAC and ID before a byte is written; a file that cannot be restored exactly is
// removed and listed, never left with wrong bytes. Names are raw bytes; a name that could escape
// the target (`..`, `/`, NUL) is refused.
import {
  chmodSync, closeSync, constants, fchmodSync, fchownSync, ftruncateSync, futimesSync, lchownSync, linkSync,
  existsSync, lstatSync, lutimesSync, mkdirSync, openSync, readlinkSync, symlinkSync, unlinkSync, utimesSync, writeSync, chownSync
} from 'node:fs'
import { faultPoint } from './fault.js'
import { packIdOf } from '../protocol/ids.js'
import { joinPath } from './archiver.js'
import { IntegrityError, noSpaceError, ObjectNotFoundError, P2pbakError, RestoreIncompleteError, UnsafePathError } from './errors.js'
import { writeXattrs } from './fs/xattr.js'
import { decodeBlob, hex } from './repository/blob.js'
import { PACK_MAX_SIZE } from './repository/constants.js'
import { NodeType } from './repository/pb/repo.js'
import type { Node } from './repository/pb/repo.js'
import type { Repository, SnapshotInfo } from './repository/repository.js'
import type { BlobLoc } from './repository/state-db.js'

export interface RestoreOptions {
  /** Only these paths inside the snapshot (and what is below them), e.g. "/home/alice/Documents". */
  include?: string[]
  onProgress?: (p: RestoreProgress) => void
  progressIntervalMs?: number
  signal?: AbortSignal
  /** Whole packs kept in memory besides those prefetched (default 4 × 16 MiB). */
  packCacheSize?: number
  /** Packs fetched ahead, at once (default 4). */
  prefetch?: number
  /**
   * 'tree' (default): folder by folder, in name order. 'recent-first': every folder first, then
   * files from the most recently modified to the oldest, then the folders' own metadata; the
   * person whose laptop was lost gets today's work back first (docs/restore.md).
   */
  order?: 'tree' | 'recent-first'
  /**
   * Skip a file that is already in the target with the snapshot's size, mtime and type (a
   * restore that was interrupted and runs again). The restorer sets a file's mtime only after
   * its last byte, so a half-written file never passes this check.
   */
  resume?: boolean
}

export interface RestoreProgress {
  filesDone: number
  bytesDone: number
  currentPath: string
  /** Known once the trees were read ('recent-first' only). */
  totalFiles?: number
  totalBytes?: number
}

export interface RestoreResult {
  files: number
  dirs: number
  symlinks: number
  bytes: number
  /** Things restored but without some metadata (e.g. xattrs the target filesystem refused). */
  warnings: string[]
  /** Files already in place and left alone (resume). */
  skipped: number
  /** ms from the start until the most recent tenth of the files was in place ('recent-first'). */
  firstTenthMs?: number
}

const isRoot = process.getuid?.() === 0

export async function restore (repo: Repository, snap: SnapshotInfo, target: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const targetIsNew = !existsSync(target)
  mkdirSync(target, { recursive: true, mode: 0o700 })
  const r = new Restorer(repo, options)
  if (options.order === 'recent-first') await r.restoreRecentFirst(snap.snapshot.tree, Buffer.from(target), targetIsNew)
  else await r.restoreDir(snap.snapshot.tree, Buffer.from(target), Buffer.from('/'), false)
  r.progress(true)
  if (r.failures.length > 0) {
    const list = r.failures.slice(0, 20).map(f => `  ${f.path}: ${f.reason}`).join('\n')
    throw new RestoreIncompleteError(`${r.failures.length} item(s) could not be restored exactly and were left out:\n${list}${r.failures.length > 20 ? '\n  …' : ''}`, r.failures, {
      hint: 'run `p2pbak check --read-data` to see which packs are damaged; everything else was restored'
    })
  }
  return r.result
}

class Restorer {
  readonly failures: Array<{ path: string, reason: string }> = []
  readonly result: RestoreResult = { files: 0, dirs: 0, symlinks: 0, bytes: 0, warnings: [], skipped: 0 }
  private totals: { files: number, bytes: number } | undefined
  private readonly packs = new Map<string, Buffer>()
  private readonly badPacks = new Map<string, string>()
  private readonly inflight = new Map<string, Promise<Buffer>>()
  /** Blob locations of the folder being restored, by ID bytes (latin1). */
  private readonly locs = new Map<string, BlobLoc>()
  private readonly cacheSize: number
  private readonly links = new Map<string, Buffer>()
  private readonly include: Buffer[] | undefined
  private lastProgress = 0
  private currentPath = ''

  constructor (private readonly repo: Repository, private readonly options: RestoreOptions) {
    this.cacheSize = (options.packCacheSize ?? 4) + (options.prefetch ?? 4)
    this.include = options.include?.map(p => Buffer.from('/' + p.replace(/^\/+|\/+$/g, '')))
  }

  /** Whether `rel` (snapshot path) is selected: 0 no, 1 only as an ancestor, 2 yes. */
  private selected (rel: Buffer): 0 | 1 | 2 {
    if (this.include === undefined) return 2
    let best: 0 | 1 | 2 = 0
    for (const inc of this.include) {
      if (inc.equals(Buffer.from('/')) || rel.equals(inc) || (rel.byteLength > inc.byteLength && rel.subarray(0, inc.byteLength).equals(inc) && rel[inc.byteLength] === 0x2f)) return 2
      if (inc.byteLength > rel.byteLength && inc.subarray(0, rel.byteLength).equals(rel) && (rel.equals(Buffer.from('/')) || inc[rel.byteLength] === 0x2f)) best = 1
    }
    return best
  }

  /**
   * The entries of a tree that are selected and safe to write: a name that could escape the
   * target, or a name out of order (a duplicate), is refused and listed as a failure.
   */
  private * entries (nodes: Node[], rel: Buffer): Generator<{ node: Node, name: Buffer, childRel: Buffer, sel: 1 | 2 }> {
    let prev: Buffer | undefined
    for (const node of nodes) {
      this.options.signal?.throwIfAborted()
      const name = Buffer.from(node.name)
      const childRel = joinPath(rel, name)
      if (!safeName(name)) {
        this.fail(childRel, new UnsafePathError(`refusing the unsafe name ${JSON.stringify(name.toString())}`))
        continue
      }
      if (prev !== undefined && Buffer.compare(prev, name) >= 0) {
        this.fail(childRel, new UnsafePathError('duplicate or unsorted name in a tree: refusing it'))
        continue
      }
      prev = name
      const sel = this.selected(childRel)
      if (sel !== 0) yield { node, name, childRel, sel }
    }
  }

  /** A tree's nodes; a tree that cannot be read is listed as a failure of its folder (undefined). */
  private async treeNodes (treeId: Uint8Array, rel: Buffer): Promise<Node[] | undefined> {
    try {
      return (await this.repo.loadTree(treeId)).nodes
    } catch (err) {
      this.fail(rel, err)
      return undefined
    }
  }

  /** A folder's own metadata, set after its contents (writing into a folder changes its mtime). */
  private setDirMetadata (node: Node, path: Buffer, rel: Buffer, full: boolean): void {
    this.result.dirs++
    if (full) this.result.warnings.push(...writeXattrs(path, node.xattrs).map(n => `${rel.toString()}: xattr ${n} not supported by the target filesystem`))
    if (isRoot) chownSync(path, node.uid, node.gid)
    chmodSync(path, node.mode)
    utimesSync(path, nsToSec(node.mtimeNs), nsToSec(node.mtimeNs))
  }

  /** `fresh`: this restore just created `dir`, so nothing in it can be in the way (no checks needed). */
  async restoreDir (treeId: Uint8Array, dir: Buffer, rel: Buffer, fresh: boolean): Promise<void> {
    const nodes = await this.treeNodes(treeId, rel)
    if (nodes === undefined) return
    this.prefetch(nodes)
    for (const { node, name, childRel, sel } of this.entries(nodes, rel)) {
      const path = joinPath(dir, name)
      this.currentPath = childRel.toString()
      try {
        if (node.type === NodeType.DIR) {
          await this.restoreDirNode(node, path, childRel, sel === 2, fresh)
        } else if (sel === 2 && node.type === NodeType.FILE) {
          await this.restoreFile(node, path, childRel, fresh)
        } else if (sel === 2 && node.type === NodeType.SYMLINK) {
          this.restoreSymlink(node, path, fresh)
        }
      } catch (err) {
        this.fail(childRel, err)
      }
      this.progress(false)
    }
  }

  /** Reads every selected tree into a list of folders (parents first) and of files and symlinks. */
  private async plan (treeId: Uint8Array, dir: Buffer, rel: Buffer, parent: number, dirs: PlannedDir[], items: PlannedItem[]): Promise<void> {
    const nodes = await this.treeNodes(treeId, rel)
    if (nodes === undefined) return
    for (const { node, name, childRel, sel } of this.entries(nodes, rel)) {
      const path = joinPath(dir, name)
      if (node.type === NodeType.DIR) {
        dirs.push({ node, path, rel: childRel, full: sel === 2, parent, ok: false })
        await this.plan(node.subtree, path, childRel, dirs.length - 1, dirs, items)
      } else if (sel === 2 && (node.type === NodeType.FILE || node.type === NodeType.SYMLINK)) {
        items.push({ node, path, rel: childRel, parent })
      }
    }
  }

  /** order = 'recent-first' (RestoreOptions.order). */
  /** `targetIsNew`: this restore made the target folder, so nothing in it can be in the way. */
  async restoreRecentFirst (treeId: Uint8Array, target: Buffer, targetIsNew: boolean): Promise<void> {
    const started = Date.now()
    const dirs: PlannedDir[] = []
    const items: PlannedItem[] = []
    await this.plan(treeId, target, Buffer.from('/'), -1, dirs, items)
    const files = items.filter(i => i.node.type === NodeType.FILE)
    this.totals = { files: files.length, bytes: files.reduce((a, i) => a + i.node.size, 0) }
    // 1. Folders, parents first; one that cannot be made (or is something else already) takes
    //    everything below it out, never followed through a planted symlink.
    for (const d of dirs) {
      if (d.parent >= 0 && !dirs[d.parent]!.ok) continue
      try {
        mkdirSync(d.path, { mode: 0o700 })
        d.ok = true
        d.created = true
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && lstatSync(d.path).isDirectory()) d.ok = true
        else this.fail(d.rel, (err as NodeJS.ErrnoException).code === 'EEXIST' ? new UnsafePathError(`${d.rel.toString()} exists and is not a directory`) : err)
      }
    }
    // 2. Files and symlinks, newest first, in batches: the newest tenth, the next 30 %, the rest.
    //    Within a batch, in the order of the packs their content is in, so that each pack is
    //    fetched once per batch rather than once per file (files of one day are spread over
    //    many packs, and only a few packs fit in memory).
    items.sort((a, b) => (a.node.mtimeNs === b.node.mtimeNs ? Buffer.compare(a.rel, b.rel) : (b.node.mtimeNs > a.node.mtimeNs ? 1 : -1)))
    const tenth = Math.ceil(files.length / 10)
    this.batchByPack(items, [0.1, 0.4, 1])
    let filesSeen = 0
    for (const [i, item] of items.entries()) {
      this.options.signal?.throwIfAborted()
      if (item.parent >= 0 && !dirs[item.parent]!.ok) continue // its folder is listed as a failure
      this.prefetchAhead(items, i)
      this.currentPath = item.rel.toString()
      // In a folder this restore made, nothing can be in place or in the way: no checks.
      const fresh = item.parent >= 0 ? dirs[item.parent]!.created === true : targetIsNew
      const resume = this.options.resume === true && !fresh
      try {
        if (item.node.type === NodeType.SYMLINK) {
          if (resume && symlinkInPlace(item)) this.result.symlinks++
          else this.restoreSymlink(item.node, item.path, fresh)
        } else {
          filesSeen++
          if (resume && fileInPlace(item)) {
            this.result.files++
            this.result.skipped++
            this.result.bytes += item.node.size
            if (item.node.links > 1) this.links.set(`${item.node.device}:${item.node.inode}`, item.path)
          } else {
            // The blob locations looked up for the batch order serve the file's reads too.
            item.locs?.forEach((loc, k) => { this.locs.set(k, loc) })
            try {
              await this.restoreFile(item.node, item.path, item.rel, fresh)
            } finally {
              this.locs.clear()
              item.locs = undefined
            }
            faultPoint('restore-file')
          }
          if (filesSeen === tenth) this.result.firstTenthMs = Date.now() - started
        }
      } catch (err) {
        this.fail(item.rel, err)
      }
      this.progress(false)
    }
    // 3. The folders' own metadata, children before parents (writing into a folder changes its mtime).
    for (const d of [...dirs].reverse()) {
      if (!d.ok) continue
      try {
        this.setDirMetadata(d.node, d.path, d.rel, d.full)
      } catch (err) {
        this.fail(d.rel, err)
      }
    }
  }

  /**
   * Reorders `items` (sorted newest first) within recency batches (`bounds`: cumulative shares of
   * the files) by the pack and offset of each file's first blob. Batch boundaries fall on file
   * counts, so the newest tenth of the files is complete before anything older is written.
   */
  private batchByPack (items: PlannedItem[], bounds: number[]): void {
    const fileCount = items.filter(i => i.node.type === NodeType.FILE).length
    // Empty files and symlinks first in their batch.
    const where = (i: PlannedItem): [string, number] => [this.packsOf(i)[0] ?? '', i.firstOffset ?? 0]
    let start = 0
    let seenFiles = 0
    for (const share of bounds) {
      const limit = Math.ceil(fileCount * share)
      let end = start
      while (end < items.length && (seenFiles < limit || items[end]!.node.type !== NodeType.FILE)) {
        if (items[end]!.node.type === NodeType.FILE) seenFiles++
        end++
      }
      const batch = items.slice(start, end).map(i => ({ i, w: where(i) }))
      batch.sort((a, b) => (a.w[0] === b.w[0] ? a.w[1] - b.w[1] : (a.w[0] < b.w[0] ? -1 : 1)))
      for (const [k, b] of batch.entries()) items[start + k] = b.i
      start = end
    }
  }

  /** The distinct packs a file's content needs, in order (looked up once per file). */
  private packsOf (item: PlannedItem): string[] {
    if (item.packs !== undefined) return item.packs
    const packs: string[] = []
    if (item.node.type === NodeType.FILE) {
      item.locs = new Map()
      for (const ref of item.node.content) {
        if (ref.blob.byteLength === 0) continue
        const loc = this.repo.lookup(ref.blob)
        if (loc === undefined) continue
        item.locs.set(Buffer.from(ref.blob.buffer, ref.blob.byteOffset, ref.blob.byteLength).toString('latin1'), loc)
        if (packs.length === 0) item.firstOffset = loc.offset
        if (!packs.includes(loc.pack)) packs.push(loc.pack)
      }
    }
    item.packs = packs
    return packs
  }

  private scanFrom = 0

  /**
   * Starts fetching the packs the next files need, a few at once (from several holders at once).
   * Each file is looked at once: the scan resumes where it stopped.
   */
  private prefetchAhead (items: PlannedItem[], from: number): void {
    const window = this.options.prefetch ?? 4
    this.scanFrom = Math.max(this.scanFrom, from)
    while (this.scanFrom < items.length && this.scanFrom < from + 256 && this.inflight.size < window) {
      for (const pack of this.packsOf(items[this.scanFrom]!)) {
        if (this.packs.has(pack) || this.inflight.has(pack) || this.badPacks.has(pack)) continue
        this.pack(pack).catch(() => {}) // errors surface when a file needs the pack
      }
      this.scanFrom++
    }
  }

  private async restoreDirNode (node: Node, path: Buffer, rel: Buffer, full: boolean, parentFresh: boolean): Promise<void> {
    let fresh = true
    try {
      mkdirSync(path, { mode: 0o700 })
    } catch (err) {
      if (parentFresh || (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      // Never descend through a symlink planted in the target.
      if (!lstatSync(path).isDirectory()) throw new UnsafePathError(`${rel.toString()} exists and is not a directory`)
      fresh = false
    }
    await this.restoreDir(node.subtree, path, rel, fresh)
    this.setDirMetadata(node, path, rel, full)
  }

  private async restoreFile (node: Node, path: Buffer, rel: Buffer, fresh: boolean): Promise<void> {
    if (node.links > 1) {
      const key = `${node.device}:${node.inode}`
      const first = this.links.get(key)
      if (first !== undefined) {
        if (!fresh) { try { unlinkSync(path) } catch {} }
        linkSync(first, path)
        this.result.files++
        return
      }
    }
    if (!fresh) { try { if (lstatSync(path).isSymbolicLink()) unlinkSync(path) } catch {} }
    // In a folder this restore created, O_EXCL: anything already there is a name repeated in the tree.
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (fresh ? constants.O_EXCL : constants.O_TRUNC), 0o600)
    let ok = false
    try {
      let pos = 0
      let end = 0
      for (const ref of node.content) {
        if (ref.blob.byteLength === 0) { pos += ref.hole; continue }
        const plain = await this.blob(ref.blob)
        if (plain.byteLength !== ref.length) throw new IntegrityError(`blob ${hex(ref.blob)} has ${plain.byteLength} bytes, the tree says ${ref.length}`, [hex(ref.blob)])
        if (node.sparse) writeSparse(fd, plain, pos)
        else writeAll(fd, plain, 0, plain.byteLength, pos)
        pos += plain.byteLength
        end = pos
      }
      if (pos !== node.size) throw new IntegrityError(`content adds up to ${pos} bytes, the snapshot says ${node.size}`)
      // A trailing hole, or trailing zero blocks that writeSparse left unwritten, set the length.
      if (end < node.size || node.sparse) ftruncateSync(fd, node.size)
      if (isRoot) fchownSync(fd, node.uid, node.gid)
      fchmodSync(fd, node.mode)
      futimesSync(fd, nsToSec(node.mtimeNs), nsToSec(node.mtimeNs))
      ok = true
    } finally {
      closeSync(fd)
      if (!ok) { try { unlinkSync(path) } catch {} }
    }
    const refused = writeXattrs(path, node.xattrs)
    if (refused.length > 0) {
      this.result.warnings.push(...refused.map(n => `${rel.toString()}: xattr ${n} not supported by the target filesystem`))
      utimesSync(path, nsToSec(node.mtimeNs), nsToSec(node.mtimeNs))
    }
    if (node.links > 1) this.links.set(`${node.device}:${node.inode}`, path)
    this.result.files++
    this.result.bytes += node.size
  }

  private restoreSymlink (node: Node, path: Buffer, fresh: boolean): void {
    if (!fresh) { try { unlinkSync(path) } catch {} }
    symlinkSync(Buffer.from(node.linkTarget), path)
    if (isRoot) lchownSync(path, node.uid, node.gid)
    lutimesSync(path, nsToSec(node.mtimeNs), nsToSec(node.mtimeNs))
    this.result.symlinks++
  }

  /** A verified blob, read from a whole pack kept in a small LRU cache. */
  private async blob (id: Uint8Array): Promise<Buffer> {
    const loc = this.locs.get(Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1')) ?? this.repo.lookup(id)
    if (loc === undefined) throw new ObjectNotFoundError(hex(id), { hint: 'the blob is in no known pack' })
    const pack = await this.pack(loc.pack)
    if (loc.offset + loc.length > pack.byteLength) throw new IntegrityError(`blob ${hex(id)} lies outside pack ${loc.pack}`, [loc.pack])
    return decodeBlob(this.repo.keys, loc, pack.subarray(loc.offset, loc.offset + loc.length))
  }

  /** A whole pack, verified against its ID: from the cache, an in-flight fetch, or the store. */
  private async pack (packId: string): Promise<Buffer> {
    const bad = this.badPacks.get(packId)
    if (bad !== undefined) throw new IntegrityError(bad, [packId])
    const cached = this.packs.get(packId)
    if (cached !== undefined) {
      // LRU: move to the back.
      this.packs.delete(packId)
      this.packs.set(packId, cached)
      return cached
    }
    let p = this.inflight.get(packId)
    if (p === undefined) {
      p = this.fetchPack(packId)
      this.inflight.set(packId, p)
      p.catch(() => {}).finally(() => this.inflight.delete(packId)).catch(() => {})
    }
    return await p
  }

  private async fetchPack (packId: string): Promise<Buffer> {
    let pack: Buffer
    try {
      pack = Buffer.from(await this.repo.backend.get(packId))
    } catch (err) {
      if (err instanceof ObjectNotFoundError) this.badPacks.set(packId, `pack ${packId} is missing`)
      throw err
    }
    if (pack.byteLength > PACK_MAX_SIZE || packIdOf(pack) !== packId) {
      const msg = `pack ${packId} is damaged (its bytes do not match its ID)`
      this.badPacks.set(packId, msg)
      throw new IntegrityError(msg, [packId])
    }
    this.packs.set(packId, pack)
    if (this.packs.size > this.cacheSize) this.packs.delete(this.packs.keys().next().value!)
    return pack
  }

  /**
   * Starts fetching the packs the files of a directory need, a few at once, so that reading from
   * several holders (or the disk) overlaps with decrypting and writing.
   */
  private prefetch (nodes: Node[]): void {
    const window = this.options.prefetch ?? 4
    let started = 0
    const seen = new Set<string>()
    // The locations looked up here are kept for the files of this folder (one lookup per blob).
    this.locs.clear()
    for (const node of nodes) {
      if (node.type !== NodeType.FILE) continue
      for (const ref of node.content) {
        if (ref.blob.byteLength === 0) continue
        const loc = this.repo.lookup(ref.blob)
        if (loc === undefined) continue
        this.locs.set(Buffer.from(ref.blob.buffer, ref.blob.byteOffset, ref.blob.byteLength).toString('latin1'), loc)
        if (seen.has(loc.pack)) continue
        seen.add(loc.pack)
        if (this.packs.has(loc.pack) || this.inflight.has(loc.pack) || this.badPacks.has(loc.pack)) continue
        if (this.inflight.size >= window || started >= window) continue
        this.pack(loc.pack).catch(() => {}) // errors surface when a file needs the pack
        started++
      }
    }
  }

  private fail (rel: Buffer, err: unknown): void {
    if (!(err instanceof P2pbakError) && (err as NodeJS.ErrnoException).code === undefined) throw err
    // A full target disk fails every file after this one too: stop with NoSpaceError (exit 13)
    // instead of listing each of them as unrestorable.
    const full = noSpaceError(err)
    if (full !== undefined) throw full
    const reason = err instanceof Error ? err.message : String(err)
    this.failures.push({ path: rel.toString(), reason })
  }

  progress (final: boolean): void {
    const cb = this.options.onProgress
    if (cb === undefined) return
    const now = Date.now()
    if (!final && now - this.lastProgress < (this.options.progressIntervalMs ?? 250)) return
    this.lastProgress = now
    cb({
      filesDone: this.result.files, bytesDone: this.result.bytes, currentPath: this.currentPath,
      ...(this.totals === undefined ? {} : { totalFiles: this.totals.files, totalBytes: this.totals.bytes })
    })
  }
}

interface PlannedDir { node: Node, path: Buffer, rel: Buffer, full: boolean, parent: number, ok: boolean, created?: boolean }
interface PlannedItem {
  node: Node
  path: Buffer
  rel: Buffer
  parent: number
  packs?: string[]
  firstOffset?: number
  /** Blob locations of the content (latin1 of the blob ID → location), looked up once. */
  locs?: Map<string, BlobLoc>
}

/** Resume's quick check: a regular file with the snapshot's size and mtime (to the microsecond) is in place. */
function fileInPlace (item: PlannedItem): boolean {
  try {
    const st = lstatSync(item.path, { bigint: true })
    return st.isFile() && st.size === BigInt(item.node.size) && st.mtimeNs / 1000n === item.node.mtimeNs / 1000n
  } catch {
    return false
  }
}

function symlinkInPlace (item: PlannedItem): boolean {
  try {
    return lstatSync(item.path).isSymbolicLink() && readlinkSync(item.path, { encoding: 'buffer' }).equals(Buffer.from(item.node.linkTarget))
  } catch {
    return false
  }
}

/** A single path component that stays inside its directory. */
export function safeName (name: Buffer): boolean {
  if (name.byteLength === 0 || name.byteLength > 4096) return false
  if (name.equals(DOT) || name.equals(DOTDOT)) return false
  return !name.includes(0x2f) && !name.includes(0)
}

function writeAll (fd: number, buf: Buffer, start: number, end: number, pos: number): void {
  let off = start
  while (off < end) off += writeSync(fd, buf, off, end - off, pos + off - start)
}

const SPARSE_BLOCK = 4096
const ZERO_BLOCK = Buffer.alloc(SPARSE_BLOCK)

/** Writes a blob of a sparse file, leaving aligned all-zero blocks as holes (ftruncate sets the size). */
function writeSparse (fd: number, buf: Buffer, pos: number): void {
  let runStart = -1
  for (let off = 0; off < buf.byteLength;) {
    // Block boundaries aligned to the file, not to the blob.
    const next = Math.min(buf.byteLength, off + SPARSE_BLOCK - ((pos + off) % SPARSE_BLOCK))
    const zero = next - off === SPARSE_BLOCK && ZERO_BLOCK.compare(buf, off, next) === 0
    if (zero && runStart >= 0) { writeAll(fd, buf, runStart, off, pos + runStart); runStart = -1 }
    if (!zero && runStart < 0) runStart = off
    off = next
  }
  if (runStart >= 0) writeAll(fd, buf, runStart, buf.byteLength, pos + runStart)
}

const DOT = Buffer.from('.')
const DOTDOT = Buffer.from('..')

/**
 * Nanoseconds to the fractional seconds utimes takes. libuv truncates to whole microseconds, so
 * aim at the middle of the intended microsecond: the result is the original truncated to 1 µs
 * (docs/format.md §10 lists this limit).
 */
function nsToSec (ns: bigint): number {
  const sec = ns / 1_000_000_000n
  const micros = (ns % 1_000_000_000n) / 1000n
  return Number(sec) + (Number(micros) + 0.5) / 1e6
}
