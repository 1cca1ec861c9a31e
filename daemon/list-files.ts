// The entries of a snapshot below a path, depth first (`p2pbak ls` and `p2pbak local ls`).
import { NothingMatchedError } from './errors.js'
import { NodeType } from './repository/pb/repo.js'
import type { Repository, SnapshotInfo } from './repository/repository.js'
import { rfc3339FromNs } from './time.js'

/** `mtime`: RFC 3339 with nanoseconds (daemon/time.ts). */
export interface ListedEntry { path: string, type: string, size: number, mode: string, mtime: string }

export async function listFiles (repo: Repository, snap: SnapshotInfo, path: string | undefined): Promise<ListedEntry[]> {
  const prefix = '/' + (path ?? '/').replace(/^\/+|\/+$/g, '')
  const entries: ListedEntry[] = []
  const walk = async (tree: Uint8Array, dir: string): Promise<void> => {
    for (const n of (await repo.loadTree(tree)).nodes) {
      const p = (dir === '/' ? '' : dir) + '/' + Buffer.from(n.name).toString()
      const inside = prefix === '/' || p === prefix || p.startsWith(prefix + '/')
      if (inside) {
        entries.push({ path: p, type: n.type.toLowerCase(), size: n.size, mode: n.mode.toString(8), mtime: rfc3339FromNs(n.mtimeNs) })
      }
      // Only folders on the way to the prefix, or inside it, are opened.
      if (n.type === NodeType.DIR && (inside || prefix.startsWith(p + '/'))) await walk(n.subtree, p)
    }
  }
  await walk(snap.snapshot.tree, '/')
  if (prefix !== '/' && entries[0]?.path !== prefix) {
    throw new NothingMatchedError(`${prefix} is not in snapshot ${snap.id.slice(0, 8)}`, {
      hint: `paths are the absolute paths that were backed up (a relative one is taken from the current folder); \`p2pbak ls ${snap.id.slice(0, 8)}\` lists them all`
    })
  }
  return entries
}
