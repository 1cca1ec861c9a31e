// The repository (docs/format.md): blobs in packs, an index, snapshots, a manifest and the signed
// root record, written in restic's order: data and tree packs → index + snapshot pack → manifest
// pack → root record. A crash at any point leaves the previous root readable; packs already
// durable are recorded in the state DB and reused by the next run.
import { hostname } from 'node:os'
import { isPackId } from '../../protocol/ids.js'
import { open, seal } from '../crypto/aead.js'
import { verifySignature } from '../crypto/keys.js'
import { CorruptObjectError, IntegrityError, InvalidArgumentError, ObjectNotFoundError, SnapshotNotFoundError, UnsupportedVersionError } from '../errors.js'
import { faultPoint } from '../fault.js'
import type { Backend } from '../store/types.js'
import { computeBlobId, decodeBlob, encodeBlob, hex } from './blob.js'
import {
  AAD_ROOT_PAYLOAD, BLOB_MAX_SIZE, INDEX_FORMAT_VERSION, PACK_MAX_ENTRIES, PACK_MAX_SIZE, MANIFEST_FORMAT_VERSION, PACK_TARGET_SIZE, ROOT_FORMAT_VERSION,
  ROOT_SIGNATURE_CONTEXT, SNAPSHOT_FORMAT_VERSION, rootRecordKey
} from './constants.js'
import { BlobEncoder } from './encoder.js'
import { PackWriter, readPackHeader } from './pack.js'
import type { FinishedPack } from './pack.js'
import { selectSnapshot } from '../snapshot-filter.js'
import type { SnapshotSelection } from '../snapshot-filter.js'
import { BlobType, Index, Manifest, RootPayload, RootRecord, Snapshot, Tree } from './pb/repo.js'
import type { BlobRef } from './pb/repo.js'
import type { BlobLoc, StateDb } from './state-db.js'

export interface RepositoryKeys {
  encryptionKey: Uint8Array
  blobIdKey: Uint8Array
  publicKey: Uint8Array
  ownerId: string
  sign: (data: Uint8Array) => Uint8Array
}

export interface RepositoryOptions {
  /** Compress blobs with zstd where it pays (default true). */
  compression?: boolean
  /** Bytes of blobs after which a pack is finished (default 16 MiB). */
  packTargetSize?: number
  /** Packs uploading at once (default 4). */
  uploadConcurrency?: number
  /** Compress and seal large data blobs on a worker thread where available (default true). */
  encoderThread?: boolean
}

export interface SnapshotInfo {
  id: string
  snapshot: Snapshot
  ref: BlobRef
}

export interface CommitResult {
  snapshotId: string
  seq: bigint
}

const MAX_INDEX_ENTRIES_PER_BLOB = 20_000
/** Data blobs from this size go to the encoder thread (smaller ones cost more to send). */
const OFFLOAD_MIN_SIZE = 64 * 1024
/** Blobs on the encoder thread at once (bounds memory: at most 8 × 8 MiB plaintext). */
const MAX_ENCODING = 8

export class Repository {
  readonly backend: Backend
  readonly keys: RepositoryKeys
  readonly state: StateDb
  private readonly compression: boolean
  private readonly packTarget: number
  private readonly concurrency: number
  private readonly writers = new Map<BlobType, PackWriter>()
  /** Blobs written to a writer or an in-flight upload but not yet durable, by hex ID. */
  private readonly pending = new Set<string>()
  private readonly inflight = new Set<Promise<void>>()
  private uploadError: unknown
  /** Bytes and packs written since the counters were last read. */
  stats = { packs: 0, storedBytes: 0, sealedBytes: 0 }
  private readonly encoder: BlobEncoder | undefined
  /** Blobs on the encoder thread. */
  private readonly encoding = new Set<Promise<void>>()

  constructor (backend: Backend, keys: RepositoryKeys, state: StateDb, options: RepositoryOptions = {}) {
    this.backend = backend
    this.keys = keys
    this.state = state
    this.compression = options.compression ?? true
    this.packTarget = options.packTargetSize ?? PACK_TARGET_SIZE
    this.concurrency = options.uploadConcurrency ?? 4
    this.encoder = options.encoderThread === false ? undefined : BlobEncoder.create(keys)
  }

  blobId (plaintext: Uint8Array): Buffer {
    return computeBlobId(this.keys, plaintext)
  }

  /** Known durable, or on its way. */
  hasBlob (id: Uint8Array): boolean {
    return this.pending.has(hex(id)) || this.state.hasBlob(id)
  }

  /**
   * Stores a blob unless it is already known; true when it was new. Resolves quickly: large data
   * blobs are compressed and sealed on the encoder thread, and the pack they land in becomes
   * durable later (see `flush`).
   */
  async saveBlob (type: BlobType.DATA | BlobType.TREE, id: Uint8Array, plaintext: Uint8Array): Promise<boolean> {
    this.throwIfUploadFailed()
    if (this.hasBlob(id)) return false
    if (plaintext.byteLength > BLOB_MAX_SIZE) {
      throw new InvalidArgumentError(`a ${type === BlobType.TREE ? 'directory listing' : 'blob'} of ${plaintext.byteLength} bytes exceeds the ${BLOB_MAX_SIZE}-byte limit`, {
        hint: 'split very large directories (hundreds of thousands of entries) into subfolders'
      })
    }
    this.pending.add(hex(id))
    const rawLength = plaintext.byteLength
    if (type === BlobType.DATA && this.encoder !== undefined && rawLength >= OFFLOAD_MIN_SIZE) {
      while (this.encoding.size >= MAX_ENCODING) await Promise.race(this.encoding)
      this.throwIfUploadFailed()
      // The caller's bytes may be a view into a reused buffer: the worker gets its own copy.
      const copy = Buffer.allocUnsafeSlow(rawLength)
      copy.set(plaintext)
      const p: Promise<void> = this.encoder.encode(id, copy, this.compression)
        .then(async (enc) => { await this.addSealed(type, id, enc.sealed, rawLength, enc.compressed) }, (err: unknown) => {
          this.pending.delete(hex(id)) // never reached a pack: a later run must store it again
          throw err
        })
        .catch((err: unknown) => { this.uploadError ??= err })
        .finally(() => { this.encoding.delete(p) })
      this.encoding.add(p)
      return true
    }
    const { sealed, compressed } = encodeBlob(this.keys, id, plaintext, this.compression)
    await this.addSealed(type, id, sealed, rawLength, compressed)
    return true
  }

  private async addSealed (type: BlobType, id: Uint8Array, sealed: Buffer, rawLength: number, compressed: boolean): Promise<void> {
    let writer = this.writers.get(type)
    if (writer === undefined) {
      writer = new PackWriter(type)
      this.writers.set(type, writer)
    }
    // Keep every pack under PACK_MAX_SIZE: a big blob does not join an already full-ish pack.
    if (writer.count > 0 && writer.byteLength + sealed.byteLength > PACK_MAX_SIZE / 2) await this.finishWriter(writer)
    writer.add(id, type, sealed, rawLength, compressed)
    this.stats.sealedBytes += sealed.byteLength
    // The entry cap bounds memory (and header size) for packs of many tiny blobs.
    if (writer.byteLength >= this.packTarget || writer.count >= PACK_MAX_ENTRIES) await this.finishWriter(writer)
  }

  private async finishWriter (writer: PackWriter): Promise<void> {
    if (writer.count === 0) return
    const pack = writer.finish(this.keys.encryptionKey)
    while (this.inflight.size >= this.concurrency) await Promise.race(this.inflight)
    this.throwIfUploadFailed()
    const p: Promise<void> = this.uploadPack(pack, false)
      .catch((err: unknown) => {
        // The pack's blobs are stored nowhere: forget them, so that the next run stores them again
        // instead of referencing blobs that no holder has (hasBlob would say "on its way").
        for (const e of pack.entries) this.pending.delete(hex(e.id))
        this.uploadError ??= err
      })
      .finally(() => { this.inflight.delete(p) })
    this.inflight.add(p)
  }

  private async uploadPack (pack: FinishedPack, indexed: boolean): Promise<void> {
    await this.backend.put(pack.id, pack.bytes)
    faultPoint('after-pack-put')
    this.state.addPack(pack.id, pack.type, pack.bytes.byteLength, pack.entries, indexed)
    for (const e of pack.entries) this.pending.delete(hex(e.id))
    this.stats.packs++
    this.stats.storedBytes += pack.bytes.byteLength
  }

  private throwIfUploadFailed (): void {
    if (this.uploadError !== undefined) throw this.uploadError
  }

  /**
   * After a failed or stopped run: waits for blobs still being encoded and packs still uploading,
   * drops the blobs of packs not yet finished, and clears the failure, so that the next run starts
   * clean. Whatever did become durable stays recorded and is reused; everything else is forgotten
   * (not pending), so the next run stores it again. Without this, one failed upload would fail
   * every later run, and its blobs would count as stored.
   */
  async discardUnsaved (): Promise<void> {
    await Promise.allSettled([...this.encoding])
    await Promise.allSettled([...this.inflight])
    // Nothing is in flight now: every blob still pending sits in an unfinished pack or was lost
    // with a failed one. None of them is stored anywhere.
    this.writers.clear()
    this.pending.clear()
    this.uploadError = undefined
  }

  /** Blobs saved but not yet durable (tests: a failed run must leave none). */
  get pendingBlobs (): number {
    return this.pending.size
  }

  /** Finishes open packs and waits until every blob saved so far is durable. */
  async flush (): Promise<void> {
    while (this.encoding.size > 0) await Promise.race(this.encoding)
    for (const writer of this.writers.values()) await this.finishWriter(writer)
    while (this.inflight.size > 0) await Promise.race(this.inflight)
    this.throwIfUploadFailed()
  }

  // ---- reading ----

  lookup (id: Uint8Array): BlobLoc | undefined {
    return this.state.getBlob(id)
  }

  /** Reads one blob through the store (a ranged read of its pack) and verifies it. */
  async loadBlob (id: Uint8Array): Promise<Buffer> {
    const loc = this.state.getBlob(id)
    if (loc === undefined) throw new ObjectNotFoundError(hex(id), { hint: 'the index does not know this blob: run `p2pbak check`' })
    const sealed = await this.backend.get(loc.pack, { offset: loc.offset, length: loc.length })
    return decodeBlob(this.keys, loc, sealed)
  }

  async loadRef (ref: BlobRef): Promise<Buffer> {
    if (!isPackId(ref.pack)) throw new CorruptObjectError('a blob reference names an invalid pack')
    const sealed = await this.backend.get(ref.pack, { offset: ref.offset, length: ref.length })
    return decodeBlob(this.keys, ref, sealed)
  }

  async loadTree (id: Uint8Array): Promise<Tree> {
    return decodeTree(await this.loadBlob(id))
  }

  // ---- committing ----

  /**
   * Makes a snapshot visible: flushes all packs, writes the index of every pack not yet indexed
   * and the snapshot into one pack, the new manifest into a second, then the signed root record.
   */
  async commitSnapshot (snapshot: Snapshot): Promise<CommitResult> {
    await this.flush()
    const current = await this.readRoot()
    const manifest = current === undefined ? emptyManifest() : await this.readManifest(current.payload)

    faultPoint('before-index')
    // Index blobs are built a pack at a time and sealed as they fill, so memory stays bounded by
    // one index blob however many blobs this run added; meta packs are finished at the target size.
    const indexedIds: string[] = []
    let meta = new PackWriter(BlobType.INDEX)
    const finishMeta = async (): Promise<void> => {
      const pack = meta.finish(this.keys.encryptionKey)
      await this.uploadPack(pack, true)
      for (const e of pack.entries) {
        const ref = { id: e.id, pack: pack.id, offset: e.offset, length: e.length, rawLength: e.rawLength, compressed: e.compressed, type: e.type }
        if (e.type === BlobType.INDEX) manifest.indexes.push(ref)
        else if (e.type === BlobType.SNAPSHOT) manifest.snapshots.push(ref)
      }
      meta = new PackWriter(BlobType.INDEX)
    }
    const addMeta = async (type: BlobType, plain: Uint8Array): Promise<Uint8Array> => {
      const id = this.blobId(plain)
      const { sealed, compressed } = encodeBlob(this.keys, id, plain, this.compression)
      if (meta.count > 0 && meta.byteLength + sealed.byteLength > this.packTarget) await finishMeta()
      meta.add(id, type, sealed, plain.byteLength, compressed)
      return id
    }
    let packs: Index['packs'] = []
    let entries = 0
    for (const row of this.state.unindexedPackRows()) {
      const p = { ...row, entries: this.state.packEntries(row.rowid) }
      if (entries > 0 && entries + p.entries.length > MAX_INDEX_ENTRIES_PER_BLOB) {
        await addMeta(BlobType.INDEX, Index.encode({ version: INDEX_FORMAT_VERSION, packs }))
        packs = []
        entries = 0
      }
      packs.push({ id: p.id, type: p.type, size: p.size, entries: p.entries })
      entries += p.entries.length
      indexedIds.push(p.id)
    }
    if (packs.length > 0) await addMeta(BlobType.INDEX, Index.encode({ version: INDEX_FORMAT_VERSION, packs }))
    const snapshotId = await addMeta(BlobType.SNAPSHOT, Snapshot.encode({ ...snapshot, version: SNAPSHOT_FORMAT_VERSION }))
    await finishMeta()
    faultPoint('after-meta-pack')

    const manifestRef = await this.writeManifest(manifest)
    faultPoint('before-root')
    const seq = await this.writeRoot(manifestRef, current?.seq)
    faultPoint('after-root')
    this.state.markIndexed(indexedIds)
    return { snapshotId: hex(snapshotId), seq }
  }

  private async writeManifest (manifest: Manifest): Promise<BlobRef> {
    const plain = Manifest.encode({ ...manifest, version: MANIFEST_FORMAT_VERSION })
    const id = this.blobId(plain)
    const w = new PackWriter(BlobType.MANIFEST)
    const { sealed, compressed } = encodeBlob(this.keys, id, plain, this.compression)
    w.add(id, BlobType.MANIFEST, sealed, plain.byteLength, compressed)
    const pack = w.finish(this.keys.encryptionKey)
    await this.uploadPack(pack, true)
    const e = pack.entries[0]!
    return { id: e.id, pack: pack.id, offset: e.offset, length: e.length, rawLength: e.rawLength, compressed: e.compressed, type: BlobType.MANIFEST }
  }

  /** Replaces the manifest without a new snapshot (used by forget/prune and key operations later). */
  async replaceManifest (manifest: Manifest): Promise<bigint> {
    const current = await this.readRoot()
    const ref = await this.writeManifest(manifest)
    return await this.writeRoot(ref, current?.seq)
  }

  private async writeRoot (manifest: BlobRef, currentSeq: bigint | undefined): Promise<bigint> {
    const known = BigInt((this.state.getMeta('root_seq') as string | undefined) ?? '0')
    const seq = (currentSeq !== undefined && currentSeq > known ? currentSeq : known) + 1n
    const payload = seal(this.keys.encryptionKey, RootPayload.encode({
      version: ROOT_FORMAT_VERSION, timeNs: BigInt(Date.now()) * 1_000_000n, manifest
    }), AAD_ROOT_PAYLOAD)
    const record: RootRecord = {
      version: ROOT_FORMAT_VERSION, ownerKey: Uint8Array.from(this.keys.publicKey), seq, payload, signature: new Uint8Array(0)
    }
    record.signature = Uint8Array.from(this.keys.sign(rootSignedBytes(record)))
    await this.backend.putRecord(rootRecordKey(this.keys.ownerId), RootRecord.encode(record))
    this.state.putMeta('root_seq', seq.toString())
    return seq
  }

  /**
   * The owner's current root record, verified: our key, a valid signature, and a sequence not
   * lower than the highest this state has seen (a rollback is an IntegrityError).
   */
  async readRoot (): Promise<{ seq: bigint, payload: RootPayload } | undefined> {
    const bytes = await this.backend.getRecord(rootRecordKey(this.keys.ownerId))
    if (bytes === undefined) return undefined
    const { record, payload } = openRootRecord(this.keys, bytes)
    const known = BigInt((this.state.getMeta('root_seq') as string | undefined) ?? '0')
    if (record.seq < known) {
      throw new IntegrityError(`the stored root record has sequence ${record.seq}, lower than ${known} seen before: a rollback`, [], {
        hint: 'a holder or the storage served an old root record; run `p2pbak check` and restore the newer record from another copy'
      })
    }
    if (record.seq > known) this.state.putMeta('root_seq', record.seq.toString())
    return { seq: record.seq, payload }
  }

  async readManifest (payload?: RootPayload): Promise<Manifest> {
    const p = payload ?? (await this.readRoot())?.payload
    if (p === undefined) return emptyManifest()
    if (p.manifest === undefined) throw new CorruptObjectError('root record has no manifest')
    let m: Manifest
    try {
      m = Manifest.decode(await this.loadRef(p.manifest), { limits: { snapshots: 1_000_000, indexes: 1_000_000 } })
    } catch (err) {
      if (err instanceof IntegrityError || err instanceof ObjectNotFoundError) throw err
      throw new CorruptObjectError('manifest does not decode', { cause: err })
    }
    if (m.version !== MANIFEST_FORMAT_VERSION) throw new UnsupportedVersionError(`manifest version ${m.version} is not supported`, { hint: 'upgrade p2pbak' })
    return m
  }

  async listSnapshots (): Promise<SnapshotInfo[]> {
    const manifest = await this.readManifest()
    const out: SnapshotInfo[] = []
    for (const ref of manifest.snapshots) {
      out.push({ id: hex(ref.id), snapshot: decodeSnapshot(await this.loadRef(ref)), ref })
    }
    out.sort((a, b) => (a.snapshot.timeNs < b.snapshot.timeNs ? -1 : a.snapshot.timeNs > b.snapshot.timeNs ? 1 : 0))
    return out
  }

  /**
   * A snapshot by `latest` (the newest of the configured set, or with filters the newest that
   * matches), full hex ID or unique prefix (at least 4 hex digits): daemon/snapshot-filter.ts.
   */
  async findSnapshot (spec: string, selection: SnapshotSelection = {}): Promise<SnapshotInfo> {
    return selectSnapshot(await this.listSnapshots(), spec, selection)
  }

  /**
   * Brings the local index up to date with the repository: packs named by committed index blobs,
   * then packs in the store unknown to both (a crash after a put, or a lost state DB), whose
   * headers are read and recorded so the next backup reuses them.
   */
  async syncIndex (): Promise<{ packsAdded: number }> {
    let added = 0
    const manifest = await this.readManifest()
    const indexed = new Set<string>()
    for (const ref of manifest.indexes) {
      const index = decodeIndex(await this.loadRef(ref))
      for (const p of index.packs) {
        indexed.add(p.id)
        if (!this.state.hasPack(p.id)) { this.state.addPack(p.id, p.type, p.size, p.entries, true); added++ }
      }
    }
    for await (const { id } of this.backend.list()) {
      if (this.state.hasPack(id) || indexed.has(id)) continue
      let header
      try {
        header = (await readPackHeader(this.backend, this.keys.encryptionKey, id)).header
      } catch {
        continue // another owner's pack, or damaged: `check` reports it
      }
      const { size } = await this.backend.stat(id)
      if (header.type === BlobType.DATA || header.type === BlobType.TREE) {
        this.state.addPack(id, header.type, size, header.entries, false)
        added++
      }
    }
    return { packsAdded: added }
  }

  async close (): Promise<void> {
    await Promise.allSettled([...this.encoding])
    await Promise.allSettled([...this.inflight])
    await this.encoder?.close()
  }
}

export function emptyManifest (): Manifest {
  return { version: MANIFEST_FORMAT_VERSION, snapshots: [], indexes: [] }
}

export function rootSignedBytes (r: RootRecord): Buffer {
  const seq = Buffer.alloc(8)
  seq.writeBigUInt64BE(r.seq)
  return Buffer.concat([ROOT_SIGNATURE_CONTEXT, r.ownerKey, seq, r.payload])
}

/** Decodes and verifies a root record without opening its payload (what a holder can check). */
export function verifyRootRecord (bytes: Uint8Array): RootRecord {
  let record: RootRecord
  try {
    record = RootRecord.decode(bytes)
  } catch (err) {
    throw new CorruptObjectError('root record does not decode', { cause: err })
  }
  if (record.version !== ROOT_FORMAT_VERSION) throw new UnsupportedVersionError(`root record version ${record.version} is not supported`, { hint: 'upgrade p2pbak' })
  if (record.ownerKey.byteLength !== 32 || record.signature.byteLength !== 64) throw new CorruptObjectError('root record has a malformed key or signature')
  if (!verifySignature(record.ownerKey, rootSignedBytes(record), record.signature)) {
    throw new IntegrityError('root record signature does not verify')
  }
  return record
}

export function openRootRecord (keys: { encryptionKey: Uint8Array, publicKey: Uint8Array }, bytes: Uint8Array): { record: RootRecord, payload: RootPayload } {
  const record = verifyRootRecord(bytes)
  if (!Buffer.from(record.ownerKey).equals(Buffer.from(keys.publicKey))) throw new IntegrityError('root record is signed by another owner')
  let plain: Buffer
  try {
    plain = open(keys.encryptionKey, record.payload, AAD_ROOT_PAYLOAD)
  } catch (err) {
    throw new IntegrityError('root record payload does not open with this owner\'s key', [], { cause: err })
  }
  let payload: RootPayload
  try {
    payload = RootPayload.decode(plain)
  } catch (err) {
    throw new CorruptObjectError('root record payload does not decode', { cause: err })
  }
  if (payload.version !== ROOT_FORMAT_VERSION) throw new UnsupportedVersionError(`root payload version ${payload.version} is not supported`, { hint: 'upgrade p2pbak' })
  return { record, payload }
}

export function decodeTree (plain: Uint8Array): Tree {
  // A real node takes well over 16 bytes (name, type, mode, times, size, inode...): bounding the
  // count by the input size keeps a hostile tree of empty nodes from costing ~400 bytes of heap
  // per input byte.
  if (plain.byteLength > BLOB_MAX_SIZE) throw new CorruptObjectError(`tree of ${plain.byteLength} bytes exceeds the ${BLOB_MAX_SIZE}-byte limit`)
  try {
    return Tree.decode(plain, { limits: { nodes: Math.floor(plain.byteLength / 16) + 1 } })
  } catch (err) {
    throw new CorruptObjectError('tree does not decode', { cause: err })
  }
}

export function encodeTree (tree: Tree): Uint8Array {
  return Tree.encode(tree)
}

export function decodeSnapshot (plain: Uint8Array): Snapshot {
  let s: Snapshot
  try {
    s = Snapshot.decode(plain)
  } catch (err) {
    throw new CorruptObjectError('snapshot does not decode', { cause: err })
  }
  if (s.version !== SNAPSHOT_FORMAT_VERSION) throw new UnsupportedVersionError(`snapshot version ${s.version} is not supported`, { hint: 'upgrade p2pbak' })
  if (s.tree.byteLength !== 32) throw new CorruptObjectError('snapshot has no root tree')
  return s
}

export function decodeIndex (plain: Uint8Array): Index {
  let idx: Index
  try {
    idx = Index.decode(plain)
  } catch (err) {
    throw new CorruptObjectError('index does not decode', { cause: err })
  }
  if (idx.version !== INDEX_FORMAT_VERSION) throw new UnsupportedVersionError(`index version ${idx.version} is not supported`, { hint: 'upgrade p2pbak' })
  for (const p of idx.packs) {
    if (!isPackId(p.id)) throw new CorruptObjectError('index names an invalid pack ID')
    for (const e of p.entries) if (e.id.byteLength !== 32) throw new CorruptObjectError('index lists a malformed blob ID')
  }
  return idx
}

export function defaultSnapshotFields (): Pick<Snapshot, 'hostname' | 'timeNs'> {
  return { hostname: hostname(), timeNs: BigInt(Date.now()) * 1_000_000n }
}

