// `p2pbak history`: the last backups (at most 20), oldest first: when, what asked for it, which
// paths, and how it ended (ok, incomplete: a snapshot without what could not be read, failed: no
// snapshot, with the error and what to do).
import type { Command } from 'commander'
import type { HistoryEntry } from '../../daemon/control/api.js'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, output } from '../context.js'
import type { CliIo } from '../io.js'

export function registerHistoryCommand (program: Command, io: CliIo): void {
  program.command('history')
    .description('the last 20 backups: when, scheduled or manual, paths, outcome (ok, incomplete, failed), snapshot, what was added, the error or the skipped paths')
    .action(async () => {
      const rows = await daemonClient(cliConfig(program, io)).history()
      output(program, io, rows, () => renderHistory(rows))
    })
}

const time = (t: string): string => t.replace('T', ' ').replace(/\.\d+Z$/, 'Z')

export function renderHistory (rows: HistoryEntry[]): string {
  if (rows.length === 0) return 'no backups yet\n'
  return rows.map((r) => {
    const secs = Math.max(0, (Date.parse(r.end) - Date.parse(r.start)) / 1000)
    const head = `${time(r.start)}  ${r.trigger.padEnd(9)}  ${r.outcome.padEnd(10)}  ${(r.snapshot ?? '-').slice(0, 8).padEnd(8)}  ${secs.toFixed(1)} s  ${r.paths.join(' ')}${r.tags.length > 0 ? `  [${r.tags.join(',')}]` : ''}\n`
    if (r.outcome === 'failed') {
      const e = r.error
      return head + (e === null ? '' : `    ${e.name}: ${e.message}\n${e.hint === undefined ? '' : `    hint: ${e.hint}\n`}`)
    }
    const added = `    ${r.filesNew} new, ${r.filesChanged} changed file(s); added ${formatBytes(r.bytesAdded)}\n`
    const skipped = r.skippedCount === 0
      ? ''
      : `    skipped ${r.skippedCount} path(s):\n${r.skipped.map(p => `      ${p.path}: ${p.reason}\n`).join('')}${r.skippedCount > r.skipped.length ? `      … and ${r.skippedCount - r.skipped.length} more\n` : ''}`
    return head + added + skipped
  }).join('')
}
