// `p2pbak status` (is my data safe? at a glance) and `p2pbak peers`.
import type { Command } from 'commander'
import type { PeerRow, Status } from '../../daemon/control/api.js'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, output } from '../context.js'
import type { CliIo } from '../io.js'
import { formatDuration } from '../progress.js'

export function registerStatusCommands (program: Command, io: CliIo): void {
  program.command('status')
    .description('is my data safe? daemon and swarm health, backups, pack health, what runs, problems and what to do')
    .action(async () => {
      const s = await daemonClient(cliConfig(program, io)).status()
      output(program, io, s, () => renderStatus(s))
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
    // nextBackup is null without backup.paths, while leaving, and while a scheduled backup runs.
    const next = o.nextBackup !== null
      ? (o.nextBackup <= s.time ? 'next: now' : `next in ${formatDuration(o.nextBackup - s.time)}`)
      : o.backupPaths.length === 0 ? 'no schedule (backup.paths is empty)' : s.daemon.leaving ? 'no schedule (leaving the swarm)' : 'a scheduled backup is running'
    lines.push(`  owner     ${o.name}: ${last}; ${next}`)
    if (o.lastAdHocBackup !== null && o.lastAdHocBackup !== undefined) {
      const a = o.lastAdHocBackup
      lines.push(`  ad hoc    ${a.snapshot.slice(0, 8)} ${ago(s.time - Date.parse(a.time))} of ${a.paths.join(' ')}${a.tags.length > 0 ? ` [${a.tags.join(',')}]` : ''} (not the scheduled set; restore it with --path or its ID)`)
    }
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
    `${('…' + r.peerId.slice(-12)).padEnd(14)} ${r.liveness.padEnd(7)} ${(r.liveness === 'online' ? 'now' : ago(Date.now() - r.lastSeen)).padEnd(12)} ` +
    `${(r.free === null ? '?' : formatBytes(r.free)).padStart(10)} ${(r.domain ?? '?').padEnd(10)} ${formatBytes(r.heldForThem).padStart(10)} ${formatBytes(r.heldForUs).padStart(10)}  ${r.addrs[0] ?? ''}\n`).join('')
}
