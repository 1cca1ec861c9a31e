// A worker thread that compresses and seals data blobs, so that the second core works while the
// main thread reads, chunks and hashes (docs/format.md §3). It runs the very same encodeBlob.
import { parentPort, workerData } from 'node:worker_threads'
import { encodeBlob } from './blob.js'
import type { BlobKeys } from './blob.js'

export interface EncodeRequest { seq: number, id: Uint8Array, plain: Uint8Array, compress: boolean }
export type EncodeReply = { seq: number, sealed: Uint8Array, compressed: boolean } | { seq: number, error: string }

const keys = (workerData as { keys: BlobKeys }).keys
parentPort?.on('message', (m: EncodeRequest) => {
  try {
    const { sealed, compressed } = encodeBlob(keys, m.id, m.plain, m.compress)
    // Transfer the output when it owns its memory (large buffers do; pooled small ones do not).
    const own = sealed.byteOffset === 0 && sealed.buffer.byteLength === sealed.byteLength
    parentPort!.postMessage({ seq: m.seq, sealed, compressed } satisfies EncodeReply, own ? [sealed.buffer as ArrayBuffer] : [])
  } catch (err) {
    parentPort!.postMessage({ seq: m.seq, error: (err as Error).message } satisfies EncodeReply)
  }
})
