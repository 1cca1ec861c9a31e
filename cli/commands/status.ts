// `p2pbak status` (is my data safe? at a glance). `p2pbak peers` is in peers.ts.
import type { Command } from 'commander'
import type { Status } from '../../daemon/control/api.js'
import { exitCodeFor, ExitCodeOnly } from '../exit-codes.js'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, output } from '../context.js'
import type { CliIo } from '../io.js'
import { formatDuration } from '../progress.js'
import { localDate } from './peers.js'

export function registerStatusCommands (program: Command, io: CliIo): void {
  program.command('status')
    .description('is my data safe? daemon and swarm health, backups, pack health, what runs, problems and what to do')
    .option('--check', 'exit 25 (StatusWarning) when something needs attention, 26 (StatusError) when some data is not safe; for monitoring and systemd OnFailure=')
    .action(async (o: { check?: boolean }) => {
      const s = await daemonClient(cliConfig(program, io)).status()
      output(program, io, s, () => renderStatus(s))
      if (o.check === true && s.verdict !== 'ok') throw new ExitCodeOnly(exitCodeFor(s.verdict === 'error' ? 'StatusError' : 'StatusWarning'))
    })
}

const ago = (ms: number): string => ms < 1000 ? 'just now' : `${formatDuration(ms)} ago`

export function renderStatus (s: Status): string {
  const lines: string[] = []
  const mark = s.verdict === 'ok' ? 'OK: your data is safe' : s.verdict === 'warning' ? 'WARNING: something needs a look' : 'ERROR: act now'
  lines.push(`p2pbak status: ${mark}`, '')
  lines.push(`  daemon    up ${formatDuration(s.daemon.uptime)}, version ${s.daemon.version}, peer …${s.daemon.peerId.slice(-8)}, swarm ${s.daemon.swarmId}`)
  if (s.daemon.leaving) {
    lines.push(s.storage.packs > 0 ? `  leaving   handing over ${s.storage.packs} pack(s) held for others` : '  leaving   nothing left to hand over: stop the daemon and uninstall when you like')
  } else if (s.daemon.awayUntil !== null) {
    lines.push(`  away      until ${localDate(s.daemon.awayUntil)}: colleagues keep this machine's copies meanwhile (\`p2pbak away --cancel\` when back)`)
  }
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
      ? (Date.parse(o.nextBackup) <= Date.parse(s.time) ? 'next: now' : `next in ${formatDuration(Date.parse(o.nextBackup) - Date.parse(s.time))}`)
      : o.backupPaths.length === 0 ? 'no schedule (backup.paths is empty)' : s.daemon.leaving ? 'no schedule (leaving the swarm)' : 'a scheduled backup is running'
    lines.push(`  owner     ${o.name}: ${last}; ${next}`)
    if (o.lastAdHocBackup !== null && o.lastAdHocBackup !== undefined) {
      const a = o.lastAdHocBackup
      lines.push(`  ad hoc    ${a.snapshot.slice(0, 8)} ${ago(Date.parse(s.time) - Date.parse(a.time))} of ${a.paths.join(' ')}${a.tags.length > 0 ? ` [${a.tags.join(',')}]` : ''} (not the scheduled set; restore it with --path or its ID)`)
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
