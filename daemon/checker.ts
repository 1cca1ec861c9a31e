// The checker (restic's `check`): verifies the repository as stored, not the local state. It
// collects every problem instead of stopping at the first. Structure: root record, manifest,
// snapshots, indexes, pack headers against the index, every tree of every snapshot, every blob a
// file needs. With readData: every pack's hash and every blob's MAC and ID.
import { packIdOf } from '../protocol/ids.js'
import { joinPath } from './archiver.js'
import { decodeBlob, hex } from './repository/blob.js'
import { PACK_MAX_SIZE } from './repository/constants.js'
import { packHeaderOf, readPackHeader } from './repository/pack.js'
import { BlobType, NodeType } from './repository/pb/repo.js'
import type { PackEntry } from './repository/pb/repo.js'
import { decodeIndex, decodeSnapshot, decodeTree } from './repository/repository.js'
import type { Repository } from './repository/repository.js'

export type ProblemKind =
  'root' | 'manifest' | 'snapshot' | 'index' | 'pack-missing' | 'pack-header' | 'pack-damaged' |
  'blob-missing' | 'blob-damaged' | 'tree'

export interface Problem {
  kind: ProblemKind
  /** The object concerned: pack ID, blob ID (hex) or snapshot ID. */
  id: string
  message: string
  /** Files (snapshot path) affected, when known; capped at 20. */
  paths?: string[]
}

export interface CheckOptions {
  readData?: boolean
  /** Packs done of total per stage ("checking packs", then with readData "reading packs" with bytes read of the packs' total). */
  onProgress?: (p: CheckProgress) => void
}

export interface CheckProgress {
  stage: string
  done: number
  total: number
  /** "reading packs": bytes fetched so far, and the indexed packs' bytes plus the metadata packs read so far. */
  bytes?: number
  totalBytes?: number
}

export interface CheckReport {
  ok: boolean
  problems: Problem[]
  snapshots: number
  packs: number
  blobs: number
  /** Packs in the store nothing references: older manifests, packs of interrupted backups. Harmless. */
  unreferencedPacks: number
  bytesRead: number
}

interface Loc extends PackEntry { pack: string }

export async function check (repo: Repository, options: CheckOptions = {}): Promise<CheckReport> {
  const problems: Problem[] = []
  const report: CheckReport = { ok: false, problems, snapshots: 0, packs: 0, blobs: 0, unreferencedPacks: 0, bytesRead: 0 }
  const add = (p: Problem): void => { problems.push(p) }
  const msg = (err: unknown): string => err instanceof Error ? err.message : String(err)

  let root
  try {
    root = await repo.readRoot()
  } catch (err) {
    add({ kind: 'root', id: repo.keys.ownerId, message: msg(err) })
    return report
  }
  let manifest
  try {
    manifest = await repo.readManifest(root?.payload)
  } catch (err) {
    const pack = root?.payload.manifest?.pack ?? repo.keys.ownerId
    add({ kind: 'manifest', id: pack, message: `manifest in pack ${pack} unreadable: ${msg(err)}` })
    return report
  }

  // Index as stored in the repository.
  const blobs = new Map<string, Loc>()
  const packTypes = new Map<string, { type: BlobType, size: number, entries: PackEntry[] }>()
  for (const ref of manifest.indexes) {
    try {
      const index = decodeIndex(await repo.loadRef(ref))
      for (const p of index.packs) {
        packTypes.set(p.id, { type: p.type, size: p.size, entries: p.entries })
        for (const e of p.entries) blobs.set(hex(e.id), { ...e, pack: p.id })
      }
    } catch (err) {
      add({ kind: 'index', id: ref.pack, message: `index blob ${hex(ref.id)} in pack ${ref.pack} unreadable: ${msg(err)}` })
    }
  }
  report.packs = packTypes.size
  report.blobs = blobs.size

  // Packs: present, header agrees with the index.
  const metaPacks = new Set([...manifest.indexes, ...manifest.snapshots].map(r => r.pack))
  if (root?.payload.manifest !== undefined) metaPacks.add(root.payload.manifest.pack)
  // Presence is asked of the store (`has`), not taken from `list`: a swarm store on a fresh
  // machine lists only what it placed itself, but can ask the holders.
  const wanted = [...new Set([...packTypes.keys(), ...metaPacks])]
  const present = new Set<string>()
  for (let i = 0; i < wanted.length; i += 1000) {
    const batch = wanted.slice(i, i + 1000)
    const answers = await repo.backend.has(batch)
    batch.forEach((id, j) => { if (answers[j] === true) present.add(id) })
  }
  let unreferenced = 0
  for await (const { id } of repo.backend.list()) if (!packTypes.has(id) && !metaPacks.has(id)) unreferenced++
  report.unreferencedPacks = unreferenced
  let done = 0
  // Missing packs, to name the snapshots and files that need them.
  const missingPacks = new Map<string, { problem: Problem, snapshots: Set<string> }>()
  for (const [id, info] of packTypes) {
    options.onProgress?.({ stage: 'checking packs', done: done++, total: packTypes.size })
    if (!present.has(id)) {
      const problem: Problem = { kind: 'pack-missing', id, message: `pack ${id} is missing`, paths: [] }
      missingPacks.set(id, { problem, snapshots: new Set() })
      add(problem)
      continue
    }
    try {
      const { header, size } = await readPackHeader(repo.backend, repo.keys.encryptionKey, id)
      if (size !== info.size || !sameEntries(header.entries, info.entries)) {
        add({ kind: 'pack-header', id, message: `pack ${id} does not hold what the index says` })
      }
    } catch (err) {
      add({ kind: 'pack-header', id, message: `pack ${id} header unreadable: ${msg(err)}` })
    }
  }
  options.onProgress?.({ stage: 'checking packs', done, total: packTypes.size })

  // Snapshots and their trees; every blob a file needs must be indexed.
  const seenTrees = new Set<string>()
  const badBlobs = new Map<string, { problem: Problem, snapshots: Set<string> }>()
  /** The snapshot being walked (named in the problems of what it references). */
  let walking = ''
  const needBlob = (id: Uint8Array, path: string, kind: 'tree' | 'data'): boolean => {
    const key = hex(id)
    const loc = blobs.get(key)
    if (loc !== undefined) {
      // Indexed, but in a pack that is gone: the files that need it are named with the pack.
      const missing = missingPacks.get(loc.pack)
      if (missing !== undefined) {
        missing.snapshots.add(walking)
        if (missing.problem.paths!.length < 20 && !missing.problem.paths!.includes(path)) missing.problem.paths!.push(path)
      }
      return true
    }
    // A snapshot that references a blob no pack holds (e.g. a blob counted as stored by a
    // backup whose upload failed): its files cannot be restored.
    let b = badBlobs.get(key)
    if (b === undefined) {
      b = { problem: { kind: 'blob-missing', id: key, message: `${kind} blob ${key} is in no index: no stored pack holds it`, paths: [] }, snapshots: new Set() }
      badBlobs.set(key, b)
      add(b.problem)
    }
    b.snapshots.add(walking)
    if (b.problem.paths!.length < 20) b.problem.paths!.push(path)
    return false
  }
  // onData sees every file's data blobs (used to name the files a damaged blob affects).
  let onData: ((blob: Uint8Array, path: Buffer) => void) | undefined
  const walk = async (treeId: Uint8Array, path: Buffer): Promise<void> => {
    const key = hex(treeId)
    if (seenTrees.has(key)) return
    seenTrees.add(key)
    if (onData !== undefined) { if (!blobs.has(key)) return } else if (!needBlob(treeId, path.toString(), 'tree')) return
    const loc = blobs.get(key)!
    let tree
    try {
      const sealed = await repo.backend.get(loc.pack, { offset: loc.offset, length: loc.length })
      tree = decodeTree(decodeBlob(repo.keys, loc, sealed))
    } catch (err) {
      if (onData === undefined) add({ kind: 'tree', id: key, message: `tree of ${path.toString()} unreadable: ${msg(err)}`, paths: [path.toString()] })
      return
    }
    for (const node of tree.nodes) {
      const child = joinPath(path, Buffer.from(node.name))
      if (node.type === NodeType.DIR) await walk(node.subtree, child)
      else if (node.type === NodeType.FILE) {
        for (const r of node.content) {
          if (r.blob.byteLength === 0) continue
          if (onData !== undefined) onData(r.blob, child)
          else needBlob(r.blob, child.toString(), 'data')
        }
      }
    }
  }
  const walkSnapshots = async (): Promise<void> => {
    seenTrees.clear()
    for (const ref of manifest.snapshots) {
      if (onData === undefined) report.snapshots++
      walking = hex(ref.id)
      try {
        const snap = decodeSnapshot(await repo.loadRef(ref))
        await walk(snap.tree, Buffer.from('/'))
      } catch (err) {
        if (onData === undefined) add({ kind: 'snapshot', id: hex(ref.id), message: `snapshot ${hex(ref.id)} in pack ${ref.pack} unreadable: ${msg(err)}` })
      }
    }
  }
  await walkSnapshots()
  const needers = (snapshots: Set<string>): string => snapshots.size === 0 ? '' : `; needed by snapshot${snapshots.size > 1 ? 's' : ''} ${[...snapshots].map(id => id.slice(0, 8)).join(', ')}`
  for (const { problem, snapshots } of [...missingPacks.values(), ...badBlobs.values()]) problem.message += needers(snapshots)
  for (const { problem } of missingPacks.values()) if (problem.paths!.length === 0) delete problem.paths

  if (options.readData === true) {
    done = 0
    // Indexed packs, plus the packs holding indexes, snapshots and the current manifest.
    const toRead = new Set([...packTypes.keys(), ...metaPacks])
    // Metadata packs are in no index: their size is known once read.
    let totalBytes = 0
    for (const id of toRead) totalBytes += packTypes.get(id)?.size ?? 0
    const reading = (): void => { options.onProgress?.({ stage: 'reading packs', done, total: toRead.size, bytes: report.bytesRead, totalBytes: Math.max(totalBytes, report.bytesRead) }) }
    for (const id of toRead) {
      reading()
      done++
      if (!present.has(id)) {
        if (!packTypes.has(id)) add({ kind: 'pack-missing', id, message: `metadata pack ${id} is missing` })
        continue
      }
      let bytes: Uint8Array
      try {
        bytes = await repo.backend.get(id)
        report.bytesRead += bytes.byteLength
        if (!packTypes.has(id)) totalBytes += bytes.byteLength
      } catch (err) {
        add({ kind: 'pack-damaged', id, message: `pack ${id} unreadable: ${msg(err)}` })
        continue
      }
      if (bytes.byteLength > PACK_MAX_SIZE || packIdOf(bytes) !== id) {
        add({ kind: 'pack-damaged', id, message: `pack ${id} does not match its ID (bit rot or tampering)` })
      }
      // Even when the pack hash fails, find out which blobs are still good.
      let entries: PackEntry[]
      try {
        entries = packHeaderOf(repo.keys.encryptionKey, bytes).entries
      } catch (err) {
        add({ kind: 'pack-header', id, message: `pack ${id} header unreadable: ${msg(err)}` })
        entries = packTypes.get(id)?.entries ?? []
      }
      for (const e of entries) {
        try {
          if (e.offset + e.length > bytes.byteLength) throw new Error('blob lies outside the pack')
          decodeBlob(repo.keys, e, bytes.subarray(e.offset, e.offset + e.length))
        } catch (err) {
          add({ kind: 'blob-damaged', id: hex(e.id), message: `blob ${hex(e.id)} in pack ${id}: ${msg(err)}` })
        }
      }
    }
    reading()
  }
  // Name the files that damaged data blobs affect.
  const damaged = new Map(problems.filter(p => p.kind === 'blob-damaged').map(p => [p.id, p]))
  if (damaged.size > 0) {
    onData = (blob, path) => {
      const p = damaged.get(hex(blob))
      if (p === undefined) return
      p.paths ??= []
      if (p.paths.length < 20) p.paths.push(path.toString())
    }
    await walkSnapshots()
  }
  report.ok = problems.length === 0
  return report
}

function sameEntries (a: PackEntry[], b: PackEntry[]): boolean {
  if (a.length !== b.length) return false
  return a.every((e, i) => {
    const f = b[i]!
    return Buffer.from(e.id).equals(Buffer.from(f.id)) && e.offset === f.offset && e.length === f.length &&
      e.rawLength === f.rawLength && e.compressed === f.compressed && e.type === f.type
  })
}
