// In-memory ports for protocol tests. The fake holder verifies SHA-256 while streaming, as the
// real one must, and records what it saw so tests can assert on it.
import { createPublicKey, verify } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { deleteSignedBytes } from '../../../protocol/messages.js'
import { packIdHasher } from '../../../protocol/ids.js'
import type { AdmitDecision, HolderInfo, HolderPort, PackRead, PutAdmission, ReceiveOutcome, RecordPort, RemoveOutcome, RemoveRequest } from '../../../protocol/ports.js'
import type { ByteRange } from '../../../protocol/messages.js'

export function ed25519Verify (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' })
  return verify(null, data, key, signature)
}

export class FakeHolder implements HolderPort {
  readonly packs = new Map<string, { bytes: Uint8Array, owner: Uint8Array }>()
  quota = 1024 * 1024 * 1024
  domain = 'desk-1'
  /** Every byte any receive() pulled from its chunks. */
  bytesReceived = 0
  /** Pack IDs receive() reported durable. */
  readonly durable: string[] = []
  readonly receiveSignals: AbortSignal[] = []
  readonly receiveErrors: unknown[] = []
  /** Milliseconds to wait after each chunk: a slow disk. */
  chunkDelayMs = 0
  /** Largest chunk receive() was handed. */
  largestChunk = 0
  /** When set, receive() gives up with 'no-space' once this many bytes of a pack arrived (a full disk). */
  noSpaceAfter: number | undefined
  /** When set, read() announces this size instead of the true one (a lying holder). */
  lieAboutSize: number | undefined

  get used (): number {
    let n = 0
    for (const p of this.packs.values()) n += p.bytes.byteLength
    return n
  }

  async info (): Promise<HolderInfo> {
    return { free: this.quota - this.used, quota: this.quota, used: this.used, domain: this.domain }
  }

  async admit (req: PutAdmission): Promise<AdmitDecision> {
    if (this.packs.has(req.packId)) return 'already-held'
    if (this.used + req.size > this.quota) return 'quota-exceeded'
    return 'ready'
  }

  async receive (req: PutAdmission, chunks: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<ReceiveOutcome> {
    this.receiveSignals.push(signal)
    const hasher = packIdHasher()
    const parts: Uint8Array[] = []
    let total = 0
    try {
      for await (const chunk of chunks) {
        this.bytesReceived += chunk.byteLength
        this.largestChunk = Math.max(this.largestChunk, chunk.byteLength)
        hasher.update(chunk)
        parts.push(chunk.slice())
        total += chunk.byteLength
        if (this.noSpaceAfter !== undefined && total >= this.noSpaceAfter) return 'no-space'
        if (this.chunkDelayMs > 0) await delay(this.chunkDelayMs)
        signal.throwIfAborted()
      }
    } catch (err) {
      this.receiveErrors.push(err)
      throw err
    }
    if (total !== req.size) return 'size-mismatch'
    if (hasher.digest() !== req.packId) return 'hash-mismatch'
    this.packs.set(req.packId, { bytes: Buffer.concat(parts), owner: req.ownerKey })
    this.durable.push(req.packId)
    return 'durable'
  }

  async has (packIds: string[]): Promise<boolean[]> {
    return packIds.map((id) => this.packs.has(id))
  }

  async read (packId: string, range?: ByteRange): Promise<PackRead | undefined> {
    const pack = this.packs.get(packId)
    if (pack === undefined) return undefined
    const { offset, length } = range ?? { offset: 0, length: pack.bytes.byteLength }
    if (offset + length > pack.bytes.byteLength) throw new RangeError(`range ${offset}+${length} beyond ${pack.bytes.byteLength}`)
    const bytes = pack.bytes.subarray(offset, offset + length)
    async function * chunks (): AsyncGenerator<Uint8Array> {
      for (let o = 0; o < bytes.byteLength; o += 300_000) yield bytes.slice(o, o + 300_000)
    }
    return { size: this.lieAboutSize ?? bytes.byteLength, chunks: chunks() }
  }

  async remove (req: RemoveRequest): Promise<RemoveOutcome> {
    const pack = this.packs.get(req.packId)
    if (pack === undefined) return 'not-found'
    if (!ed25519Verify(req.ownerKey, deleteSignedBytes(req.packId, req.ownerKey, req.timeMs), req.signature)) return 'forbidden'
    if (Buffer.compare(Buffer.from(pack.owner), Buffer.from(req.ownerKey)) !== 0) return 'forbidden'
    this.packs.delete(req.packId)
    return 'deleted'
  }
}

export class FakeRecords implements RecordPort {
  readonly records = new Map<string, Uint8Array>()
  /** Values starting with this byte are rejected. */
  rejectByte = 0xff

  async put (key: string, value: Uint8Array): Promise<'stored' | 'rejected'> {
    if (value[0] === this.rejectByte) return 'rejected'
    this.records.set(key, value.slice())
    return 'stored'
  }

  async get (key: string): Promise<Uint8Array | undefined> {
    return this.records.get(key)
  }
}
