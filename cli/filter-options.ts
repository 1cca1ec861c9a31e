// The snapshot filters of `snapshots`, `ls` and `restore` (and `local …`), as in restic:
// `--path P` (repeatable: the snapshot's paths include every one), `--tag T[,T…]` (repeatable: any
// of the lists, each list all of its tags), `--host H` (repeatable: any). docs/format.md §7.
import type { Command } from 'commander'
import { parseTagFilter, resolveFilterPaths } from '../daemon/snapshot-filter.js'
import type { SnapshotFilter } from '../daemon/snapshot-filter.js'

export interface FilterOpts {
  path?: string[]
  tag?: string[]
  host?: string[]
}

const collect = (v: string, all: string[] = []): string[] => [...all, v]

export function addFilterOptions (cmd: Command): Command {
  return cmd
    .option('--path <path>', 'only snapshots whose backed-up paths include this one (repeat: all of them)', collect)
    .option('--tag <tag[,tag…]>', 'only snapshots with all these tags (repeat: any of the lists)', collect)
    .option('--host <hostname>', 'only snapshots made on this host (repeat: any of them)', collect)
}

/** The filter the options give, or undefined without any; relative paths are taken from `cwd`. */
export function filterFromOpts (o: FilterOpts, cwd: string): SnapshotFilter | undefined {
  const paths = resolveFilterPaths(o.path ?? [], cwd)
  const tags = parseTagFilter(o.tag ?? [])
  const hosts = o.host ?? []
  if (paths.length === 0 && tags.length === 0 && hosts.length === 0) return undefined
  return { ...(paths.length > 0 ? { paths } : {}), ...(tags.length > 0 ? { tags } : {}), ...(hosts.length > 0 ? { hosts } : {}) }
}
