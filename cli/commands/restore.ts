// `p2pbak restore SNAPSHOT|latest --target DIR|--to-original [--include PATH…] [--overwrite MODE]
// [--dry-run]`: the daemon restores from the peers into a folder (the snapshot's absolute paths
// below it, as restic does) or to the original paths, and reports what it could not restore exactly.
//
// On a fresh machine (a lost laptop), with --owner NAME (asks the passphrase) or --recovery-key,
// it needs no daemon and no config: a short-lived peer joins the office with the swarm key,
// restores the most recently modified files first, and can be run again to resume or complete
// (daemon/standalone.ts, docs/restore.md).
import { Option } from 'commander'
import type { Command } from 'commander'
import { join, resolve } from 'node:path'
import type { RestoreAnswer } from '../../daemon/control/api.js'
import { RestoreIncompleteError } from '../../daemon/errors.js'
import { OVERWRITE_MODES } from '../../daemon/restorer.js'
import type { OverwriteMode } from '../../daemon/restorer.js'
import { writeFileAtomic } from '../../daemon/fs/atomic.js'
import type { ConfigFlags } from '../../config/index.js'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, globals, output } from '../context.js'
import { addFilterOptions, filterFromOpts } from '../filter-options.js'
import type { FilterOpts } from '../filter-options.js'
import type { CliIo } from '../io.js'
import { readPassphrase } from '../passphrase.js'
import { readRecoveryKey, recoveryKeyFileOption, recoveryKeyOption } from '../recovery-key.js'
import { formatDuration, progressView } from '../progress.js'

/** The options `restore` and `local restore` share: where to, what, and over what. */
export interface RestoreTargetOpts {
  target?: string
  toOriginal?: boolean
  include?: string[]
  overwrite?: OverwriteMode
  dryRun?: boolean
}

export function restoreTargetOptions (cmd: Command): Command {
  return cmd
    .addOption(new Option('-t, --target <dir>', 'folder to restore into (created if needed); the snapshot\'s absolute paths go below it').conflicts('toOriginal'))
    .addOption(new Option('--to-original', 'restore to the original absolute paths (a lost laptop); default --overwrite if-newer').conflicts('target'))
    .option('--include <path...>', 'only these paths of the snapshot (and what is below them); a relative path is taken from the current folder')
    .addOption(new Option('--overwrite <mode>', 'a file already there: always (replace once the new one is complete), if-changed (size or mtime differ), if-newer (the snapshot\'s is newer), never; default always, with --to-original if-newer').choices(OVERWRITE_MODES))
    .option('--dry-run', 'write nothing; list what would be created, replaced or left')
}

/** Where to restore (absolute), with what overwrite mode; a usage error without --target or --to-original. */
export function restoreTarget (o: RestoreTargetOpts, cwd: string, cmd: Command): { target: string, overwrite: OverwriteMode, include?: string[], dryRun: boolean } {
  if (o.target === undefined && o.toOriginal !== true) cmd.error('error: say where to restore: --target DIR (below it, the snapshot\'s absolute paths) or --to-original', { exitCode: 2, code: 'p2pbak.noTarget' })
  return {
    target: o.toOriginal === true ? '/' : resolve(cwd, o.target!),
    overwrite: o.overwrite ?? (o.toOriginal === true ? 'if-newer' : 'always'),
    ...(o.include === undefined ? {} : { include: o.include.map(p => resolve(cwd, p)) }),
    dryRun: o.dryRun === true
  }
}

/** The dry run's text: one line per file, symlink or new folder, then the counts. */
export function dryRunText (snapshot: string, r: Pick<RestoreAnswer, 'target' | 'files' | 'dirs' | 'symlinks' | 'bytes' | 'skipped' | 'items'>): string {
  const lines = (r.items ?? []).filter(i => !(i.type === 'dir' && i.action === 'skip'))
    .map(i => `  ${i.action.padEnd(7)} ${i.type.padEnd(7)} ${i.path}${i.type === 'file' && i.action !== 'skip' && i.action !== 'fail' ? ` (${formatBytes(i.size)})` : ''}${i.reason === undefined ? '' : `: ${i.reason}`}\n`)
  return `dry run of snapshot ${snapshot.slice(0, 8)} into ${r.target === '/' ? 'the original paths' : r.target}: nothing was written\n` + lines.join('') +
    `would write ${r.files} files (${formatBytes(r.bytes)}) and ${r.symlinks} symlinks, create ${r.dirs} folders, leave ${r.skipped} files as they are\n`
}

interface RestoreOpts extends RestoreTargetOpts, FilterOpts {
  owner?: string
  recoveryKey?: true
  recoveryKeyFile?: string
  passwordFile?: string
  bootstrap?: string[]
  swarmKey?: string
  stateDir?: string
}

export function registerRestoreCommand (program: Command, io: CliIo): void {
  const cmd = addFilterOptions(program.command('restore'))
    .description('restore a snapshot into a folder, from the peers; on a new machine: --owner NAME (or --recovery-key), no daemon needed')
    .argument('[snapshot]', 'snapshot ID (or a unique prefix of it), or "latest": the newest of the configured backup set, or with --path/--tag/--host the newest that matches', 'latest')
  restoreTargetOptions(cmd)
    .option('--owner <name>', 'fresh machine: the owner to restore (asks for its passphrase); runs without a daemon')
    .addOption(recoveryKeyOption('fresh machine, instead of name and passphrase: '))
    .addOption(recoveryKeyFileOption('fresh machine: '))
    .option('--password-file <file>', 'read the passphrase from this file (or set P2PBAK_PASSWORD)')
    .option('--bootstrap <multiaddr...>', 'fresh machine: a colleague\'s daemon to join through (else mDNS on the LAN, or network.bootstrap)')
    .option('--swarm-key <file>', 'fresh machine: the office\'s swarm key file (default network.swarm_key_file)')
    .option('--state-dir <dir>', 'fresh machine: where to keep what the restore learns (default state_dir)')
    .action(async (snapshot: string, o: RestoreOpts) => {
      const recoveryKey = await readRecoveryKey(io, o)
      const where = restoreTarget(o, io.cwd, cmd)
      if (o.owner !== undefined || recoveryKey !== undefined) {
        await freshRestore(program, io, snapshot, o, where, recoveryKey)
        return
      }
      const client = daemonClient(cliConfig(program, io))
      const view = progressView(io, globals(program).json === true || where.dryRun)
      try {
        const filter = filterFromOpts(o, io.cwd)
        const r = await client.restore({ snapshot, ...where, ...(filter === undefined ? {} : { filter }) }, { onProgress: view.update })
        view.stop()
        output(program, io, r, () => r.dryRun === true
          ? dryRunText(r.snapshot, r)
          : `restored snapshot ${r.snapshot.slice(0, 8)} into ${r.target === '/' ? 'the original paths' : r.target}: ${r.files} files${r.skipped > 0 ? ` (${r.skipped} left as they were)` : ''}, ${r.dirs} folders, ${r.symlinks} symlinks, ${formatBytes(r.bytes)}\n` +
            r.warnings.slice(0, 10).map(w => `  warning: ${w}\n`).join(''))
      } finally {
        view.stop()
      }
    })
}

async function freshRestore (program: Command, io: CliIo, snapshot: string, o: RestoreOpts, where: ReturnType<typeof restoreTarget>, recoveryKey: string | undefined): Promise<void> {
  const flags: ConfigFlags = {
    ...(o.stateDir === undefined ? {} : { stateDir: resolve(io.cwd, o.stateDir) }),
    network: {
      ...(o.bootstrap === undefined ? {} : { bootstrap: o.bootstrap }),
      ...(o.swarmKey === undefined ? {} : { swarmKeyFile: resolve(io.cwd, o.swarmKey) })
    }
  }
  const config = cliConfig(program, io, flags, { allowMissing: true })
  const passphrase = recoveryKey === undefined ? await readPassphrase(io, o.passwordFile === undefined ? undefined : resolve(io.cwd, o.passwordFile)) : undefined
  const json = globals(program).json === true
  const { restoreFromSwarm } = await import('../../daemon/standalone.js')
  const view = progressView(io, json || where.dryRun)
  const { RateMeter } = await import('../../daemon/operations.js')
  const meter = new RateMeter()
  const target = where.target
  const filter = filterFromOpts(o, io.cwd)
  const started = Date.now()
  try {
    const r = await restoreFromSwarm({
      config,
      snapshot,
      target,
      ...(o.owner === undefined ? {} : { ownerName: o.owner }),
      ...(recoveryKey === undefined ? { passphrase: passphrase! } : { recoveryKey }),
      ...(where.include === undefined ? {} : { include: where.include }),
      ...(filter === undefined ? {} : { filter }),
      overwrite: where.overwrite,
      dryRun: where.dryRun,
      log: (m) => { if (!json) io.stderr.write(`${m}\n`) },
      onProgress: (p) => {
        const rate = meter.sample(p.bytesDone)
        const left = p.totalBytes === undefined ? undefined : p.totalBytes - p.bytesDone
        view.update({
          kind: 'restore', stage: `from ${p.peers} peer(s)`, filesDone: p.filesDone, bytesDone: p.bytesDone, rate,
          ...(p.totalFiles === undefined ? {} : { totalFiles: p.totalFiles, totalBytes: p.totalBytes }),
          ...(left === undefined || rate <= 0 ? {} : { etaMs: left / rate * 1000 })
        })
      }
    })
    view.stop()
    if (where.dryRun) {
      output(program, io, { ...r, durationMs: Date.now() - started }, dryRunText(r.snapshot, r))
      return
    }
    output(program, io, { ...r, durationMs: Date.now() - started },
      `restored snapshot ${r.snapshot.slice(0, 8)} of ${r.owner === '' ? 'the owner' : r.owner} into ${r.target === '/' ? 'the original paths' : r.target}: ${r.files} files (${r.skipped} left as they were), ${r.dirs} folders, ${r.symlinks} symlinks, ${formatBytes(r.bytes)} in ${formatDuration(Date.now() - started)}\n` +
      (r.firstTenthMs === undefined ? '' : `  the most recently modified tenth of the files was back after ${formatDuration(r.firstTenthMs)}\n`) +
      r.warnings.slice(0, 10).map(w => `  warning: ${w}\n`).join('') +
      `  to make this machine ${r.owner === '' ? 'the owner' : r.owner} from now on (same history, nothing uploaded twice): \`p2pbak init --adopt${r.owner === '' ? ' --owner NAME' : ` --owner ${r.owner}`}\`\n`)
  } catch (err) {
    view.stop()
    if (err instanceof RestoreIncompleteError) {
      // Every file that is missing, and why: in a file beside the state, since the list can be long.
      const list = join(config.stateDir, 'restore-missing.txt')
      // One line per item: the path as a JSON string (a name may hold a newline or a tab), a tab, the reason.
      writeFileAtomic(list, err.failures.map(f => `${JSON.stringify(f.path)}\t${f.reason.replace(/\s+/g, ' ')}`).join('\n') + '\n')
      throw new RestoreIncompleteError(err.message, err.failures, {
        hint: `all ${err.failures.length} missing item(s), and why, are listed in ${list}; everything else is restored. Run the same command again when more colleagues' machines are on: it completes the restore without fetching again what is already in place`
      })
    }
    throw err
  } finally {
    view.stop()
  }
}
