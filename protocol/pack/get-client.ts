// /p2pbak/pack/get/1.0.0 client: fetches a whole pack or a range. The bytes are NOT verified
// against the pack ID here: callers check packIdOf(bytes) for whole packs.
import { DATA_FRAME, MAX_CONTROL_MESSAGE, MESSAGE_TIMEOUT_MS, PACK_GET_PROTOCOL } from '../constants.js'
import { ProtocolError } from '../errors.js'
import { abortOnSignal, asError, closeWrite, FrameReader, writeFrame } from '../framing.js'
import { decodeGetResponse, encodeGetRequest } from '../messages.js'
import { openStream } from '../rpc.js'
import type { ByteRange } from '../messages.js'
import type { ClientOptions, DialerNode, Peer } from '../rpc.js'

/**
 * The pack's bytes (or the range's), or undefined when the holder does not have it. Throws
 * ProtocolError BAD_RANGE when the range is not inside the pack, BAD_REQUEST when the holder
 * refused the request, SIZE_MISMATCH when the holder sends more or fewer bytes than it announced
 * (or than the range asked for), and the stream's error on resets and timeouts.
 */
export async function getPack (node: DialerNode, peer: Peer, packId: string, range?: ByteRange, options: ClientOptions = {}): Promise<Uint8Array | undefined> {
  const request = encodeGetRequest(range === undefined ? { packId } : { packId, range })
  const timeoutMs = options.timeoutMs ?? MESSAGE_TIMEOUT_MS
  const stream = await openStream(node, peer, PACK_GET_PROTOCOL, options)
  const unhook = abortOnSignal(stream, options.signal)
  const reader = new FrameReader(stream)
  try {
    await writeFrame(stream, request, timeoutMs)
    await closeWrite(stream, timeoutMs)
    const frame = await reader.read({ maxLength: MAX_CONTROL_MESSAGE, timeoutMs, what: 'GetResponse' })
    if (frame === undefined) throw new ProtocolError('UNEXPECTED_EOF', 'the holder closed the stream without GetResponse')
    const reply = decodeGetResponse(frame) // refuses size > MAX_PACK_SIZE
    switch (reply.status) {
      case 'not-found': return undefined
      case 'bad-range': throw new ProtocolError('BAD_RANGE', `range ${range?.offset}+${range?.length} is not inside pack ${packId}`)
      case 'bad-request': throw new ProtocolError('BAD_REQUEST', `the holder refused the request for ${packId}`)
      case 'ok': break
    }
    if (range !== undefined && reply.size !== range.length) {
      throw new ProtocolError('SIZE_MISMATCH', `the holder announced ${reply.size} bytes for a range of ${range.length}`)
    }
    // Collect what actually arrives rather than allocating the announced size up front.
    const parts: Uint8Array[] = []
    let received = 0
    while (received < reply.size) {
      const data = await reader.read({ maxLength: DATA_FRAME, timeoutMs, what: 'a data frame' })
      if (data === undefined) throw new ProtocolError('SIZE_MISMATCH', `the holder sent ${received} of the announced ${reply.size} bytes of ${packId}`)
      if (data.byteLength === 0) throw new ProtocolError('MALFORMED', 'an empty data frame')
      if (received + data.byteLength > reply.size) throw new ProtocolError('SIZE_MISMATCH', `the holder sent more than the announced ${reply.size} bytes of ${packId}`)
      parts.push(data)
      received += data.byteLength
    }
    await reader.end({ timeoutMs, what: `the announced ${reply.size} bytes of ${packId}` })
    return concat(parts, received)
  } catch (err) {
    stream.abort(asError(err))
    throw err
  } finally {
    unhook()
    reader.dispose()
  }
}

function concat (parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}
