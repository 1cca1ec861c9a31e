// `p2pbak status` (is my data safe? at a glance) and `p2pbak peers`.
import type { Command } from 'commander'
import type { PeerRow, Status } from '../../daemon/control/api.js'
import { exitCodeFor, ExitCodeOnly } from '../exit-codes.js'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, output } from '../context.js'
import type { CliIo } from '../io.js'
import { formatDuration } from '../progress.js'

export function registerStatusCommands (program: Command, io: CliIo): void {
  program.command('status')
    .description('is my data safe? daemon and swarm health, backups, pack health, what runs, problems and what to do')
    .option('--check', 'exit 25 (StatusWarning) when something needs attention, 26 (StatusError) when some data is not safe; for monitoring and systemd OnFailure=')
    .action(async (o: { check?: boolean }) => {
      const s = await daemonClient(cliConfig(program, io)).status()
      output(program, io, s, () => renderStatus(s))
      if (o.check === true && s.verdict !== 'ok') throw new ExitCodeOnly(exitCodeFor(s.verdict === 'error' ? 'StatusError' : 'StatusWarning'))
    })

  program.command('peers')
    .description('the swarm members this daemon knows: liveness, space offered, domain, bytes held each way')
    .action(async () => {
      const rows = await daemonClient(cliConfig(program, io)).peers()
      output(program, io, rows, () => renderPeers(rows))
    })
}

const ago = (ms: number): string => ms < 1000 ? 'just now' : `${formatDuration(ms)} ago`

export function renderStatus (s: Status): string {
  const lines: string[] = []
  const mark = s.verdict === 'ok' ? 'OK: your data is safe' : s.verdict === 'warning' ? 'WARNING: something needs a look' : 'ERROR: act now'
  lines.push(`p2pbak status: ${mark}`, '')
  lines.push(`  daemon    up ${formatDuration(s.daemon.uptime)}, version ${s.daemon.version}, peer …${s.daemon.peerId.slice(-8)}, swarm ${s.daemon.swarmId}`)
  lines.push(`  swarm     ${s.swarm.online} online, ${s.swarm.absent} absent, ${s.swarm.gone} gone (gone after ${formatDuration(s.swarm.goneAfter)})`)
  const o = s.owner
  if (o === null) {
    lines.push('  owner     none on this machine')
  } else {
    const last = o.lastBackup === null
      ? 'no backup yet'
      : `last backup ${ago(o.lastBackup.age)} (${o.lastBackup.snapshot.slice(0, 8)}, ${o.lastBackup.files} files, ${formatBytes(o.lastBackup.bytes)})`
    const next = o.nextBackup === null ? 'no schedule (backup.paths is empty)' : Date.parse(o.nextBackup) <= Date.parse(s.time) ? 'next: now' : `next in ${formatDuration(Date.parse(o.nextBackup) - Date.parse(s.time))}`
    lines.push(`  owner     ${o.name}: ${last}; ${next}`)
    const p = o.packs
    lines.push(`  packs     ${p.total} stored: ${p.healthy} healthy, ${p.degraded} degraded, ${p.atRisk} at risk, ${p.lost} lost (${o.erasure === null || o.erasure === undefined ? `${o.replicas} copies wanted` : `erasure ${o.erasure.dataShards}+${o.erasure.parityShards}: any ${o.erasure.dataShards} of ${o.erasure.dataShards + o.erasure.parityShards} shards restore`})`)
    if (o.restorable !== null) {
      const r = o.restorable
      lines.push(`  restore   ${(r.share * 100).toFixed(r.share === 1 ? 0 : 1)} % of the latest snapshot restorable from the peers online now (${r.filesRestorable}/${r.files} files)`)
    } else if (o.lastBackup !== null) {
      lines.push('  restore   (being computed)')
    }
  }
  lines.push(`  storage   offering ${formatBytes(s.storage.offered)} to others, ${formatBytes(s.storage.used)} used (${s.storage.packs} packs)${s.storage.domain === '' ? '' : `, domain ${s.storage.domain}`}`)
  for (const op of s.operations) {
    const p = op.progress
    const pct = p?.totalBytes !== undefined && p.totalBytes > 0 ? ` ${Math.floor(p.bytesDone / p.totalBytes * 100)} %` : ''
    const detail = p === undefined ? '' : `${pct}, ${p.filesDone} files, ${formatBytes(p.bytesDone)}${p.rate > 0 ? `, ${formatBytes(p.rate)}/s` : ''}${p.etaMs === undefined ? '' : `, ETA ${formatDuration(p.etaMs)}`}`
    lines.push(`  running   ${op.kind} (${op.state})${detail}`)
  }
  if (s.problems.length > 0) {
    lines.push('', 'problems:')
    for (const p of s.problems) lines.push(`  ${p.severity === 'error' ? '✗' : '!'} ${p.message}`, `    → ${p.hint}`)
  }
  return lines.join('\n') + '\n'
}

export function renderPeers (rows: PeerRow[]): string {
  if (rows.length === 0) return 'no peers met yet\n'
  const head = `${'PEER'.padEnd(14)} ${'STATE'.padEnd(7)} ${'LAST SEEN'.padEnd(12)} ${'FREE'.padStart(10)} ${'DOMAIN'.padEnd(10)} ${'WE HOLD'.padStart(10)} ${'THEY HOLD'.padStart(10)}  ADDRESS\n`
  return head + rows.map(r =>
    `${('…' + r.peerId.slice(-12)).padEnd(14)} ${r.liveness.padEnd(7)} ${(r.liveness === 'online' ? 'now' : ago(Date.now() - Date.parse(r.lastSeen))).padEnd(12)} ` +
    `${(r.free === null ? '?' : formatBytes(r.free)).padStart(10)} ${(r.domain ?? '?').padEnd(10)} ${formatBytes(r.heldForThem).padStart(10)} ${formatBytes(r.heldForUs).padStart(10)}  ${r.addrs[0] ?? ''}\n`).join('')
}
