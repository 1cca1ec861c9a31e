// What a daemon of the office keeps for others, read from its disk (not from any database).
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Machine } from '../../cli/office.js'

/** The objects (packs or shards) a machine holds: ID → file path. */
export function heldFiles (m: Machine): Map<string, string> {
  const dir = join(m.stateDir, 'packs', 'store', 'packs')
  const out = new Map<string, string>()
  if (!existsSync(dir)) return out
  for (const shard of readdirSync(dir)) for (const id of readdirSync(join(dir, shard))) if (!id.startsWith('.')) out.set(id, join(dir, shard, id))
  return out
}

/** Bytes of those objects. */
export function heldBytes (m: Machine): number {
  let n = 0
  for (const f of heldFiles(m).values()) n += statSync(f).size
  return n
}
