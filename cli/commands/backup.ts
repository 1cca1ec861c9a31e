// `p2pbak backup [paths…] [--tag T]`: asks the daemon for a backup now and follows its progress.
// With no paths and no tags, the configured set (backup.paths); otherwise an ad-hoc set of its own
// (docs/format.md §7 "Backup sets"). A backup already running for the same paths and tags is joined.
import type { Command } from 'commander'
import { resolve } from 'node:path'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, globals, output } from '../context.js'
import type { CliIo } from '../io.js'
import { progressView } from '../progress.js'
import { incompleteSnapshotEnd } from '../incomplete.js'

export function registerBackupCommand (program: Command, io: CliIo): void {
  program.command('backup')
    .description('back up now (default: the configured backup.paths) and wait until every pack has its replicas')
    .argument('[paths...]', 'folders or files to back up instead of backup.paths')
    .option('--tag <tag[,tag…]>', 'tags for the snapshot (repeat for more); with paths or tags the backup is ad hoc: it is a set of its own and does not move the schedule', (v: string, all: string[] = []) => [...all, ...v.split(',').map(t => t.trim()).filter(t => t !== '')])
    .action(async (paths: string[], o: { tag?: string[] }) => {
      const client = daemonClient(cliConfig(program, io))
      const view = progressView(io, globals(program).json === true)
      let joinedNote = ''
      try {
        const r = await client.backup({ paths: paths.map(p => resolve(io.cwd, p)), ...(o.tag === undefined ? {} : { tags: o.tag }) }, {
          onProgress: view.update,
          onQueued: (_id, joined) => { if (joined) joinedNote = ' (joined the backup that was already running)' }
        })
        view.stop()
        const s = r.summary
        output(program, io, r, `snapshot ${r.snapshot.slice(0, 8)} saved${joinedNote}\n` +
          `  files: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnmodified} unmodified (${s.totalFiles} in all, ${formatBytes(s.totalBytes)})\n` +
          `  read ${formatBytes(s.bytesRead)}, added ${formatBytes(s.bytesAdded)} (${formatBytes(s.bytesStored)} stored) in ${s.packsAdded} pack(s), ${(s.durationMs / 1000).toFixed(1)} s\n` +
          (r.degradedPacks > 0 ? `  warning: ${r.degradedPacks} pack(s) have fewer replicas than wanted (too few peers online); see \`p2pbak status\`\n` : '') +
          (s.warnings.length > 0 ? `  ${s.warnings.length} warning(s):\n${s.warnings.slice(0, 10).map(w => `    ${w}\n`).join('')}` : ''))
        // The snapshot exists, but lacks what could not be read: say so, and exit 24.
        if (r.skippedCount > 0) throw incompleteSnapshotEnd(io, globals(program).json === true, r.snapshot, r.skipped, r.skippedCount)
      } finally {
        view.stop()
      }
    })
}
