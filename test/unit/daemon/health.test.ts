// What `status` says about the owner's data: each pack's state from its holders' liveness and
// failure domains, and the share of the latest snapshot the peers online now could restore.
import { describe, expect, it } from 'vitest'
import { classifyPacks, matchShards, packState, reachableNow, restorableShare, stripeState } from '../../../daemon/health.js'
import type { Footprint, PlacedPack } from '../../../daemon/health.js'
import type { Liveness } from '../../../daemon/peer-book.js'

// Six peers in three rooms; p5 and p6 left the office long ago.
const peers: Record<string, { liveness: Liveness, domain: string }> = {
  p1: { liveness: 'online', domain: 'room-a' },
  p2: { liveness: 'absent', domain: 'room-a' },
  p3: { liveness: 'online', domain: 'room-b' },
  p4: { liveness: 'absent', domain: 'room-c' },
  p5: { liveness: 'gone', domain: 'room-b' },
  p6: { liveness: 'gone', domain: 'room-c' }
}
const liveness = (p: string): Liveness => peers[p]?.liveness ?? 'gone'
const domainOf = (p: string): string => peers[p]?.domain ?? 'unknown'

describe('packState', () => {
  const state = (holders: string[], replicas = 3, domains = 3): string => packState(holders, replicas, liveness, domainOf, domains)

  it('counts holders that are not gone: an absent laptop still counts', async () => {
    expect(state(['p1', 'p3', 'p4'])).toBe('healthy')
    expect(state(['p2', 'p3', 'p4'])).toBe('healthy') // p2 and p4 are asleep, not gone
  })

  it('is lost with no holder left, at risk with exactly one, degraded with fewer than replicas', async () => {
    expect(state([])).toBe('lost')
    expect(state(['p5', 'p6'])).toBe('lost')
    expect(state(['p1'])).toBe('atRisk')
    expect(state(['p1', 'p5', 'p6'])).toBe('atRisk')
    expect(state(['p1', 'p3'])).toBe('degraded')
    expect(state(['p1', 'p3', 'p5'])).toBe('degraded')
    expect(state(['never-met', 'p1', 'p3'])).toBe('degraded') // an unknown peer is gone
  })

  it('is degraded with enough holders in too few failure domains', async () => {
    // p1 and p2 share room-a: three copies in two rooms while three rooms exist.
    expect(state(['p1', 'p2', 'p3'])).toBe('degraded')
    // A fourth copy in the missing room makes it healthy.
    expect(state(['p1', 'p2', 'p3', 'p4'], 3, 3)).toBe('healthy')
  })

  it('asks for no more domains than the swarm offers, and no more than replicas', async () => {
    // Only two rooms in the swarm: two rooms is the best spread there is.
    expect(state(['p1', 'p2', 'p3'], 3, 2)).toBe('healthy')
    // No domains configured (0) counts as one.
    expect(state(['p1', 'p2', 'p3'], 3, 0)).toBe('healthy')
    // Two replicas in two rooms is healthy even when the swarm has three rooms.
    expect(state(['p1', 'p3'], 2, 3)).toBe('healthy')
    // Two replicas in the same room, with other rooms available, is not.
    expect(state(['p1', 'p2'], 2, 3)).toBe('degraded')
  })

  it('with replicas = 1 one holder not gone is healthy', async () => {
    expect(state(['p1'], 1)).toBe('healthy')
    expect(state(['p2'], 1)).toBe('healthy')
    expect(state(['p1', 'p2'], 1)).toBe('healthy')
    expect(state(['p5'], 1)).toBe('lost')
  })
})

describe('stripes (erasure mode)', () => {
  const live = (gone: string[] = [], offline: string[] = []) => (p: string): Liveness => gone.includes(p) ? 'gone' : offline.includes(p) ? 'absent' : 'online'
  const six = [['a'], ['b'], ['c'], ['d'], ['e'], ['f']]

  it('healthy with six live holders of their own, degraded down to k + 1, at risk at k, lost below', () => {
    const stripe = { dataShards: 4, shards: six }
    expect(stripeState(stripe, live())).toBe('healthy')
    expect(stripeState(stripe, live(['a']))).toBe('degraded')
    expect(stripeState(stripe, live(['a', 'b']))).toBe('atRisk')
    expect(stripeState(stripe, live(['a', 'b', 'c']))).toBe('lost')
    expect(stripeState(stripe, live([], ['a', 'b', 'c']))).toBe('healthy') // absent laptops still count
  })

  it('two shards on one holder count once: degraded, even with every shard present', () => {
    expect(stripeState({ dataShards: 4, shards: [['a'], ['a'], ['c'], ['d'], ['e'], ['f']] }, live())).toBe('degraded')
    // ... unless another holder keeps one of them: then each shard has a holder of its own.
    expect(stripeState({ dataShards: 4, shards: [['a'], ['a', 'b'], ['c'], ['d'], ['e'], ['f']] }, live())).toBe('healthy')
  })

  it('matchShards finds a holder of its own for each shard where one exists (not just the first listed)', () => {
    expect(matchShards([['x', 'y'], ['x'], ['z']])).toEqual(['y', 'x', 'z'])
    expect(matchShards([['x'], ['x'], []])).toEqual(['x', undefined, undefined])
  })

  it('reachable now with k shards on online holders', () => {
    const p: PlacedPack = { packId: 'p', size: 1, holders: ['a', 'b', 'c', 'd', 'e', 'f'], stripe: { dataShards: 4, shards: six } }
    expect(reachableNow(p, live([], ['a', 'b']))).toBe(true)
    expect(reachableNow(p, live([], ['a', 'b', 'c']))).toBe(false)
  })
})

describe('classifyPacks', () => {
  it('counts each state and the total', async () => {
    const packs: PlacedPack[] = [
      { packId: 'a', size: 1, holders: ['p1', 'p3', 'p4'] }, // healthy
      { packId: 'b', size: 1, holders: ['p2', 'p3', 'p4'] }, // healthy
      { packId: 'c', size: 1, holders: ['p1', 'p2', 'p3'] }, // degraded (domains)
      { packId: 'd', size: 1, holders: ['p1', 'p3'] }, // degraded (count)
      { packId: 'e', size: 1, holders: ['p4', 'p6'] }, // atRisk
      { packId: 'f', size: 1, holders: ['p5'] } // lost
    ]
    expect(classifyPacks(packs, 3, liveness, domainOf, 3)).toEqual({ total: 6, healthy: 2, degraded: 2, atRisk: 1, lost: 1 })
    expect(classifyPacks([], 3, liveness, domainOf, 3)).toEqual({ total: 0, healthy: 0, degraded: 0, atRisk: 0, lost: 0 })
  })

  it('takes any iterable', async () => {
    function * gen (): Iterable<PlacedPack> { yield { packId: 'x', size: 1, holders: ['p1'] } }
    expect(classifyPacks(gen(), 1, liveness, domainOf, 3)).toEqual({ total: 1, healthy: 1, degraded: 0, atRisk: 0, lost: 0 })
  })
})

describe('restorableShare', () => {
  const fp: Footprint = {
    snapshot: 'snap',
    groups: [
      { packs: ['t1', 'd1'], files: 10, bytes: 1000 },
      { packs: ['t1', 'd1', 'd2'], files: 5, bytes: 3000 }, // each file needs blobs in two data packs
      { packs: ['t1'], files: 2, bytes: 0 }, // empty files: only the tree pack
      { packs: ['t2', 'd3'], files: 3, bytes: 6000 }
    ],
    unreadFiles: 0,
    totalFiles: 20,
    totalBytes: 10_000
  }
  const reach = (...ids: string[]) => (id: string): boolean => ids.includes(id)

  it('counts a group only when every pack it needs is reachable', async () => {
    expect(restorableShare(fp, reach('t1', 'd1'))).toEqual({ files: 20, filesRestorable: 12, bytes: 10_000, bytesRestorable: 1000, share: 0.1 })
    expect(restorableShare(fp, reach('t1', 'd1', 'd2'))).toEqual({ files: 20, filesRestorable: 17, bytes: 10_000, bytesRestorable: 4000, share: 0.4 })
    expect(restorableShare(fp, reach('d1', 'd2', 'd3'))).toMatchObject({ filesRestorable: 0, bytesRestorable: 0, share: 0 }) // no trees, nothing
    expect(restorableShare(fp, () => true)).toEqual({ files: 20, filesRestorable: 20, bytes: 10_000, bytesRestorable: 10_000, share: 1 })
  })

  it('asks the predicate about the packs the groups need', async () => {
    const asked = new Set<string>()
    restorableShare(fp, (id) => { asked.add(id); return true })
    expect([...asked].sort()).toEqual(['d1', 'd2', 'd3', 't1', 't2'])
  })

  it('files whose tree could not be read count in the totals, not in what is restorable', async () => {
    const partial: Footprint = { ...fp, groups: [{ packs: ['t1'], files: 4, bytes: 400 }], unreadFiles: 6, totalFiles: 10, totalBytes: 1000 }
    expect(restorableShare(partial, () => true)).toEqual({ files: 10, filesRestorable: 4, bytes: 1000, bytesRestorable: 400, share: 0.4 })
  })

  it('with no bytes the share is by files; an empty snapshot is wholly restorable', async () => {
    const empties: Footprint = { snapshot: 's', groups: [{ packs: ['t1'], files: 3, bytes: 0 }, { packs: ['t2'], files: 1, bytes: 0 }], unreadFiles: 0, totalFiles: 4, totalBytes: 0 }
    expect(restorableShare(empties, reach('t1')).share).toBe(0.75)
    const nothing: Footprint = { snapshot: 's', groups: [], unreadFiles: 0, totalFiles: 0, totalBytes: 0 }
    expect(restorableShare(nothing, () => false)).toEqual({ files: 0, filesRestorable: 0, bytes: 0, bytesRestorable: 0, share: 1 })
  })

  it('clamps the share to 1 when the groups add up to more than the summary says', async () => {
    const over: Footprint = { snapshot: 's', groups: [{ packs: ['t1'], files: 3, bytes: 1500 }], unreadFiles: 0, totalFiles: 2, totalBytes: 1000 }
    const r = restorableShare(over, () => true)
    expect(r.share).toBe(1)
    expect(r.bytesRestorable).toBe(1500)
  })
})
