// `p2pbak check [--read-data]`: verifies this owner's repository as stored on the peers, with a
// progress bar on a terminal (packs done of total; with --read-data bytes, rate and ETA).
import type { Command } from 'commander'
import { CheckFailedError } from './local.js'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, globals, output } from '../context.js'
import type { CliIo } from '../io.js'
import { progressView } from '../progress.js'

export function registerCheckCommand (program: Command, io: CliIo): void {
  program.command('check')
    .description('verify snapshots, trees and the index; --read-data also fetches and verifies every pack from the peers')
    .option('--read-data', 'fetch every pack and verify every blob')
    .action(async (o: { readData?: boolean }) => {
      const client = daemonClient(cliConfig(program, io))
      const view = progressView(io, globals(program).json === true, { unit: 'packs' })
      let r
      try {
        r = await client.check({ readData: o.readData === true }, { onProgress: view.update })
      } finally {
        view.stop()
      }
      output(program, io, r,
        `${r.snapshots} snapshots, ${r.packs} packs, ${r.blobs} blobs${o.readData === true ? `, ${formatBytes(r.bytesRead)} read` : ''}\n` +
        (r.ok ? 'no problems found\n' : r.problems.map(p => `  ${p.kind}: ${p.message}${p.paths !== undefined && p.paths.length > 0 ? `\n    affects: ${p.paths.join(', ')}` : ''}\n`).join('')))
      if (!r.ok) throw new CheckFailedError(`the check found ${r.problems.length} problem(s)`, { hint: 'the files listed are affected; back them up again with `p2pbak backup`' })
    })
}
