// `p2pbak peers` (the swarm members this daemon knows) and `p2pbak peers forget PEER` (remove one
// that left the office without `p2pbak leave`, so that it no longer shows as gone for ever).
import type { Command } from 'commander'
import type { PeerRow, PeersForgetAnswer } from '../../daemon/control/api.js'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, output } from '../context.js'
import type { CliIo } from '../io.js'
import { formatDuration } from '../progress.js'

export function registerPeersCommands (program: Command, io: CliIo): void {
  const peers = program.command('peers')
    .description('the swarm members this daemon knows: liveness, plans (away, leaving), space offered, domain, bytes held each way')
    .action(async () => {
      const rows = await daemonClient(cliConfig(program, io)).peers()
      output(program, io, rows, () => renderPeers(rows))
    })

  peers.command('forget')
    .description('remove a peer from the peer book (a machine that left the office without `p2pbak leave`); an online peer only with --force')
    .argument('<peer>', 'its peer ID, or a unique prefix or suffix of it as `p2pbak peers` prints it')
    .option('--force', 'forget it even while it is online (it is met again if it reconnects)')
    .action(async (peer: string, o: { force?: boolean }) => {
      const r = await daemonClient(cliConfig(program, io)).peersForget({ peer, ...(o.force === true ? { force: true } : {}) })
      output(program, io, r, () => renderForget(r))
    })
}

const ago = (ms: number): string => ms < 1000 ? 'just now' : `${formatDuration(ms)} ago`

/** Local calendar date (YYYY-MM-DD) of a time (ms since the epoch, or an RFC 3339 string). */
export function localDate (t: number | string): string {
  const d = new Date(t)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** What a peer announced about its plans: "away until 2026-12-20", "leaving", or ''. */
export function peerPlans (r: Pick<PeerRow, 'awayUntil' | 'leaving'>): string {
  if (r.leaving) return 'leaving'
  return r.awayUntil === null ? '' : `away until ${localDate(r.awayUntil)}`
}

export function renderPeers (rows: PeerRow[], now = Date.now()): string {
  if (rows.length === 0) return 'no peers met yet\n'
  const head = `${'PEER'.padEnd(14)} ${'STATE'.padEnd(7)} ${'PLANS'.padEnd(21)} ${'LAST SEEN'.padEnd(12)} ${'FREE'.padStart(10)} ${'DOMAIN'.padEnd(10)} ${'WE HOLD'.padStart(10)} ${'THEY HOLD'.padStart(10)}  ADDRESS\n`
  return head + rows.map(r =>
    `${('…' + r.peerId.slice(-12)).padEnd(14)} ${r.liveness.padEnd(7)} ${peerPlans(r).padEnd(21)} ${(r.liveness === 'online' ? 'now' : ago(now - Date.parse(r.lastSeen))).padEnd(12)} ` +
    `${(r.free === null ? '?' : formatBytes(r.free)).padStart(10)} ${(r.domain ?? '?').padEnd(10)} ${formatBytes(r.heldForThem).padStart(10)} ${formatBytes(r.heldForUs).padStart(10)}  ${r.addrs[0] ?? ''}\n`).join('')
}

export function renderForget (r: PeersForgetAnswer): string {
  const lines = [`forgot peer ${r.peerId} (it was ${r.liveness})`]
  if (r.heldForUs.packs > 0) {
    lines.push(`  warning: it was recorded as holding ${r.heldForUs.packs} of your packs or shards (${formatBytes(r.heldForUs.bytes)}); they no longer count as copies`,
      '    the other holders copy them again as for any machine that is gone; `p2pbak status` shows when every pack has its copies')
  }
  if (r.heldForThem > 0) lines.push(`  this machine keeps the ${formatBytes(r.heldForThem)} it holds for that peer's owner: they can still restore them on a new machine`)
  if (r.liveness === 'online') lines.push('  it was online: if it connects again it is met again (forgetting is not a ban; the swarm key is the office\'s admission)')
  return lines.join('\n') + '\n'
}
