// `p2pbak restore SNAPSHOT|latest --target DIR [--include PATH…]`: the daemon restores from the
// peers into a folder and reports what it could not restore exactly.
import type { Command } from 'commander'
import { resolve } from 'node:path'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, globals, output } from '../context.js'
import type { CliIo } from '../io.js'
import { progressView } from '../progress.js'

export function registerRestoreCommand (program: Command, io: CliIo): void {
  program.command('restore')
    .description('restore a snapshot into a folder, from the peers')
    .argument('<snapshot>', 'snapshot ID (or a unique prefix of it), or "latest"')
    .requiredOption('-t, --target <dir>', 'folder to restore into (created if needed)')
    .option('--include <path...>', 'only these paths of the snapshot (and what is below them)')
    .action(async (snapshot: string, o: { target: string, include?: string[] }) => {
      const client = daemonClient(cliConfig(program, io))
      const view = progressView(io, globals(program).json === true)
      try {
        const r = await client.restore({ snapshot, target: resolve(io.cwd, o.target), ...(o.include === undefined ? {} : { include: o.include }) }, { onProgress: view.update })
        view.stop()
        output(program, io, r,
          `restored snapshot ${r.snapshot.slice(0, 8)} into ${r.target}: ${r.files} files, ${r.dirs} folders, ${r.symlinks} symlinks, ${formatBytes(r.bytes)}\n` +
          r.warnings.slice(0, 10).map(w => `  warning: ${w}\n`).join(''))
      } finally {
        view.stop()
      }
    })
}
