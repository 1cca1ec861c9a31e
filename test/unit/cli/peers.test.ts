// `p2pbak peers` and `peers forget`: which peer a typed name means, and what the text shows.
import { describe, expect, it } from 'vitest'
import { localDate, renderForget, renderPeers } from '../../../cli/commands/peers.js'
import { renderStatus } from '../../../cli/commands/status.js'
import type { PeerRow, Status } from '../../../daemon/control/api.js'
import { resolvePeer } from '../../../daemon/forget-peer.js'

const ids = ['12D3KooWAbcdefAAAA1111', '12D3KooWAbcdefBBBB2222', '12D3KooWZzzzzzCCCC3333']
const book = { list: () => ids.map(peerId => ({ peerId })) } as unknown as Parameters<typeof resolvePeer>[0]

describe('resolvePeer', () => {
  it('takes a full ID, a unique prefix, or a unique suffix with or without the … that `peers` prints', () => {
    expect(resolvePeer(book, ids[1]!)).toBe(ids[1])
    expect(resolvePeer(book, '12D3KooWZ')).toBe(ids[2])
    expect(resolvePeer(book, '…BBBB2222')).toBe(ids[1])
    expect(resolvePeer(book, 'AAAA1111')).toBe(ids[0])
  })
  it('refuses an ambiguous, unknown or too short name with a hint', () => {
    expect(() => resolvePeer(book, '12D3KooWAbcdef')).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', message: expect.stringMatching(/matches 2 peers/) }))
    expect(() => resolvePeer(book, 'nobody')).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', hint: expect.stringMatching(/p2pbak peers/) }))
    expect(() => resolvePeer(book, '…22')).toThrow(/too short/)
  })
})

const row = (over: Partial<PeerRow>): PeerRow => ({
  peerId: '12D3KooWbobdesk00000001', addrs: ['/ip4/10.0.0.3/tcp/4701'], liveness: 'absent', lastSeen: new Date(Date.now() - 3 * 3600_000).toISOString(),
  free: 1e9, quota: 1e9, domain: 'desk', heldForThem: 0, heldForUs: 0, awayUntil: null, leaving: false, ...over
})

describe('peers text', () => {
  it('shows a planned absence and leaving beside the state', () => {
    const until = new Date(2026, 11, 20, 23, 59, 59).toISOString()
    const text = renderPeers([row({ awayUntil: until }), row({ peerId: '12D3KooWcarol0000000002', liveness: 'online', leaving: true })])
    expect(text).toMatch(/PLANS/)
    expect(text).toMatch(/…desk00000001 +absent +away until 2026-12-20 /)
    expect(text).toMatch(/…ol0000000002 +online +leaving /)
    expect(localDate(until)).toBe('2026-12-20')
  })
  it('forget warns with what the peer held of ours', () => {
    const text = renderForget({ peerId: 'P', liveness: 'gone', heldForUs: { packs: 12, bytes: 12 * 1024 * 1024 }, heldForThem: 0 })
    expect(text).toMatch(/holding 12 of your packs/)
    expect(renderForget({ peerId: 'P', liveness: 'gone', heldForUs: { packs: 0, bytes: 0 }, heldForThem: 0 })).not.toMatch(/warning/)
  })
})

describe('status text', () => {
  const base = {
    apiVersion: 1, verdict: 'warning', time: new Date().toISOString(),
    daemon: { version: '1', pid: 1, uptime: 1000, peerId: '12D3KooWself', listen: [], stateDir: '/s', swarmId: 'abc', awayUntil: null, leaving: false },
    swarm: { online: 2, absent: 0, gone: 0, goneAfter: 3600_000 },
    owner: null,
    storage: { offered: 1, used: 1, free: 0, packs: 12, domain: '' },
    operations: [],
    repair: {} as Status['repair'],
    problems: []
  } as unknown as Status
  it('says this machine is leaving and how many packs it still hands over', () => {
    expect(renderStatus({ ...base, daemon: { ...base.daemon, leaving: true } })).toMatch(/leaving\s+handing over 12 pack\(s\)/)
  })
  it('says until when this machine is away', () => {
    const until = new Date(2026, 11, 20, 23, 59, 59).toISOString()
    expect(renderStatus({ ...base, daemon: { ...base.daemon, awayUntil: until } })).toMatch(/away\s+until 2026-12-20/)
    expect(renderStatus(base)).not.toMatch(/away|leaving/)
  })
})
