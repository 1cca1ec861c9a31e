// pack/put, get, has, delete between two real libp2p nodes over TCP on 127.0.0.1.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import {
  DATA_FRAME, MAX_CONTROL_MESSAGE, MAX_PACK_SIZE, PACK_GET_PROTOCOL, PACK_PUT_PROTOCOL, ProtocolError,
  deletePack, deleteSignedBytes, getPack, hasPacks, packIdOf, putPack, registerProtocols
} from '../../../protocol/index.js'
import { FrameReader, writeFrame, closeWrite } from '../../../protocol/framing.js'
import { decodePutReady, decodePutResult, encodeGetResponse, encodePutRequest } from '../../../protocol/messages.js'
import { createTestNode, stopNodes } from '../../harness/libp2p.js'
import { FakeHolder, FakeRecords } from './fakes.js'

const MiB = 1024 * 1024
const nodes: Libp2p[] = []
afterEach(async () => { await stopNodes(nodes) })

function ownerKeys (): { publicKey: Uint8Array, sign: (data: Uint8Array) => Uint8Array } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
  return { publicKey: new Uint8Array(raw), sign: (data) => new Uint8Array(sign(null, data, privateKey)) }
}

const owner = ownerKeys()

async function pair (options: { messageTimeoutMs?: number } = {}): Promise<{ client: Libp2p, holder: FakeHolder, peer: Multiaddr[] }> {
  const server = await createTestNode()
  const client = await createTestNode()
  nodes.push(server, client)
  const holder = new FakeHolder()
  await registerProtocols(server, { holder, records: new FakeRecords() }, options)
  return { client, holder, peer: server.getMultiaddrs() }
}

/** toEqual walks typed arrays element by element: far too slow for MiBs. */
function expectSameBytes (actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array)
  expect(actual!.byteLength).toBe(expected.byteLength)
  expect(Buffer.from(actual!.buffer, actual!.byteOffset, actual!.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(true)
}

function pack (size: number): { packId: string, bytes: Uint8Array } {
  const bytes = new Uint8Array(randomBytes(size))
  return { packId: packIdOf(bytes), bytes }
}

/** A hand-driven put: header, then whatever `send` does; returns the holder's answer or the error. */
async function rawPut (client: Libp2p, peer: Multiaddr[], size: number, packId: string, send: (stream: Stream) => Promise<void>): Promise<{ result?: string, error?: unknown, stream: Stream }> {
  const stream = await client.dialProtocol(peer, PACK_PUT_PROTOCOL)
  const reader = new FrameReader(stream)
  try {
    await writeFrame(stream, encodePutRequest({ packId, size, ownerKey: owner.publicKey }))
    const ready = decodePutReady((await reader.read({ maxLength: MAX_CONTROL_MESSAGE, what: 'PutReady' }))!)
    expect(ready.status).toBe('ready')
    await send(stream)
    const frame = await reader.read({ maxLength: MAX_CONTROL_MESSAGE, what: 'PutResult' })
    return { result: frame === undefined ? undefined : decodePutResult(frame).status, stream }
  } catch (error) {
    return { error, stream }
  } finally {
    reader.dispose()
  }
}

describe('pack/put and pack/get', () => {
  it('puts a pack, then has and get return it whole and in ranges', async () => {
    const { client, holder, peer } = await pair()
    const p = pack(3 * MiB + 17)
    const other = pack(100)

    expect(await hasPacks(client, peer, [p.packId, other.packId])).toEqual([false, false])
    expect(await putPack(client, peer, { ...p, ownerKey: owner.publicKey })).toEqual({ status: 'durable', message: '' })
    expect(holder.durable).toEqual([p.packId])
    expect(holder.largestChunk).toBeLessThanOrEqual(DATA_FRAME)

    expect(await hasPacks(client, peer, [p.packId, other.packId])).toEqual([true, false])
    expectSameBytes(await getPack(client, peer, p.packId), p.bytes)
    expectSameBytes(await getPack(client, peer, p.packId, { offset: 5, length: 2 * MiB }), p.bytes.subarray(5, 5 + 2 * MiB))
    expectSameBytes(await getPack(client, peer, p.packId, { offset: p.bytes.byteLength - 1, length: 1 }), p.bytes.subarray(-1))
    expect(await getPack(client, peer, p.packId, { offset: p.bytes.byteLength, length: 0 })).toEqual(new Uint8Array(0))
    await expect(getPack(client, peer, p.packId, { offset: p.bytes.byteLength, length: 1 })).rejects.toMatchObject({ name: 'ProtocolError', code: 'BAD_RANGE' })
  })

  it('moves a 40 MiB pack both ways byte-identical', async () => {
    const { client, peer } = await pair()
    const p = pack(40 * MiB)
    expect((await putPack(client, peer, { ...p, ownerKey: owner.publicKey })).status).toBe('durable')
    expectSameBytes(await getPack(client, peer, p.packId), p.bytes)
  })

  it('an empty pack is valid', async () => {
    const { client, peer } = await pair()
    const p = pack(0)
    expect((await putPack(client, peer, { ...p, ownerKey: owner.publicKey })).status).toBe('durable')
    expect(await getPack(client, peer, p.packId)).toEqual(new Uint8Array(0))
  })

  it('reports HASH_MISMATCH when the bytes do not hash to the pack ID', async () => {
    const { client, holder, peer } = await pair()
    const p = pack(2 * MiB)
    const wrong = p.bytes.slice()
    wrong[12345] = wrong[12345]! ^ 1
    expect((await putPack(client, peer, { packId: p.packId, bytes: wrong, ownerKey: owner.publicKey })).status).toBe('hash-mismatch')
    expect(holder.durable).toEqual([])
    expect(await hasPacks(client, peer, [p.packId])).toEqual([false])
  })

  it('ALREADY_HELD skips the transfer', async () => {
    const { client, holder, peer } = await pair()
    const p = pack(MiB)
    await putPack(client, peer, { ...p, ownerKey: owner.publicKey })
    const before = holder.bytesReceived
    expect((await putPack(client, peer, { ...p, ownerKey: owner.publicKey })).status).toBe('already-held')
    expect(holder.bytesReceived).toBe(before)
    expect(holder.durable).toEqual([p.packId])
  })

  it('QUOTA_EXCEEDED before any byte flows', async () => {
    const { client, holder, peer } = await pair()
    holder.quota = MiB
    const p = pack(MiB + 1)
    expect((await putPack(client, peer, { ...p, ownerKey: owner.publicKey })).status).toBe('quota-exceeded')
    expect(holder.bytesReceived).toBe(0)
    expect(holder.receiveSignals).toHaveLength(0)
  })

  it('answers early when the holder gives up mid-transfer, and the client stops sending', async () => {
    const { client, holder, peer } = await pair()
    holder.noSpaceAfter = 2 * MiB
    const p = pack(32 * MiB)
    expect((await putPack(client, peer, { ...p, ownerKey: owner.publicKey })).status).toBe('no-space')
    expect(holder.bytesReceived).toBeLessThan(32 * MiB)
    holder.noSpaceAfter = undefined
    expect((await putPack(client, peer, { ...p, ownerKey: owner.publicKey })).status).toBe('durable')
  })

  it('refuses a client that sends more bytes than it announced, inside the last frame or after it', async () => {
    const { client, holder, peer } = await pair()
    const p = pack(1000)
    const extra = new Uint8Array(1001)
    extra.set(p.bytes)

    const inFrame = await rawPut(client, peer, 1000, p.packId, async (s) => {
      await writeFrame(s, extra)
      await closeWrite(s)
    })
    expect(inFrame.result).toBe('size-mismatch')

    const afterFrame = await rawPut(client, peer, 1000, p.packId, async (s) => {
      await writeFrame(s, p.bytes)
      await writeFrame(s, new Uint8Array([1]))
      await closeWrite(s)
    })
    expect(afterFrame.result).toBe('size-mismatch')

    expect(holder.durable).toEqual([])
    expect(holder.packs.size).toBe(0)
  })

  it('refuses a client that sends fewer bytes than it announced', async () => {
    const { client, holder, peer } = await pair()
    const p = pack(1000)
    const short = await rawPut(client, peer, 1000, p.packId, async (s) => {
      await writeFrame(s, p.bytes.subarray(0, 999))
      await closeWrite(s)
    })
    expect(short.result).toBe('size-mismatch')
    expect(holder.durable).toEqual([])
  })

  it('aborts the stream on a malformed request and serves the next one', async () => {
    const { client, holder, peer } = await pair()
    const stream = await client.dialProtocol(peer, PACK_PUT_PROTOCOL)
    const reader = new FrameReader(stream)
    await writeFrame(stream, new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f])) // field 1, length far beyond the frame
    await expect(reader.read({ maxLength: MAX_CONTROL_MESSAGE, what: 'PutReady' })).rejects.toThrow()
    reader.dispose()
    expect(stream.status).not.toBe('open')

    const p = pack(MiB)
    expect((await putPack(client, peer, { ...p, ownerKey: owner.publicKey })).status).toBe('durable')
    expect(holder.durable).toEqual([p.packId])
  })

  it('answers BAD_REQUEST to a well-formed request that breaks a rule', async () => {
    const { client, peer } = await pair()
    const stream = await client.dialProtocol(peer, PACK_PUT_PROTOCOL)
    const reader = new FrameReader(stream)
    // the generated encoder does not validate: a 31-byte owner key
    const { PutRequest } = await import('../../../protocol/pb/swarm.js')
    await writeFrame(stream, PutRequest.encode({ packId: pack(1).packId, size: 1, ownerKey: new Uint8Array(31) }))
    const ready = decodePutReady((await reader.read({ maxLength: MAX_CONTROL_MESSAGE, what: 'PutReady' }))!)
    expect(ready.status).toBe('bad-request')
    expect(ready.message).toMatch(/owner_key/)
    reader.dispose()
  })

  it('refuses a request frame longer than MAX_CONTROL_MESSAGE', async () => {
    const { client, holder, peer } = await pair()
    const stream = await client.dialProtocol(peer, PACK_PUT_PROTOCOL)
    const reader = new FrameReader(stream)
    await writeFrame(stream, new Uint8Array(MAX_CONTROL_MESSAGE + 1))
    await expect(reader.read({ maxLength: MAX_CONTROL_MESSAGE, what: 'PutReady' })).rejects.toThrow()
    reader.dispose()
    expect(holder.receiveSignals).toHaveLength(0)
  })

  it('cuts off a client that stalls after the header', async () => {
    const { client, holder, peer } = await pair({ messageTimeoutMs: 300 })
    const p = pack(MiB)
    const started = Date.now()
    const stalled = await rawPut(client, peer, p.bytes.byteLength, p.packId, async (s) => {
      await writeFrame(s, p.bytes.subarray(0, 1000)) // part of a frame's worth, then nothing
    })
    expect(stalled.error).toBeDefined()
    expect(Date.now() - started).toBeLessThan(5_000)
    await expect.poll(() => holder.receiveSignals[0]?.aborted, { timeout: 5_000 }).toBe(true)
    expect(holder.receiveErrors[0]).toMatchObject({ name: 'ProtocolError', code: 'TIMEOUT' })
    expect(holder.durable).toEqual([])
  })

  it('a slow receiver takes a 64 MiB pack without its stream being reset', async () => {
    const { client, holder, peer } = await pair()
    holder.chunkDelayMs = 20 // 64 frames × 20 ms: ~50 MB/s, far slower than the sender
    const p = pack(MAX_PACK_SIZE)
    expect((await putPack(client, peer, { ...p, ownerKey: owner.publicKey })).status).toBe('durable')
    expect(holder.packs.get(p.packId)?.bytes.byteLength).toBe(MAX_PACK_SIZE)
  })

  it('refuses a pack larger than MAX_PACK_SIZE before dialling', async () => {
    const { client, peer } = await pair()
    await expect(putPack(client, peer, { packId: pack(1).packId, bytes: new Uint8Array(MAX_PACK_SIZE + 1), ownerKey: owner.publicKey }))
      .rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('get of an absent pack is undefined (NOT_FOUND)', async () => {
    const { client, peer } = await pair()
    expect(await getPack(client, peer, pack(10).packId)).toBeUndefined()
  })

  it('the handler resets the stream when its port serves another size than it announced', async () => {
    const { client, holder, peer } = await pair()
    const p = pack(100_000)
    await putPack(client, peer, { ...p, ownerKey: owner.publicKey })
    holder.lieAboutSize = 100_001
    await expect(getPack(client, peer, p.packId)).rejects.toThrow()
    holder.lieAboutSize = 99_999
    await expect(getPack(client, peer, p.packId)).rejects.toThrow()
  })
})

describe('pack/get client against a lying holder', () => {
  async function liar (serve: (stream: Stream) => Promise<void>): Promise<{ client: Libp2p, peer: Multiaddr[] }> {
    const server = await createTestNode()
    const client = await createTestNode()
    nodes.push(server, client)
    await server.handle(PACK_GET_PROTOCOL, async (stream) => {
      const reader = new FrameReader(stream)
      await reader.read({ maxLength: MAX_CONTROL_MESSAGE, what: 'GetRequest' })
      await serve(stream)
      await closeWrite(stream)
    })
    return { client, peer: server.getMultiaddrs() }
  }
  const id = packIdOf(new Uint8Array(10))

  it('refuses more bytes than announced', async () => {
    const { client, peer } = await liar(async (s) => {
      await writeFrame(s, encodeGetResponse({ status: 'ok', size: 10 }))
      await writeFrame(s, new Uint8Array(11))
    })
    await expect(getPack(client, peer, id)).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
  })

  it('refuses a frame after the announced bytes', async () => {
    const { client, peer } = await liar(async (s) => {
      await writeFrame(s, encodeGetResponse({ status: 'ok', size: 10 }))
      await writeFrame(s, new Uint8Array(10))
      await writeFrame(s, new Uint8Array(1))
    })
    await expect(getPack(client, peer, id)).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
  })

  it('refuses fewer bytes than announced', async () => {
    const { client, peer } = await liar(async (s) => {
      await writeFrame(s, encodeGetResponse({ status: 'ok', size: 10 }))
      await writeFrame(s, new Uint8Array(9))
    })
    await expect(getPack(client, peer, id)).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
  })

  it('refuses an announced size above MAX_PACK_SIZE', async () => {
    const { GetResponse } = await import('../../../protocol/pb/swarm.js')
    const { client, peer } = await liar(async (s) => {
      await writeFrame(s, GetResponse.encode({ status: GetResponse.Status.OK, size: MAX_PACK_SIZE + 1 }))
    })
    await expect(getPack(client, peer, id)).rejects.toMatchObject({ code: 'INVALID' })
  })

  it('refuses a range answer of another length than asked', async () => {
    const { client, peer } = await liar(async (s) => {
      await writeFrame(s, encodeGetResponse({ status: 'ok', size: 5 }))
      await writeFrame(s, new Uint8Array(5))
    })
    await expect(getPack(client, peer, id, { offset: 0, length: 4 })).rejects.toMatchObject({ code: 'SIZE_MISMATCH' })
  })

  it('refuses a data frame above DATA_FRAME', async () => {
    const { client, peer } = await liar(async (s) => {
      await writeFrame(s, encodeGetResponse({ status: 'ok', size: 2 * DATA_FRAME }))
      await writeFrame(s, new Uint8Array(DATA_FRAME + 1))
    })
    await expect(getPack(client, peer, id)).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' })
  })
})

describe('pack/has and pack/delete', () => {
  it('answers batches larger than MAX_HAS_BATCH in order', async () => {
    const { client, peer } = await pair()
    const p = pack(10)
    await putPack(client, peer, { ...p, ownerKey: owner.publicKey })
    const ids = Array.from({ length: 1500 }, (_, i) => packIdOf(new Uint8Array([i & 0xff, i >> 8, 1])))
    ids[1234] = p.packId
    const held = await hasPacks(client, peer, ids)
    expect(held).toHaveLength(1500)
    expect(held.filter(Boolean)).toHaveLength(1)
    expect(held[1234]).toBe(true)
  })

  it('deletes with a valid owner signature only', async () => {
    const { client, holder, peer } = await pair()
    const p = pack(1000)
    await putPack(client, peer, { ...p, ownerKey: owner.publicKey })
    const timeMs = Date.now()
    const signature = owner.sign(deleteSignedBytes(p.packId, owner.publicKey, timeMs))

    const forged = signature.slice()
    forged[0] = forged[0]! ^ 1
    expect(await deletePack(client, peer, { packId: p.packId, ownerKey: owner.publicKey, timeMs, signature: forged })).toBe('forbidden')
    const stranger = ownerKeys()
    expect(await deletePack(client, peer, { packId: p.packId, ownerKey: stranger.publicKey, timeMs, signature: stranger.sign(deleteSignedBytes(p.packId, stranger.publicKey, timeMs)) })).toBe('forbidden')
    expect(holder.packs.has(p.packId)).toBe(true)

    expect(await deletePack(client, peer, { packId: p.packId, ownerKey: owner.publicKey, timeMs, signature })).toBe('deleted')
    expect(holder.packs.has(p.packId)).toBe(false)
    expect(await deletePack(client, peer, { packId: p.packId, ownerKey: owner.publicKey, timeMs, signature })).toBe('not-found')
  })

  it('refuses a malformed delete locally, before sending', async () => {
    const { client, peer } = await pair()
    await expect(deletePack(client, peer, { packId: 'nope', ownerKey: owner.publicKey, timeMs: 1, signature: new Uint8Array(64) }))
      .rejects.toBeInstanceOf(ProtocolError)
  })
})
