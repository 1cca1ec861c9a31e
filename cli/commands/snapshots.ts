// `p2pbak snapshots` and `p2pbak ls SNAPSHOT [path]`, with restic's filters (--path, --tag, --host).
import type { Command } from 'commander'
import type { SnapshotRow } from '../../daemon/control/api.js'
import { resolve } from 'node:path'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, output } from '../context.js'
import { addFilterOptions, filterFromOpts } from '../filter-options.js'
import type { FilterOpts } from '../filter-options.js'
import type { CliIo } from '../io.js'

type Row = Pick<SnapshotRow, 'id' | 'time' | 'hostname' | 'paths' | 'tags' | 'files' | 'bytes' | 'set' | 'origin' | 'latest'>

const ORIGIN_TEXT: Record<SnapshotRow['origin'], string> = { configured: 'configured backup.paths', 'ad-hoc': 'ad hoc', unrecorded: 'made before sets were recorded' }

/** The listing grouped by backup set (and host), like `restic snapshots --group-by host,paths,tags`. */
export function formatSnapshotGroups (rows: Row[]): string {
  if (rows.length === 0) return 'no snapshots yet\n'
  const groups = new Map<string, Row[]>()
  for (const r of rows) {
    const key = `${r.hostname}\n${r.set}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  const out: string[] = []
  for (const g of groups.values()) {
    const newest = g.at(-1)!
    out.push(`set ${newest.set} on ${newest.hostname} (${ORIGIN_TEXT[newest.origin]}): ${newest.paths.join(' ')}${newest.tags.length > 0 ? `  tags ${newest.tags.join(',')}` : ''}\n`)
    for (const r of g) {
      out.push(`  ${r.id.slice(0, 8)}  ${r.time.replace('T', ' ').replace(/\.\d+Z$/, '')}  ${r.files} files  ${formatBytes(r.bytes)}${r.latest ? '  (latest)' : ''}\n`)
    }
  }
  return out.join('')
}

export function registerSnapshotCommands (program: Command, io: CliIo): void {
  addFilterOptions(program.command('snapshots'))
    .description('list this owner\'s snapshots by backup set; `latest` marks what `restore latest` takes with the same filters')
    .action(async (o: FilterOpts) => {
      const rows = await daemonClient(cliConfig(program, io)).snapshots(filterFromOpts(o, io.cwd))
      output(program, io, rows, () => formatSnapshotGroups(rows))
    })

  addFilterOptions(program.command('ls'))
    .description('list the files of a snapshot')
    .argument('<snapshot>', 'snapshot ID (or a unique prefix), or "latest" (of the configured set, or the newest matching the filters)')
    .argument('[path]', 'only this path of the snapshot and what is below it (a relative path is taken from the current folder)', '/')
    .action(async (snapshot: string, path: string, o: FilterOpts) => {
      const entries = await daemonClient(cliConfig(program, io)).ls(snapshot, resolve(io.cwd, path), filterFromOpts(o, io.cwd))
      output(program, io, entries, () => entries.map(e => `${e.type.padEnd(7)} ${e.mode.padStart(4)} ${String(e.size).padStart(12)}  ${e.mtime.replace('T', ' ').replace(/\.\d+Z$/, '')}  ${e.path}\n`).join(''))
    })
}
