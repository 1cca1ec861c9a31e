// `p2pbak snapshots` and `p2pbak ls SNAPSHOT [path]`.
import type { Command } from 'commander'
import { resolve } from 'node:path'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, output } from '../context.js'
import type { CliIo } from '../io.js'

export function registerSnapshotCommands (program: Command, io: CliIo): void {
  program.command('snapshots')
    .description('list this owner\'s snapshots')
    .action(async () => {
      const rows = await daemonClient(cliConfig(program, io)).snapshots()
      output(program, io, rows, () => rows.length === 0
        ? 'no snapshots yet\n'
        : rows.map(r => `${r.id.slice(0, 8)}  ${r.time.replace('T', ' ').replace(/\.\d+Z$/, '')}  ${r.hostname}  ${r.paths.join(' ')}  ${r.files} files  ${formatBytes(r.bytes)}${r.tags.length > 0 ? `  [${r.tags.join(',')}]` : ''}\n`).join(''))
    })

  program.command('ls')
    .description('list the files of a snapshot')
    .argument('<snapshot>', 'snapshot ID (or a unique prefix), or "latest"')
    .argument('[path]', 'only this path of the snapshot and what is below it (a relative path is taken from the current folder)', '/')
    .action(async (snapshot: string, path: string) => {
      const entries = await daemonClient(cliConfig(program, io)).ls(snapshot, resolve(io.cwd, path))
      output(program, io, entries, () => entries.map(e => `${e.type.padEnd(7)} ${e.mode.padStart(4)} ${String(e.size).padStart(12)}  ${e.mtime.replace('T', ' ').replace(/\.\d+Z$/, '')}  ${e.path}\n`).join(''))
    })
}
