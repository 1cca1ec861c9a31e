// Offloads compressing and sealing of data blobs to a worker thread (encode-worker.ts). Only
// when the compiled worker is there (dist/): under the test runner, which runs the TypeScript
// sources, blobs are encoded on the calling thread by the same function.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { BlobKeys, EncodedBlob } from './blob.js'
import type { EncodeReply } from './encode-worker.js'

export class BlobEncoder {
  private readonly worker: Worker
  private seq = 0
  private readonly waiting = new Map<number, { resolve: (r: EncodedBlob) => void, reject: (e: Error) => void }>()

  private constructor (url: URL, keys: BlobKeys) {
    this.worker = new Worker(url, { workerData: { keys: { encryptionKey: keys.encryptionKey, blobIdKey: keys.blobIdKey } } })
    this.worker.unref()
    this.worker.on('message', (m: EncodeReply) => {
      const w = this.waiting.get(m.seq)
      if (w === undefined) return
      this.waiting.delete(m.seq)
      if ('error' in m) w.reject(new Error(`blob encoder: ${m.error}`))
      else w.resolve({ sealed: Buffer.from(m.sealed.buffer, m.sealed.byteOffset, m.sealed.byteLength), compressed: m.compressed })
    })
    this.worker.on('error', (err) => {
      for (const w of this.waiting.values()) w.reject(err)
      this.waiting.clear()
    })
  }

  /** A worker-backed encoder, or undefined where the compiled worker is not available. */
  static create (keys: BlobKeys): BlobEncoder | undefined {
    const url = new URL('./encode-worker.js', import.meta.url)
    if (!existsSync(fileURLToPath(url))) return undefined
    return new BlobEncoder(url, keys)
  }

  /** `plain` is transferred to the worker: the caller must not use it afterwards. */
  async encode (id: Uint8Array, plain: Uint8Array, compress: boolean): Promise<EncodedBlob> {
    const seq = this.seq++
    return await new Promise<EncodedBlob>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject })
      const own = plain.byteOffset === 0 && plain.buffer.byteLength === plain.byteLength
      this.worker.postMessage({ seq, id, plain, compress }, own ? [plain.buffer as ArrayBuffer] : [])
    })
  }

  async close (): Promise<void> {
    await this.worker.terminate()
  }
}
