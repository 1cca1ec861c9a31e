// `p2pbak away` and `p2pbak leave`: what this machine tells the office about its plans.
//   away --for 2w | --until 2026-12-24 | --cancel: a planned absence. Colleagues' daemons do not
//     count it as gone (and do not rebuild its copies elsewhere) before it ends.
//   leave [--cancel]: leaving the office for good. The daemon hands every pack it holds for others
//     to another peer, then keeps nothing; peers count it as gone as soon as it disconnects.
import type { Command } from 'commander'
import { parseDuration } from '../../config/index.js'
import { InvalidArgumentError } from '../../daemon/errors.js'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, globals, output } from '../context.js'
import type { CliIo } from '../io.js'
import { formatDuration, progressView } from '../progress.js'

/** "2026-12-24", "2026-12-24T18:00", an ISO time with a zone → ms since the epoch (a bare date means its end, local time). */
export function parseUntil (text: string, now = Date.now()): number {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  const t = day !== null ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 23, 59, 59).getTime() : Date.parse(text)
  if (!Number.isFinite(t)) {
    throw new InvalidArgumentError(`"${text}" is not a date`, { hint: 'write a date like 2026-12-24 or 2026-12-24T18:00, or use --for 2w' })
  }
  if (t <= now) throw new InvalidArgumentError(`${new Date(t).toISOString()} is in the past`, { hint: 'give the date you will be back' })
  return t
}

export function registerAwayCommands (program: Command, io: CliIo): void {
  program.command('away')
    .description('announce a planned absence (holiday, travel): until it ends, colleagues do not rebuild what this machine holds elsewhere')
    .option('--for <duration>', 'how long, e.g. 10d or 2w')
    .option('--until <date>', 'when you are back, e.g. 2026-12-24')
    .option('--cancel', 'end the planned absence now')
    .action(async (o: { for?: string, until?: string, cancel?: boolean }) => {
      const given = [o.for, o.until, o.cancel].filter(x => x !== undefined).length
      if (given !== 1) throw new InvalidArgumentError('say how long: one of --for, --until or --cancel', { hint: 'e.g. `p2pbak away --for 2w` or `p2pbak away --until 2026-12-24`' })
      const until = o.cancel === true ? null : o.until !== undefined ? parseUntil(o.until) : Date.now() + parseDuration(o.for!)
      const r = await daemonClient(cliConfig(program, io)).away(until)
      output(program, io, r, r.awayUntil === null
        ? `planned absence ended (told ${r.told} of ${r.online} online peers)\n`
        : `away until ${new Date(r.awayUntil).toLocaleString()} (${formatDuration(Date.parse(r.awayUntil) - Date.now())} from now); told ${r.told} of ${r.online} online peers\n` +
          (r.told < r.online ? '  some peers did not answer yet: keep this machine on a minute longer, or run the command again\n' : '') +
          '  a pack whose other copies are all offline is still rebuilt elsewhere after repair.urgent_grace\n')
    })

  program.command('leave')
    .description('leave the office for good: hand every pack this machine holds for others to other peers, then hold nothing')
    .option('--cancel', 'stay after all: take packs again and resume scheduled backups')
    .action(async (o: { cancel?: boolean }) => {
      const client = daemonClient(cliConfig(program, io))
      const view = progressView(io, globals(program).json === true, { unit: 'packs' })
      try {
        const r = await client.leave(o.cancel === true ? { cancel: true } : {}, { onProgress: view.update })
        view.stop()
        output(program, io, r, r.leaving
          ? `handed over: ${r.moved} pack(s) copied to other peers (${formatBytes(r.bytes)}), ${r.dropped} dropped (enough copies elsewhere)\n` +
            '  this machine now holds nothing for others; stop the daemon and uninstall p2pbak when you like\n' +
            '  your own backups stay with your colleagues: restore them on any machine with your name and passphrase\n'
          : 'leaving cancelled: this machine takes packs again and backs up on schedule\n')
      } finally {
        view.stop()
      }
    })
}
