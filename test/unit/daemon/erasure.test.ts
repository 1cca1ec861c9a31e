// Reed-Solomon stripes (daemon/erasure.ts): every pattern of up to m lost shards rebuilds every
// shard and the pack; m + 1 losses are refused; a wrong shard is found, never decoded into wrong bytes.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { joinPack, isShardOf, rebuildShards, splitPack } from '../../../daemon/erasure.js'
import { packIdOf } from '../../../protocol/index.js'

function subsets (n: number, size: number): number[][] {
  if (size === 0) return [[]]
  const out: number[][] = []
  for (let first = 0; first < n; first++) {
    for (const rest of subsets(n, size - 1)) if (rest.every(r => r > first)) out.push([first, ...rest])
  }
  return out
}

describe('erasure coding', () => {
  it('4+2: each of the 15 two-shard losses (and every single loss) rebuilds all shards and the pack', async () => {
    const pack = randomBytes(100_003) // not a multiple of k or 8: the last data shard is padded
    const id = packIdOf(pack)
    const { stripe, shards } = await splitPack(id, pack, 4, 2)
    expect(stripe).toMatchObject({ packId: id, packSize: 100_003, dataShards: 4, parityShards: 2, shardSize: 25_008 })
    expect(shards.map((s, i) => isShardOf(stripe, i, s))).toEqual([true, true, true, true, true, true])
    // The data shards are the pack itself.
    expect(Buffer.concat(shards.slice(0, 4)).subarray(0, pack.length).equals(pack)).toBe(true)
    const patterns = [...subsets(6, 1), ...subsets(6, 2)]
    expect(patterns).toHaveLength(6 + 15)
    for (const lost of patterns) {
      const have = new Map(shards.map((s, i) => [i, Uint8Array.from(s)] as const).filter(([i]) => !lost.includes(i)))
      const rebuilt = await rebuildShards(stripe, have, lost)
      for (const i of lost) expect(Buffer.from(rebuilt.get(i)!).equals(Buffer.from(shards[i]!))).toBe(true)
      expect(Buffer.from(await joinPack(stripe, have)).equals(pack)).toBe(true)
    }
  })

  it('10+4 and 1+1 round-trip, including packs smaller than a shard', async () => {
    for (const [k, m, size] of [[10, 4, 5_000_000], [1, 1, 1], [4, 2, 3], [24, 6, 777]] as const) {
      const pack = randomBytes(size)
      const { stripe, shards } = await splitPack(packIdOf(pack), pack, k, m)
      // lose the first m shards (all data shards when k ≤ m)
      const have = new Map(shards.map((s, i) => [i, s] as const).filter(([i]) => i >= m))
      expect(Buffer.from(await joinPack(stripe, have)).equals(pack)).toBe(true)
    }
  })

  it('refuses to rebuild from fewer than k shards', async () => {
    const pack = randomBytes(4096)
    const { stripe, shards } = await splitPack(packIdOf(pack), pack, 4, 2)
    const have = new Map([[0, shards[0]!], [4, shards[4]!], [5, shards[5]!]])
    await expect(joinPack(stripe, have)).rejects.toMatchObject({ name: 'IntegrityError', message: expect.stringMatching(/3 of the 4 shards/) })
  })

  it('a stripe whose shards do not belong together is an IntegrityError, not wrong bytes', async () => {
    const a = randomBytes(4096)
    const b = randomBytes(4096)
    const sa = await splitPack(packIdOf(a), a, 4, 2)
    const sb = await splitPack(packIdOf(b), b, 4, 2)
    // shard 1 from another pack, passed in as if it were this stripe's
    const have = new Map([[0, sa.shards[0]!], [1, sb.shards[1]!], [2, sa.shards[2]!], [4, sa.shards[4]!]])
    expect(isShardOf(sa.stripe, 1, sb.shards[1]!)).toBe(false)
    await expect(rebuildShards(sa.stripe, have, [3])).rejects.toMatchObject({ name: 'IntegrityError' })
    await expect(joinPack(sa.stripe, have)).rejects.toMatchObject({ name: 'IntegrityError' })
  })
})
