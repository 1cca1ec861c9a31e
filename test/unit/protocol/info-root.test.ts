// info and root between two real libp2p nodes over TCP on 127.0.0.1, and handler registration.
import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import {
  INFO_PROTOCOL, MAX_RECORD_SIZE, MAX_ROOT_MESSAGE, PACK_DELETE_PROTOCOL, PACK_GET_PROTOCOL, PACK_HAS_PROTOCOL, PACK_PUT_PROTOCOL,
  PROTOCOL_VERSION, ROOT_PROTOCOL, getInfo, getRecord, putRecord, registerProtocols
} from '../../../protocol/index.js'
import { FrameReader, writeFrame } from '../../../protocol/framing.js'
import { createTestNode, stopNodes } from '../../harness/libp2p.js'
import { FakeHolder, FakeRecords } from './fakes.js'

const nodes: Libp2p[] = []
afterEach(async () => { await stopNodes(nodes) })

async function pair (): Promise<{ server: Libp2p, client: Libp2p, holder: FakeHolder, records: FakeRecords, peer: Multiaddr[], unregister: () => Promise<void> }> {
  const server = await createTestNode()
  const client = await createTestNode()
  nodes.push(server, client)
  const holder = new FakeHolder()
  const records = new FakeRecords()
  const unregister = await registerProtocols(server, { holder, records }, { agent: 'p2pbak/test' })
  return { server, client, holder, records, peer: server.getMultiaddrs(), unregister }
}

describe('info', () => {
  it('reports the holder figures, the wire version and the agent', async () => {
    const { client, holder, peer } = await pair()
    holder.quota = 5000
    expect(await getInfo(client, peer)).toEqual({ version: PROTOCOL_VERSION, free: 5000, quota: 5000, used: 0, domain: 'desk-1', agent: 'p2pbak/test', awayUntil: 0, leaving: false, ephemeral: false })
  })
})

describe('root', () => {
  it('puts and gets records; absent is undefined; the port may reject', async () => {
    const { client, records, peer } = await pair()
    expect(await getRecord(client, peer, 'root-abc')).toBeUndefined()
    const value = new Uint8Array(MAX_RECORD_SIZE).fill(3)
    expect(await putRecord(client, peer, 'root-abc', value)).toBe('stored')
    expect(records.records.get('root-abc')).toEqual(value)
    expect(await getRecord(client, peer, 'root-abc')).toEqual(value)
    expect(await putRecord(client, peer, 'root-abc', new Uint8Array([0xff, 1]))).toBe('rejected')
    expect(await getRecord(client, peer, 'root-abc')).toEqual(value)
  })

  it('refuses bad keys and oversized values before sending', async () => {
    const { client, peer } = await pair()
    await expect(putRecord(client, peer, 'Bad/Key', new Uint8Array(1))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(putRecord(client, peer, 'k', new Uint8Array(MAX_RECORD_SIZE + 1))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('answers BAD_REQUEST to a record request that breaks a rule', async () => {
    const { client, peer } = await pair()
    const { RootRequest } = await import('../../../protocol/pb/swarm.js')
    const { decodeRootResponse } = await import('../../../protocol/messages.js')
    const stream = await client.dialProtocol(peer, ROOT_PROTOCOL)
    const reader = new FrameReader(stream)
    await writeFrame(stream, RootRequest.encode({ op: RootRequest.Op.GET, key: '../etc' }))
    const reply = decodeRootResponse((await reader.read({ maxLength: MAX_ROOT_MESSAGE, what: 'RootResponse' }))!)
    expect(reply.status).toBe('bad-request')
    reader.dispose()
  })
})

describe('registration', () => {
  it('registers every protocol with its stream limits and unregisters them', async () => {
    const { server, client, peer, unregister } = await pair()
    const all = [INFO_PROTOCOL, PACK_PUT_PROTOCOL, PACK_GET_PROTOCOL, PACK_HAS_PROTOCOL, PACK_DELETE_PROTOCOL, ROOT_PROTOCOL]
    expect(server.getProtocols()).toEqual(expect.arrayContaining(all))
    await unregister()
    for (const p of all) expect(server.getProtocols()).not.toContain(p)
    await expect(getInfo(client, peer)).rejects.toThrow(/protocol/i)
  })

  it('resets streams beyond maxInboundStreams', async () => {
    const { server, client, peer } = await pair()
    await client.dial(peer)
    const inbound = (): number => server.getConnections().flatMap((c) => c.streams).filter((s) => s.protocol === INFO_PROTOCOL && s.direction === 'inbound').length
    // 16 stalled info streams fill the limit (libp2p counts after negotiation, so a burst
    // above the limit can get every stream of the burst reset: open them one by one)
    const stalled: Stream[] = []
    for (let i = 0; i < 16; i++) {
      const s = await client.dialProtocol(peer, INFO_PROTOCOL)
      s.send(new Uint8Array([5])) // a length prefix with no message: the handler waits
      stalled.push(s)
      await expect.poll(inbound, { timeout: 5_000 }).toBe(i + 1)
    }
    const extra: Stream | Error = await client.dialProtocol(peer, INFO_PROTOCOL).catch((err: Error) => err)
    if (!(extra instanceof Error)) {
      try { extra.send(new Uint8Array([5])) } catch {} // may be reset already
      await expect.poll(() => extra.status, { timeout: 5_000 }).not.toBe('open')
    }
    expect(stalled.every((s) => s.status === 'open')).toBe(true)
    expect(inbound()).toBe(16)
    for (const s of stalled) s.abort(new Error('test done'))
  })
})
