// `p2pbak restore SNAPSHOT|latest --target DIR [--include PATH…]`: the daemon restores from the
// peers into a folder and reports what it could not restore exactly.
//
// On a fresh machine (a lost laptop), with --owner NAME (asks the passphrase) or --recovery-key,
// it needs no daemon and no config: a short-lived peer joins the office with the swarm key,
// restores the most recently modified files first, and can be run again to resume or complete
// (daemon/standalone.ts, docs/restore.md).
import type { Command } from 'commander'
import { join, resolve } from 'node:path'
import { RestoreIncompleteError } from '../../daemon/errors.js'
import { writeFileAtomic } from '../../daemon/fs/atomic.js'
import type { ConfigFlags } from '../../config/index.js'
import { formatBytes } from '../format.js'
import { cliConfig, daemonClient, globals, output } from '../context.js'
import type { CliIo } from '../io.js'
import { readPassphrase, readSecretFile } from '../passphrase.js'
import { formatDuration, progressView } from '../progress.js'

interface RestoreOpts {
  target: string
  include?: string[]
  owner?: string
  recoveryKey?: string
  recoveryKeyFile?: string
  passwordFile?: string
  bootstrap?: string[]
  swarmKey?: string
  stateDir?: string
}

export function registerRestoreCommand (program: Command, io: CliIo): void {
  program.command('restore')
    .description('restore a snapshot into a folder, from the peers; on a new machine: --owner NAME (or --recovery-key), no daemon needed')
    .argument('[snapshot]', 'snapshot ID (or a unique prefix of it), or "latest"', 'latest')
    .requiredOption('-t, --target <dir>', 'folder to restore into (created if needed)')
    .option('--include <path...>', 'only these paths of the snapshot (and what is below them)')
    .option('--owner <name>', 'fresh machine: the owner to restore (asks for its passphrase); runs without a daemon')
    .option('--recovery-key <words>', 'fresh machine: the 24-word recovery key instead of name and passphrase (or P2PBAK_RECOVERY_KEY)')
    .option('--recovery-key-file <file>', 'fresh machine: read the recovery key from a file')
    .option('--password-file <file>', 'read the passphrase from this file (or set P2PBAK_PASSWORD)')
    .option('--bootstrap <multiaddr...>', 'fresh machine: a colleague\'s daemon to join through (else mDNS on the LAN, or network.bootstrap)')
    .option('--swarm-key <file>', 'fresh machine: the office\'s swarm key file (default network.swarm_key_file)')
    .option('--state-dir <dir>', 'fresh machine: where to keep what the restore learns (default state_dir)')
    .action(async (snapshot: string, o: RestoreOpts) => {
      const recoveryKey = o.recoveryKeyFile !== undefined ? readSecretFile(resolve(io.cwd, o.recoveryKeyFile)) : o.recoveryKey ?? (io.env.P2PBAK_RECOVERY_KEY === '' ? undefined : io.env.P2PBAK_RECOVERY_KEY)
      if (o.owner !== undefined || recoveryKey !== undefined) {
        await freshRestore(program, io, snapshot, o, recoveryKey)
        return
      }
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

async function freshRestore (program: Command, io: CliIo, snapshot: string, o: RestoreOpts, recoveryKey: string | undefined): Promise<void> {
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
  const view = progressView(io, json)
  const { RateMeter } = await import('../../daemon/operations.js')
  const meter = new RateMeter()
  const target = resolve(io.cwd, o.target)
  const started = Date.now()
  try {
    const r = await restoreFromSwarm({
      config,
      snapshot,
      target,
      ...(o.owner === undefined ? {} : { ownerName: o.owner }),
      ...(recoveryKey === undefined ? { passphrase: passphrase! } : { recoveryKey }),
      ...(o.include === undefined ? {} : { include: o.include }),
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
    output(program, io, { ...r, durationMs: Date.now() - started },
      `restored snapshot ${r.snapshot.slice(0, 8)} of ${r.owner === '' ? 'the owner' : r.owner} into ${r.target}: ${r.files} files (${r.skipped} already in place), ${r.dirs} folders, ${r.symlinks} symlinks, ${formatBytes(r.bytes)} in ${formatDuration(Date.now() - started)}\n` +
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
