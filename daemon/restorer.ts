// The restorer (docs/format.md §3, DESIGN.md §4, docs/restore.md §5): walks a snapshot's trees and
// writes files with their metadata under a target folder. Every pack is checked against its ID and
// every blob against its MAC and ID before a byte is written. Each file and symlink is written
// under a temporary name (`.p2pbak-tmp-…`) in its folder, fsynced, and renamed over the old name
// only once complete: a restore that fails leaves what was in the target as it was, and a hard
// link already in the target is replaced, never written through. Names are raw bytes; a name
// that could escape the target (`..`, `/`, NUL) is refused.
import { randomBytes } from 'node:crypto'
import {
  chmodSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, ftruncateSync, lchownSync, linkSync,
  existsSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, symlinkSync, unlinkSync, writeSync, chownSync
} from 'node:fs'
import type { BigIntStats } from 'node:fs'
import { faultPoint } from './fault.js'
import { packIdOf } from '../protocol/ids.js'
import { joinPath } from './archiver.js'
import { IntegrityError, noSpaceError, NothingMatchedError, ObjectNotFoundError, P2pbakError, RestoreIncompleteError, UnsafePathError } from './errors.js'
import { setFdTimesNs, setTimesNs, syncFs } from './fs/native.js'
import { writeXattrs } from './fs/xattr.js'
import { decodeBlob, hex } from './repository/blob.js'
import { PACK_MAX_SIZE } from './repository/constants.js'
import { NodeType } from './repository/pb/repo.js'
import type { Node } from './repository/pb/repo.js'
import type { Repository, SnapshotInfo } from './repository/repository.js'
import type { BlobLoc } from './repository/state-db.js'

/**
 * What to do with a file or symlink that is already in the target (docs/restore.md §overwrite):
 * - 'always': replace it, once the new content is complete (the default).
 * - 'if-changed': replace it unless it has the snapshot's type, size and mtime (or symlink target).
 * - 'if-newer': replace it only when the snapshot's mtime is newer than its own.
 * - 'never': leave it alone.
 */
export type OverwriteMode = 'always' | 'if-changed' | 'if-newer' | 'never'
export const OVERWRITE_MODES: readonly OverwriteMode[] = ['always', 'if-changed', 'if-newer', 'never']

/** Temporary files of a restore in progress: `.p2pbak-tmp-` and 16 hex digits, in the file's own folder. */
export const TEMP_PREFIX = '.p2pbak-tmp-'
const TEMP_NAME = /^\.p2pbak-tmp-[0-9a-f]{16}$/

export interface RestoreOptions {
  /**
   * Only these paths inside the snapshot (and what is below them), e.g. "/home/alice/Documents".
   * One that is not in the snapshot is NothingMatchedError, before anything is written.
   */
  include?: string[]
  /** Default 'always'. */
  overwrite?: OverwriteMode
  /** Write nothing; the result lists what would be written (`items`). */
  dryRun?: boolean
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

/** One entry of a dry run: where it would go and what would happen. */
export interface DryRunItem {
  /** Path in the target. */
  path: string
  type: 'file' | 'dir' | 'symlink'
  /** 'replace': something is there and would be replaced; 'skip': left as it is (reason); 'fail': cannot be restored (reason). */
  action: 'create' | 'replace' | 'skip' | 'fail'
  reason?: string
  size: number
}

export interface RestoreResult {
  /** Files now as in the snapshot: written, or already in place. */
  files: number
  dirs: number
  symlinks: number
  bytes: number
  /** Things restored but without some metadata (e.g. xattrs the target filesystem refused). */
  warnings: string[]
  /** Files not written: already in place, or kept by the overwrite mode. */
  skipped: number
  /** ms from the start until the most recent tenth of the files was in place ('recent-first'). */
  firstTenthMs?: number
  /** Dry run only: everything that would be written or left, in path order. */
  items?: DryRunItem[]
}

const isRoot = process.getuid?.() === 0

export async function restore (repo: Repository, snap: SnapshotInfo, target: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  if (options.include !== undefined) await checkIncludes(repo, snap, options.include)
  const r = new Restorer(repo, options)
  if (options.dryRun === true) return await r.dryRun(snap.snapshot.tree, Buffer.from(target))
  const targetIsNew = !existsSync(target)
  mkdirSync(target, { recursive: true, mode: 0o700 })
  if (!targetIsNew) r.sweepTemps(Buffer.from(target))
  try {
    if (options.order === 'recent-first') await r.restoreRecentFirst(snap.snapshot.tree, Buffer.from(target), targetIsNew)
    else await r.restoreDir(snap.snapshot.tree, Buffer.from(target), Buffer.from('/'), targetIsNew)
  } finally {
    r.syncDirs()
  }
  r.progress(true)
  if (r.failures.length > 0) {
    const list = r.failures.slice(0, 20).map(f => `  ${f.path}: ${f.reason}`).join('\n')
    throw new RestoreIncompleteError(`${r.failures.length} item(s) could not be restored exactly and were left out:\n${list}${r.failures.length > 20 ? '\n  …' : ''}`, r.failures, {
      hint: 'run `p2pbak check --read-data` to see which packs are damaged; everything else was restored'
    })
  }
  return r.result
}

/**
 * Every include path names something in the snapshot, or NothingMatchedError (before anything is
 * written). Only the trees on the way are read; a tree that cannot be read is left to the restore
 * to report.
 */
async function checkIncludes (repo: Repository, snap: SnapshotInfo, include: string[]): Promise<void> {
  const unmatched: string[] = []
  for (const inc of include) {
    const parts = inc.split('/').filter(p => p !== '')
    let tree: Uint8Array | undefined = snap.snapshot.tree
    for (const [i, part] of parts.entries()) {
      let nodes: Node[]
      try {
        nodes = (await repo.loadTree(tree!)).nodes
      } catch {
        tree = snap.snapshot.tree // unknown: the restore lists the unreadable tree
        break
      }
      const name = Buffer.from(part)
      const node = nodes.find(n => Buffer.from(n.name).equals(name))
      if (node === undefined || (i < parts.length - 1 && node.type !== NodeType.DIR)) { tree = undefined; break }
      tree = node.subtree
    }
    if (tree === undefined) unmatched.push(inc)
  }
  if (unmatched.length > 0) {
    throw new NothingMatchedError(`nothing in snapshot ${snap.id.slice(0, 8)} matches --include ${unmatched.map(p => JSON.stringify(p)).join(', ')}; nothing was restored`, {
      hint: `include paths are the absolute paths that were backed up (a relative one is taken from the current folder); \`p2pbak ls ${snap.id.slice(0, 8)}\` lists them`
    })
  }
}

type Decision = { action: 'create' | 'replace' } | { action: 'skip', reason: string, inPlace: boolean }

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
  private readonly overwrite: OverwriteMode
  /** Folders a file was renamed into: fsynced once at the end. */
  private readonly touched = new Map<string, Buffer>()
  /** New files were written without a fsync of their own: syncDirs() syncs their filesystems. */
  private unsynced = false

  constructor (private readonly repo: Repository, private readonly options: RestoreOptions) {
    this.cacheSize = (options.packCacheSize ?? 4) + (options.prefetch ?? 4)
    this.include = options.include?.map(p => Buffer.from('/' + p.replace(/^\/+|\/+$/g, '')))
    this.overwrite = options.overwrite ?? 'always'
  }

  /** Removes what an interrupted restore left in `dir`: its temporary files (TEMP_PREFIX). */
  sweepTemps (dir: Buffer): void {
    let names: Buffer[]
    try {
      names = readdirSync(dir, { encoding: 'buffer' })
    } catch {
      return
    }
    for (const name of names) {
      if (TEMP_NAME.test(name.toString('latin1'))) { try { unlinkSync(joinPath(dir, name)) } catch {} }
    }
  }

  /** A name (a renamed file, a new folder) was made in `dir`: fsynced at the end. */
  private madeIn (dir: Buffer): void {
    this.touched.set(dir.toString('latin1'), dir)
  }

  /**
   * Makes the restore durable: one syncfs per filesystem for the new files (written without a
   * fsync each: nothing was there to lose), then a fsync of every folder a name was made in, so
   * that the new names survive a power loss.
   */
  syncDirs (): void {
    if (this.unsynced) {
      const devices = new Set<number>()
      for (const dir of this.touched.values()) {
        try {
          const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY)
          try {
            const dev = fstatSync(fd).dev
            if (!devices.has(dev)) { devices.add(dev); syncFs(fd) }
          } finally { closeSync(fd) }
        } catch {}
      }
      this.unsynced = false
    }
    for (const dir of this.touched.values()) {
      try {
        const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY)
        try { fsyncSync(fd) } finally { closeSync(fd) }
      } catch {}
    }
    this.touched.clear()
  }

  /**
   * What to do with the snapshot's file or symlink `node` at `path`. In a folder this restore made
   * (`fresh`) nothing can be there. A folder in the way is an error: it is never replaced.
   */
  private decide (node: Node, path: Buffer, rel: Buffer, fresh: boolean): Decision {
    if (fresh) return { action: 'create' }
    let st: BigIntStats
    try {
      st = lstatSync(path, { bigint: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { action: 'create' }
      throw err
    }
    if (st.isDirectory()) throw new UnsafePathError(`${rel.toString()} is a folder in the target; it is not replaced by a ${node.type === NodeType.SYMLINK ? 'symlink' : 'file'}`)
    const inPlace = node.type === NodeType.SYMLINK
      ? st.isSymbolicLink() && readlinkSync(path, { encoding: 'buffer' }).equals(Buffer.from(node.linkTarget))
      // Size and mtime to the microsecond: what an interrupted restore (or an older p2pbak) left complete.
      : st.isFile() && st.size === BigInt(node.size) && st.mtimeNs / 1000n === node.mtimeNs / 1000n
    switch (this.overwrite) {
      case 'never':
        return { action: 'skip', reason: inPlace ? 'already in place' : 'exists (--overwrite never)', inPlace }
      case 'if-newer':
        return st.mtimeNs >= node.mtimeNs ? { action: 'skip', reason: inPlace ? 'already in place' : 'not older than the snapshot (--overwrite if-newer)', inPlace } : { action: 'replace' }
      case 'if-changed':
        return inPlace ? { action: 'skip', reason: 'already in place', inPlace } : { action: 'replace' }
      default:
        // A resumed restore skips what the interrupted one completed.
        return inPlace && this.options.resume === true ? { action: 'skip', reason: 'already in place', inPlace } : { action: 'replace' }
    }
  }

  private skip (node: Node, path: Buffer, d: { inPlace: boolean }): void {
    if (node.type === NodeType.SYMLINK) {
      if (d.inPlace) this.result.symlinks++
      return
    }
    this.result.skipped++
    if (!d.inPlace) return
    this.result.files++
    this.result.bytes += node.size
    // A file in place can be the first name of its hard-link group.
    if (node.links > 1) this.links.set(`${node.device}:${node.inode}`, path)
  }

  /** Renames a complete temporary file over `path`; the temporary file goes if that fails. */
  private put (tmp: Buffer, path: Buffer): void {
    try {
      renameSync(tmp, path)
    } catch (err) {
      try { unlinkSync(tmp) } catch {}
      throw err
    }
    const dir = parentOf(path)
    this.madeIn(dir)
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

  /**
   * A folder's own metadata, set after its contents (writing into a folder changes its mtime). A
   * folder that was already in the target keeps its own under 'if-newer' and 'never' (`created`:
   * this restore made it).
   */
  private setDirMetadata (node: Node, path: Buffer, rel: Buffer, full: boolean, created: boolean): void {
    this.result.dirs++
    if (!created && (this.overwrite === 'if-newer' || this.overwrite === 'never')) return
    if (full) this.result.warnings.push(...writeXattrs(path, node.xattrs).map(n => `${rel.toString()}: xattr ${n} not supported by the target filesystem`))
    if (isRoot) chownSync(path, node.uid, node.gid)
    chmodSync(path, node.mode)
    setTimesNs(path, node.mtimeNs, node.mtimeNs)
  }

  /** `fresh`: this restore just created `dir`, so nothing in it can be in the way (no checks needed). */
  async restoreDir (treeId: Uint8Array, dir: Buffer, rel: Buffer, fresh: boolean): Promise<void> {
    const nodes = await this.treeNodes(treeId, rel)
    if (nodes === undefined) return
    if (!fresh) this.sweepTemps(dir)
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
          this.restoreSymlink(node, path, childRel, fresh)
        }
      } catch (err) {
        this.fail(childRel, err)
      }
      this.progress(false)
    }
  }

  /** order = any, dryRun: what a restore would do, from the trees and the target, writing nothing. */
  async dryRun (treeId: Uint8Array, target: Buffer): Promise<RestoreResult> {
    const dirs: PlannedDir[] = []
    const planned: PlannedItem[] = []
    await this.plan(treeId, target, Buffer.from('/'), -1, dirs, planned)
    const targetExists = existsSync(target)
    const items: Array<DryRunItem & { rel: Buffer }> = []
    // A folder "exists" when it is in the target already; below one that does not, everything is created.
    const exists: boolean[] = []
    for (const d of dirs) {
      const parentExists = d.parent >= 0 ? exists[d.parent]! : targetExists
      let st
      try { st = parentExists ? lstatSync(d.path) : undefined } catch {}
      exists.push(st?.isDirectory() === true)
      if (st !== undefined && !st.isDirectory()) {
        items.push({ rel: d.rel, path: d.path.toString(), type: 'dir', action: 'fail', reason: 'exists and is not a folder', size: 0 })
      } else {
        items.push({ rel: d.rel, path: d.path.toString(), type: 'dir', action: st === undefined ? 'create' : 'skip', ...(st === undefined ? {} : { reason: 'folder exists' }), size: 0 })
        if (st === undefined) this.result.dirs++
      }
    }
    for (const item of planned) {
      const type = item.node.type === NodeType.SYMLINK ? 'symlink' : 'file'
      const base = { rel: item.rel, path: item.path.toString(), type, size: type === 'file' ? item.node.size : 0 } as const
      const fresh = !(item.parent >= 0 ? exists[item.parent]! : targetExists)
      try {
        const d = this.decide(item.node, item.path, item.rel, fresh)
        if (d.action === 'skip') {
          items.push({ ...base, action: 'skip', reason: d.reason })
          if (type === 'file') this.result.skipped++
        } else {
          items.push({ ...base, action: d.action })
          if (type === 'file') {
            this.result.files++
            this.result.bytes += item.node.size
          } else {
            this.result.symlinks++
          }
        }
      } catch (err) {
        items.push({ ...base, action: 'fail', reason: err instanceof Error ? err.message : String(err) })
      }
    }
    for (const f of this.failures.splice(0)) items.push({ rel: Buffer.from(f.path), path: joinPath(target, Buffer.from(f.path.replace(/^\/+/, ''))).toString(), type: 'file', action: 'fail', reason: f.reason, size: 0 })
    items.sort((a, b) => Buffer.compare(a.rel, b.rel))
    return { ...this.result, items: items.map(({ rel: _, ...i }) => i) }
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
        this.madeIn(parentOf(d.path))
        d.ok = true
        d.created = true
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && lstatSync(d.path).isDirectory()) {
          d.ok = true
          this.sweepTemps(d.path)
        } else {
          this.fail(d.rel, (err as NodeJS.ErrnoException).code === 'EEXIST' ? new UnsafePathError(`${d.rel.toString()} exists and is not a directory`) : err)
        }
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
      try {
        if (item.node.type === NodeType.SYMLINK) {
          this.restoreSymlink(item.node, item.path, item.rel, fresh)
        } else {
          filesSeen++
          // The blob locations looked up for the batch order serve the file's reads too.
          item.locs?.forEach((loc, k) => { this.locs.set(k, loc) })
          let written: boolean
          try {
            written = await this.restoreFile(item.node, item.path, item.rel, fresh)
          } finally {
            this.locs.clear()
            item.locs = undefined
          }
          if (written) faultPoint('restore-file')
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
        this.setDirMetadata(d.node, d.path, d.rel, d.full, d.created === true)
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
      this.madeIn(parentOf(path))
    } catch (err) {
      if (parentFresh || (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      // Never descend through a symlink planted in the target.
      if (!lstatSync(path).isDirectory()) throw new UnsafePathError(`${rel.toString()} exists and is not a directory`)
      fresh = false
    }
    await this.restoreDir(node.subtree, path, rel, fresh)
    this.setDirMetadata(node, path, rel, full, fresh)
  }

  /**
   * Writes a file under a temporary name in its folder, fsyncs it, and renames it over `path` once
   * its content verified and its metadata is set. Whatever was at `path` stays as it was until
   * then, and is replaced (never written through, so another hard link to it keeps its content).
   * False when the overwrite mode left what is there.
   */
  private async restoreFile (node: Node, path: Buffer, rel: Buffer, fresh: boolean): Promise<boolean> {
    const d = this.decide(node, path, rel, fresh)
    if (d.action === 'skip') {
      this.skip(node, path, d)
      return false
    }
    const dir = parentOf(path)
    if (node.links > 1) {
      const first = this.links.get(`${node.device}:${node.inode}`)
      if (first !== undefined) {
        const tmp = tempPath(dir)
        linkSync(first, tmp)
        this.put(tmp, path)
        this.result.files++
        return true
      }
    }
    const tmp = tempPath(dir)
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
    let refused: string[] = []
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
      // xattrs before the mode: a read-only mode would refuse them.
      refused = writeXattrs(tmp, node.xattrs)
      if (isRoot) fchownSync(fd, node.uid, node.gid)
      fchmodSync(fd, node.mode)
      // Last: a file with the snapshot's mtime is complete (resume relies on it).
      setFdTimesNs(fd, node.mtimeNs, node.mtimeNs)
      // Replacing a file: its new content is on disk before the rename, or a power loss could
      // leave neither version. A new file has nothing to lose: the restore syncs its filesystem
      // once at the end (syncDirs) instead of one fsync per file.
      if (d.action === 'replace') fsyncSync(fd)
      else this.unsynced = true
      ok = true
    } finally {
      try {
        closeSync(fd)
      } finally {
        if (!ok) { try { unlinkSync(tmp) } catch {} }
      }
    }
    this.put(tmp, path)
    if (refused.length > 0) this.result.warnings.push(...refused.map(n => `${rel.toString()}: xattr ${n} not supported by the target filesystem`))
    if (node.links > 1) this.links.set(`${node.device}:${node.inode}`, path)
    this.result.files++
    this.result.bytes += node.size
    return true
  }

  private restoreSymlink (node: Node, path: Buffer, rel: Buffer, fresh: boolean): void {
    const d = this.decide(node, path, rel, fresh)
    if (d.action === 'skip') {
      this.skip(node, path, d)
      return
    }
    const tmp = tempPath(parentOf(path))
    symlinkSync(Buffer.from(node.linkTarget), tmp)
    try {
      if (isRoot) lchownSync(tmp, node.uid, node.gid)
      setTimesNs(tmp, node.mtimeNs, node.mtimeNs, { noFollow: true })
    } catch (err) {
      try { unlinkSync(tmp) } catch {}
      throw err
    }
    this.put(tmp, path)
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

/** A fresh temporary name in `dir` (TEMP_PREFIX): swept by the next restore if this one is killed. */
function tempPath (dir: Buffer): Buffer {
  return joinPath(dir, Buffer.from(TEMP_PREFIX + randomBytes(8).toString('hex')))
}

/** The folder of a path (bytes up to the last "/"). */
function parentOf (path: Buffer): Buffer {
  const i = path.lastIndexOf(0x2f)
  return i <= 0 ? Buffer.from('/') : path.subarray(0, i)
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
