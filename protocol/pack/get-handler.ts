// /p2pbak/pack/get/1.0.0 handler. Exchange: client → GetRequest; holder → GetResponse; if OK:
// exactly `size` bytes as data frames of 1..DATA_FRAME bytes, then the holder half-closes.
import { DATA_FRAME, MAX_CONTROL_MESSAGE, MAX_PACK_SIZE, PACK_GET_PROTOCOL } from '../constants.js'
import { isProtocolError, ProtocolError } from '../errors.js'
import { closeWrite, FrameReader, writeFrame } from '../framing.js'
import { decodeGetRequest, encodeGetResponse } from '../messages.js'
import { registerHandler } from '../rpc.js'
import type { GetQuery } from '../messages.js'
import type { HolderPort, PackRead } from '../ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from '../rpc.js'
import type { Stream } from '@libp2p/interface'

export async function registerGet (node: HandlerNode, port: Pick<HolderPort, 'read'>, options: HandlerOptions = {}): Promise<Unregister> {
  return await registerHandler(node, PACK_GET_PROTOCOL, async (stream, _connection, timeoutMs) => {
    await handleGet(stream, port, timeoutMs)
  }, options)
}

async function handleGet (stream: Stream, port: Pick<HolderPort, 'read'>, timeoutMs: number): Promise<void> {
  const reader = new FrameReader(stream)
  let query: GetQuery
  try {
    const frame = await reader.read({ maxLength: MAX_CONTROL_MESSAGE, timeoutMs, what: 'GetRequest' })
    if (frame === undefined) throw new ProtocolError('UNEXPECTED_EOF', 'the stream closed before GetRequest')
    try {
      query = decodeGetRequest(frame)
    } catch (err) {
      if (!isProtocolError(err, 'INVALID')) throw err
      await answer(stream, 'bad-request', timeoutMs)
      return
    }
  } finally {
    reader.dispose() // nothing more is read from the client
  }

  let read: PackRead | undefined
  try {
    read = await port.read(query.packId, query.range)
  } catch (err) {
    if (!(err instanceof RangeError)) throw err
    await answer(stream, 'bad-range', timeoutMs)
    return
  }
  if (read === undefined) {
    await answer(stream, 'not-found', timeoutMs)
    return
  }
  const size = read.size
  const expected = query.range?.length
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_PACK_SIZE || (expected !== undefined && size !== expected)) {
    throw new Error(`holder port returned size ${size} for ${query.packId}${expected === undefined ? '' : ` (range of ${expected})`}`)
  }

  await writeFrame(stream, encodeGetResponse({ status: 'ok', size }), timeoutMs)
  let sent = 0
  for await (const chunk of read.chunks) {
    if (sent + chunk.byteLength > size) throw new Error(`holder port served more than ${size} bytes of ${query.packId}`)
    for (let offset = 0; offset < chunk.byteLength; offset += DATA_FRAME) {
      await writeFrame(stream, chunk.subarray(offset, offset + DATA_FRAME), timeoutMs)
    }
    sent += chunk.byteLength
  }
  if (sent !== size) throw new Error(`holder port served ${sent} of ${size} bytes of ${query.packId}`)
  await closeWrite(stream, timeoutMs)
}

async function answer (stream: Stream, status: 'bad-request' | 'bad-range' | 'not-found', timeoutMs: number): Promise<void> {
  await writeFrame(stream, encodeGetResponse({ status, size: 0 }), timeoutMs)
  await closeWrite(stream, timeoutMs)
}
