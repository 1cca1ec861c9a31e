import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { beforeAll, describe, expect, it } from 'vitest'
import { packIdOf } from '../../../protocol/ids.js'
import { choosePlacement, packKey, peerKey, rankPeers } from '../../../daemon/swarm/placement.js'
import type { Candidate } from '../../../daemon/swarm/placement.js'

let peers: string[]
const pack = packIdOf(Buffer.from('some pack'))

// Fixed identities: every ranking below is the same on every run (random keys made the "another
// pack, another order" check fail now and then).
beforeAll(async () => {
  peers = []
  for (let i = 0; i < 8; i++) peers.push(peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(i + 1))).toString())
})

const cands = (over: Partial<Candidate> = {}): Candidate[] => peers.map(p => ({ peerId: p, online: true, free: 1e9, domain: '', ...over }))

function xorLess (target: Buffer, a: Buffer, b: Buffer): boolean {
  for (let i = 0; i < 32; i++) if ((a[i]! ^ target[i]!) !== (b[i]! ^ target[i]!)) return (a[i]! ^ target[i]!) < (b[i]! ^ target[i]!)
  return false
}

describe('placement', () => {
  it('ranks by XOR distance of SHA-256 keys, deterministically', () => {
    const ranked = rankPeers(pack, cands()).map(c => c.peerId)
    const target = packKey(pack)
    for (let i = 1; i < ranked.length; i++) expect(xorLess(target, peerKey(ranked[i - 1]!), peerKey(ranked[i]!))).toBe(true)
    expect(rankPeers(pack, cands().reverse()).map(c => c.peerId)).toEqual(ranked)
    // Another pack gives another order (for these fixed peers and packs).
    const other = rankPeers(packIdOf(Buffer.from('another pack')), cands()).map(c => c.peerId)
    expect(other).not.toEqual(ranked)
  })

  it('takes the r nearest eligible peers, skipping the owner, offline and full peers', () => {
    const ranked = rankPeers(pack, cands()).map(c => c.peerId)
    const c = cands()
    c.find(x => x.peerId === ranked[0])!.online = false
    c.find(x => x.peerId === ranked[2])!.free = 10
    const p = choosePlacement(pack, 1000, c, { replicas: 3, owner: ranked[1]! })
    expect(p.holders).toEqual([ranked[3], ranked[4], ranked[5]])
    expect(p.degraded).toBe(false)
  })

  it('spreads replicas over failure domains, relaxing the rule only when there are too few', () => {
    const ranked = rankPeers(pack, cands()).map(c => c.peerId)
    const c = cands()
    // The three nearest share a room; the others are elsewhere.
    c.forEach(x => { x.domain = ranked.indexOf(x.peerId) < 3 ? 'room-a' : `room-${ranked.indexOf(x.peerId)}` })
    expect(choosePlacement(pack, 1, c, { replicas: 3, owner: 'nobody' }).holders).toEqual([ranked[0], ranked[3], ranked[4]])
    const two = cands()
    two.forEach(x => { x.domain = ranked.indexOf(x.peerId) % 2 === 0 ? 'a' : 'b' })
    const p = choosePlacement(pack, 1, two, { replicas: 3, owner: 'nobody' })
    expect(p.holders).toEqual([ranked[0], ranked[1], ranked[2]])
    expect(p.relaxedDomains).toBe(true)
  })

  it('reports degraded with fewer eligible peers than replicas', () => {
    const c = cands({ online: false })
    c[0]!.online = true
    const p = choosePlacement(pack, 1, c, { replicas: 3, owner: 'nobody' })
    expect(p.holders).toEqual([c[0]!.peerId])
    expect(p.degraded).toBe(true)
  })
})
