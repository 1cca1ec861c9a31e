// Backup sets and snapshot selection (docs/format.md §7 "Backup sets"): a set is its sorted paths
// plus its sorted tags; restic's --path / --tag / --host filters; `latest` is the newest snapshot
// of the configured set unless filters say otherwise, with the fallbacks for a fresh machine and
// for snapshots written before the origin was recorded.
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, SnapshotNotFoundError } from '../../../daemon/errors.js'
import { Snapshot, SnapshotOrigin } from '../../../daemon/repository/pb/repo.js'
import {
  filterSnapshots, groupBySet, isOfConfiguredSet, latestOfConfiguredSet, matchesFilter, normalizeSetPaths, originFor,
  parseTagFilter, resolveFilterPaths, resolveLatest, selectSnapshot, setId, setKey, snapshotSetId
} from '../../../daemon/snapshot-filter.js'
import type { SelectableSnapshot } from '../../../daemon/snapshot-filter.js'

const { ORIGIN_UNRECORDED: UNRECORDED, ORIGIN_CONFIGURED: CONFIGURED, ORIGIN_AD_HOC: AD_HOC } = SnapshotOrigin

let clock = 0
/** A listed snapshot; each one made is a second newer than the last (listSnapshots order). */
function snap (id: string, paths: string[], o: { tags?: string[], host?: string, origin?: SnapshotOrigin } = {}): SelectableSnapshot {
  clock++
  return {
    id,
    snapshot: {
      version: 1, timeNs: BigInt(clock) * 1_000_000_000n, hostname: o.host ?? 'laptop', owner: 'alice',
      paths: paths.map(p => Buffer.from(p)), tags: o.tags ?? [], parent: new Uint8Array(0), tree: new Uint8Array(32),
      origin: o.origin ?? UNRECORDED
    }
  }
}

const DOCS = ['/home/alice/Pictures', '/home/alice/Documents']

describe('set identity', () => {
  it('is the sorted paths plus the sorted tags: order and duplicates do not matter', () => {
    expect(setKey(['/b', '/a'], ['y', 'x', 'y'])).toBe(setKey(['/a', '/b'], ['x', 'y']))
    expect(setId(['/b', '/a'], ['y', 'x'])).toBe(setId(['/a', '/b'], ['x', 'y']))
    expect(setId(['/a'], [])).toMatch(/^[0-9a-f]{8}$/)
    expect(setId(['/a'], ['t'])).not.toBe(setId(['/a'], []))
    expect(setId(['/a', '/b'], [])).not.toBe(setId(['/a'], []))
    expect(snapshotSetId(snap('1', ['/a', '/b'], { tags: ['t'] }).snapshot)).toBe(setId(['/b', '/a'], ['t']))
  })

  it('paths are normalised as the archiver stores them: resolved, nested ones dropped, sorted', () => {
    expect(normalizeSetPaths(['/srv/x/', '/home/a', '/home/a/sub', '/srv/x/../y'])).toEqual(['/home/a', '/srv/x', '/srv/y'])
    expect(() => normalizeSetPaths(['relative'])).toThrow(InvalidArgumentError)
  })

  it('a backup is of the configured set when its paths are backup.paths and it has no tags', () => {
    expect(originFor([...DOCS].reverse(), [], DOCS)).toBe(CONFIGURED)
    expect(originFor(['/home/alice/Documents/', '/home/alice/Pictures', '/home/alice/Pictures/2026'], [], DOCS)).toBe(CONFIGURED)
    expect(originFor(DOCS, ['before-upgrade'], DOCS)).toBe(AD_HOC)
    expect(originFor(['/tmp/x'], [], DOCS)).toBe(AD_HOC)
    expect(originFor(['/home/alice/Documents'], [], DOCS)).toBe(AD_HOC)
    expect(originFor(DOCS, [], [])).toBe(AD_HOC) // nothing is configured: every backup is ad hoc
    expect(isOfConfiguredSet(snap('1', DOCS).snapshot, [...DOCS].reverse())).toBe(true)
    expect(isOfConfiguredSet(snap('2', DOCS, { tags: ['t'] }).snapshot, DOCS)).toBe(false)
    expect(isOfConfiguredSet(snap('3', DOCS).snapshot, [])).toBe(false)
  })

  it('the origin survives the protobuf round trip, and a snapshot without it reads as unrecorded', () => {
    const s = snap('1', DOCS, { origin: AD_HOC }).snapshot
    expect(Snapshot.decode(Snapshot.encode(s)).origin).toBe(AD_HOC)
    // The default is left out, so a snapshot written before field 10 existed has the same bytes as
    // an UNRECORDED one; a recorded origin is one more field at the end (tag 10 varint = 0x50).
    const old = Snapshot.encode({ ...s, origin: UNRECORDED })
    expect(Snapshot.decode(old).origin).toBe(UNRECORDED)
    expect(Buffer.from(Snapshot.encode(s))).toEqual(Buffer.concat([old, Buffer.from([0x50, 2])]))
  })
})

describe('filters (restic semantics)', () => {
  const s = snap('1', ['/home/a', '/srv/b'], { tags: ['daily', 'home'], host: 'laptop' }).snapshot

  it('--path: the snapshot includes every given path, compared after normalisation', () => {
    expect(matchesFilter(s, { paths: ['/home/a'] })).toBe(true)
    expect(matchesFilter(s, { paths: ['/home/a/', '/srv/b'] })).toBe(true)
    expect(matchesFilter(s, { paths: ['/home/a', '/tmp/x'] })).toBe(false)
    expect(matchesFilter(s, { paths: ['/home'] })).toBe(false) // a parent is not the backed-up path
    expect(resolveFilterPaths(['x', '/y'], '/home/a')).toEqual(['/home/a/x', '/y'])
  })

  it('--tag a,b needs both; repeated --tag needs any one of the lists', () => {
    expect(parseTagFilter(['daily,home', 'weekly', ' , '])).toEqual([['daily', 'home'], ['weekly']])
    expect(matchesFilter(s, { tags: [['daily', 'home']] })).toBe(true)
    expect(matchesFilter(s, { tags: [['daily', 'weekly']] })).toBe(false)
    expect(matchesFilter(s, { tags: [['weekly'], ['home']] })).toBe(true)
    expect(matchesFilter(s, { tags: [['weekly'], ['monthly']] })).toBe(false)
  })

  it('--host: any of the given hosts; every kind given must match', () => {
    expect(matchesFilter(s, { hosts: ['desktop', 'laptop'] })).toBe(true)
    expect(matchesFilter(s, { hosts: ['desktop'] })).toBe(false)
    expect(matchesFilter(s, { hosts: ['laptop'], paths: ['/home/a'], tags: [['daily']] })).toBe(true)
    expect(matchesFilter(s, { hosts: ['laptop'], paths: ['/home/a'], tags: [['nope']] })).toBe(false)
    expect(matchesFilter(s, {})).toBe(true)
    expect(matchesFilter(s, undefined)).toBe(true)
  })

  it('filterSnapshots keeps the order', () => {
    const all = [snap('a1', ['/a']), snap('b1', ['/b']), snap('a2', ['/a', '/b'])]
    expect(filterSnapshots(all, { paths: ['/a'] }).map(x => x.id)).toEqual(['a1', 'a2'])
    expect(filterSnapshots(all, undefined).map(x => x.id)).toEqual(['a1', 'b1', 'a2'])
  })
})

describe('latest', () => {
  it('is the newest snapshot of the configured set, not a newer ad-hoc one', () => {
    const all = [snap('c1', DOCS, { origin: CONFIGURED }), snap('c2', DOCS, { origin: CONFIGURED }), snap('x1', ['/tmp/x'], { origin: AD_HOC })]
    expect(resolveLatest(all, { configuredPaths: DOCS })?.id).toBe('c2')
    // A fresh machine knows no config: the recorded origin finds the same snapshot.
    expect(resolveLatest(all)?.id).toBe('c2')
    expect(selectSnapshot(all, 'latest').id).toBe('c2')
  })

  it('with filters it is the newest snapshot that matches them, whatever its set', () => {
    const all = [snap('c1', DOCS, { origin: CONFIGURED }), snap('x1', ['/tmp/x'], { origin: AD_HOC, tags: ['t'] }), snap('c2', DOCS, { origin: CONFIGURED })]
    expect(selectSnapshot(all, 'latest', { filter: { paths: ['/tmp/x'] }, configuredPaths: DOCS }).id).toBe('x1')
    expect(selectSnapshot(all, 'latest', { filter: { tags: [['t']] } }).id).toBe('x1')
    expect(selectSnapshot(all, 'latest', { filter: { paths: ['/home/alice/Documents'] } }).id).toBe('c2')
    expect(() => selectSnapshot(all, 'latest', { filter: { paths: ['/nowhere'] } })).toThrow(SnapshotNotFoundError)
    expect(() => selectSnapshot(all, 'latest', { filter: { paths: ['/nowhere'] } })).toThrow(/no snapshot matching --path \/nowhere/)
  })

  it('after backup.paths changed, the new set is the configured set; until its first backup, the previous one', () => {
    const NEW = ['/home/alice/Projects']
    const before = [snap('old1', DOCS, { origin: CONFIGURED }), snap('x', ['/tmp/x'], { origin: AD_HOC })]
    expect(resolveLatest(before, { configuredPaths: NEW })?.id).toBe('old1')
    const after = [...before, snap('new1', NEW, { origin: CONFIGURED }), snap('y', ['/tmp/y'], { origin: AD_HOC })]
    expect(resolveLatest(after, { configuredPaths: NEW })?.id).toBe('new1')
    expect(resolveLatest(after)?.id).toBe('new1')
  })

  it('snapshots from before the origin was recorded: the configured paths match them, else they count as before', () => {
    const old = [snap('u1', DOCS), snap('u2', ['/srv/other'])]
    expect(resolveLatest(old, { configuredPaths: DOCS })?.id).toBe('u1')
    expect(resolveLatest(old)?.id).toBe('u2') // no config, nothing recorded: the newest, as before
    // A newer ad-hoc snapshot does not displace them.
    const mixed = [...old, snap('x', ['/tmp/x'], { origin: AD_HOC })]
    expect(resolveLatest(mixed)?.id).toBe('u2')
    // Once a configured one is recorded, it wins over older unrecorded ones.
    expect(resolveLatest([...mixed, snap('c', ['/srv/other'], { origin: CONFIGURED }), snap('x2', ['/tmp/x'], { origin: AD_HOC })])?.id).toBe('c')
  })

  it('an owner with only ad-hoc snapshots: latest is the newest (unless status asks for the configured set only)', () => {
    const all = [snap('x1', ['/a'], { origin: AD_HOC }), snap('x2', ['/b'], { origin: AD_HOC })]
    expect(resolveLatest(all)?.id).toBe('x2')
    expect(latestOfConfiguredSet(all, DOCS)?.id).toBe('x2')
    expect(latestOfConfiguredSet(all, DOCS, { orNewest: false })).toBeUndefined()
    expect(latestOfConfiguredSet([], DOCS)).toBeUndefined()
    expect(() => selectSnapshot([], 'latest')).toThrow(/there are no snapshots yet/)
  })

  it('an ID or prefix is narrowed by the filters too: one that does not match them is not found', () => {
    const all = [snap('aaaa1111', DOCS, { origin: CONFIGURED }), snap('aaaa2222', ['/tmp/x'], { origin: AD_HOC })]
    expect(selectSnapshot(all, 'aaaa2').id).toBe('aaaa2222')
    expect(selectSnapshot(all, 'aaaa', { filter: { paths: ['/tmp/x'] } }).id).toBe('aaaa2222')
    expect(() => selectSnapshot(all, 'aaaa')).toThrow(/2 snapshots match aaaa/)
    expect(() => selectSnapshot(all, 'aaaa1', { filter: { paths: ['/tmp/x'] } })).toThrow(SnapshotNotFoundError)
    expect(() => selectSnapshot(all, 'zz')).toThrow(InvalidArgumentError)
  })
})

describe('groupBySet', () => {
  it('groups by host and set, each group oldest first, groups ordered by their newest snapshot', () => {
    const all = [
      snap('c1', DOCS, { origin: CONFIGURED }), snap('x1', ['/tmp/x'], { origin: AD_HOC }),
      snap('c2', [...DOCS].reverse(), { origin: CONFIGURED }), snap('d1', DOCS, { host: 'desktop' }),
      snap('x2', ['/tmp/x'], { origin: AD_HOC, tags: ['t'] })
    ]
    const groups = groupBySet(all)
    expect(groups.map(g => g.snapshots.map(s => s.id))).toEqual([['x1'], ['c1', 'c2'], ['d1'], ['x2']])
    expect(groups[1]).toMatchObject({ hostname: 'laptop', paths: [...DOCS].sort(), tags: [], set: setId(DOCS, []) })
    expect(groups[3]).toMatchObject({ tags: ['t'], set: setId(['/tmp/x'], ['t']) })
  })
})
