// `p2pbak local …`: the repository engine on a folder, without a daemon (like `restic -r DIR`).
// Used by the README's round trip, the crash tests and the benchmark.
import type { Command } from 'commander'
import { backup } from '../../daemon/archiver.js'
import { check } from '../../daemon/checker.js'
import { changePassphrase, encodeKeyFile, readKeyFile, unwrapKeyFile } from '../../daemon/crypto/index.js'
import { P2pbakError } from '../../daemon/errors.js'
import { incompleteSnapshotEnd } from '../incomplete.js'
import { KEY_FILE_NAME, initOwner, keyRecordKey, openOwner } from '../../daemon/owner.js'
import type { Owner } from '../../daemon/owner.js'
import { listFiles } from '../../daemon/list-files.js'
import { restore } from '../../daemon/restorer.js'
import { rfc3339FromNs } from '../../daemon/time.js'
import { openDirBackend } from '../../daemon/store/index.js'
import { join, resolve } from 'node:path'
import { formatBytes, formatSnapshotTime, progressLine } from '../format.js'
import type { CliIo } from '../io.js'
import { readNewPassphrase, readPassphrase } from '../passphrase.js'
import { readRecoveryKey, recoveryKeyFileOption, recoveryKeyOption } from '../recovery-key.js'
import { filterSnapshots, originName, resolveLatest, snapshotSetId } from '../../daemon/snapshot-filter.js'
import { addFilterOptions, filterFromOpts } from '../filter-options.js'
import type { FilterOpts } from '../filter-options.js'
import { formatSnapshotGroups } from './snapshots.js'
import { dryRunText, restoreTarget, restoreTargetOptions } from './restore.js'
import type { RestoreTargetOpts } from './restore.js'

/** Raised when `check` finds problems; mapped to its own exit code. */
export class CheckFailedError extends P2pbakError {
  override name = 'CheckFailedError'
}

interface RepoOpts { repo: string, state?: string, passwordFile?: string, owner?: string, recoveryKey?: true, recoveryKeyFile?: string }

function repoOptions (cmd: Command): Command {
  return cmd
    .requiredOption('-r, --repo <dir>', 'repository folder (env P2PBAK_REPO)', process.env.P2PBAK_REPO)
    .option('--state <dir>', 'local state folder (default: <repo>/../<repo name>.state)')
    .option('--password-file <file>', 'read the passphrase from this file (or set P2PBAK_PASSWORD)')
}

function stateDirOf (o: RepoOpts, io: CliIo): string {
  const repo = resolve(io.cwd, o.repo)
  return o.state !== undefined ? resolve(io.cwd, o.state) : `${repo}.state`
}

async function open (o: RepoOpts, io: CliIo): Promise<Owner> {
  const backend = openDirBackend(resolve(io.cwd, o.repo))
  const recovery = await readRecoveryKey(io, o)
  try {
    return await openOwner({
      stateDir: stateDirOf(o, io),
      backend,
      ownerName: o.owner,
      ...(recovery !== undefined ? { recoveryKey: recovery } : { passphrase: await readPassphrase(io, o.passwordFile) })
    })
  } catch (err) {
    await backend.close()
    throw err
  }
}

function out (io: CliIo, json: boolean, value: unknown, text: string): void {
  io.stdout.write(json ? JSON.stringify(value, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v) + '\n' : text)
}

export function registerLocalCommands (program: Command, io: CliIo): void {
  const local = program.command('local').description('work on a repository folder directly, without a daemon')
  const json = (): boolean => program.opts<{ json?: boolean }>().json === true

  repoOptions(local.command('init'))
    .description('create an owner in a repository folder (the folder is created if needed)')
    .requiredOption('--owner <name>', 'owner name, e.g. alice-laptop')
    .action(async (o: RepoOpts & { owner: string }) => {
      const passphrase = await readNewPassphrase(io, o.passwordFile, 'P2PBAK_PASSWORD', [o.owner]) // before anything is created
      const backend = openDirBackend(resolve(io.cwd, o.repo), { create: true })
      try {
        const r = await initOwner({ stateDir: stateDirOf(o, io), backend, ownerName: o.owner, passphrase })
        out(io, json(), { owner: o.owner, ownerId: r.ownerId, recoveryKey: r.recoveryKey, stateDir: stateDirOf(o, io) },
          `created owner ${o.owner} (${r.ownerId})\n\nRecovery key: write it down and keep it apart from this machine.\nWith it alone you can restore everything if the passphrase is lost.\n\n${r.recoveryKey}\n`)
      } finally {
        await backend.close()
      }
    })

  repoOptions(local.command('backup'))
    .description('back up folders into the repository')
    .argument('<paths...>', 'folders or files to back up')
    .option('--tag <tag...>', 'tags for the snapshot')
    .action(async (paths: string[], o: RepoOpts & { tag?: string[] }) => {
      const owner = await open(o, io)
      try {
        const tty = io.stderr.isTTY === true && !json()
        const r = await backup(owner.repo, owner.keys.chunkerKey, {
          paths: paths.map(p => resolve(io.cwd, p)),
          owner: owner.name,
          tags: o.tag?.flatMap(t => t.split(',')).map(t => t.trim()).filter(t => t !== ''),
          onProgress: tty ? (p) => io.stderr.write(`\r${progressLine(p.filesDone, p.bytesDone, p.packsWritten)}`) : undefined
        })
        if (tty) io.stderr.write('\n')
        const s = r.summary
        out(io, json(), { snapshot: r.snapshotId, summary: s, skipped: r.skipped, skippedCount: r.skippedCount },
          `snapshot ${r.snapshotId.slice(0, 8)} saved\n` +
          `  files: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnmodified} unmodified (${s.totalFiles} in all, ${formatBytes(s.totalBytes)})\n` +
          `  read ${formatBytes(s.bytesRead)}, added ${formatBytes(s.bytesAdded)} (${formatBytes(s.bytesStored)} stored) in ${s.packsAdded} pack(s), ${(s.durationMs / 1000).toFixed(1)} s\n` +
          (s.warnings.length > 0 ? `  ${s.warnings.length} warning(s):\n${s.warnings.slice(0, 10).map(w => `    ${w}\n`).join('')}` : ''))
        if (r.skippedCount > 0) throw incompleteSnapshotEnd(io, json(), r.snapshotId, r.skipped, r.skippedCount)
      } finally {
        await owner.close()
      }
    })

  addFilterOptions(repoOptions(local.command('snapshots')))
    .description('list snapshots by backup set')
    .action(async (o: RepoOpts & FilterOpts) => {
      const owner = await open(o, io)
      try {
        const all = await owner.repo.listSnapshots()
        const filter = filterFromOpts(o, io.cwd)
        const latest = resolveLatest(all, filter === undefined ? {} : { filter })
        const rows = filterSnapshots(all, filter).map(s => ({
          id: s.id, time: rfc3339FromNs(s.snapshot.timeNs), hostname: s.snapshot.hostname, owner: s.snapshot.owner,
          paths: s.snapshot.paths.map(p => Buffer.from(p).toString()), tags: s.snapshot.tags,
          files: s.snapshot.summary?.totalFiles ?? 0, bytes: s.snapshot.summary?.totalBytes ?? 0,
          set: snapshotSetId(s.snapshot), origin: originName(s.snapshot.origin), latest: s.id === latest?.id
        }))
        out(io, json(), rows, formatSnapshotGroups(rows))
      } finally {
        await owner.close()
      }
    })

  addFilterOptions(repoOptions(local.command('ls')))
    .description('list the files of a snapshot')
    .argument('<snapshot>', 'snapshot ID (prefix) or "latest"')
    .argument('[path]', 'only this path and what is below it (a relative path is taken from the current folder)', '/')
    .action(async (spec: string, path: string, o: RepoOpts & FilterOpts) => {
      const owner = await open(o, io)
      try {
        const filter = filterFromOpts(o, io.cwd)
        const entries = await listFiles(owner.repo, await owner.repo.findSnapshot(spec, filter === undefined ? {} : { filter }), resolve(io.cwd, path))
        out(io, json(), entries, entries.map(e => `${e.type.padEnd(7)} ${e.mode.padStart(4)} ${String(e.size).padStart(12)}  ${e.path}\n`).join(''))
      } finally {
        await owner.close()
      }
    })

  const restoreCmd = addFilterOptions(repoOptions(local.command('restore')))
    .description('restore a snapshot into a folder, or to the original paths')
    .argument('<snapshot>', 'snapshot ID (prefix) or "latest"')
  restoreTargetOptions(restoreCmd)
    .option('--owner <name>', 'owner name (on a fresh state folder: finds the key in the repository)')
    .addOption(recoveryKeyOption('instead of the passphrase: '))
    .addOption(recoveryKeyFileOption(''))
    .action(async (spec: string, o: RepoOpts & FilterOpts & RestoreTargetOpts) => {
      const where = restoreTarget(o, io.cwd, restoreCmd)
      const owner = await open(o, io)
      try {
        const filter = filterFromOpts(o, io.cwd)
        const snap = await owner.repo.findSnapshot(spec, filter === undefined ? {} : { filter })
        const tty = io.stderr.isTTY === true && !json() && !where.dryRun
        const r = await restore(owner.repo, snap, where.target, {
          include: where.include,
          overwrite: where.overwrite,
          dryRun: where.dryRun,
          onProgress: tty ? (p) => io.stderr.write(`\r${progressLine(p.filesDone, p.bytesDone)}`) : undefined
        })
        if (tty) io.stderr.write('\n')
        const answer = { snapshot: snap.id, target: where.target, dryRun: where.dryRun, ...r }
        out(io, json(), answer, where.dryRun
          ? dryRunText(snap.id, answer)
          : `restored snapshot ${snap.id.slice(0, 8)}: ${r.files} files${r.skipped > 0 ? ` (${r.skipped} left as they were)` : ''}, ${r.dirs} folders, ${r.symlinks} symlinks, ${formatBytes(r.bytes)}\n` +
            r.warnings.slice(0, 10).map(w => `  warning: ${w}\n`).join(''))
      } finally {
        await owner.close()
      }
    })

  repoOptions(local.command('check'))
    .description('verify the repository; --read-data also reads and verifies every pack')
    .option('--read-data', 'read every pack and verify every blob')
    .action(async (o: RepoOpts & { readData?: boolean }) => {
      const owner = await open(o, io)
      try {
        const r = await check(owner.repo, { readData: o.readData === true })
        out(io, json(), r,
          `${r.snapshots} snapshots, ${r.packs} packs, ${r.blobs} blobs${o.readData === true ? `, ${formatBytes(r.bytesRead)} read` : ''}\n` +
          (r.unreferencedPacks > 0 ? `${r.unreferencedPacks} pack(s) no longer referenced (older manifests, interrupted backups); harmless\n` : '') +
          (r.ok ? 'no problems found\n' : r.problems.map(p => `  ${p.kind}: ${p.message}${p.paths !== undefined && p.paths.length > 0 ? `\n    affects: ${p.paths.join(', ')}` : ''}\n`).join('')))
        if (!r.ok) throw new CheckFailedError(`the check found ${r.problems.length} problem(s)`, { hint: 'the files listed are affected; back them up again, or restore them from another copy' })
      } finally {
        await owner.close()
      }
    })

  repoOptions(local.command('passwd'))
    .description('change the passphrase (rewrites only the key file)')
    .option('--new-password-file <file>', 'read the new passphrase from this file')
    .action(async (o: RepoOpts & { newPasswordFile?: string }) => {
      const oldPass = await readPassphrase(io, o.passwordFile, 'P2PBAK_PASSWORD', 'current passphrase: ')
      const keyPath = join(stateDirOf(o, io), KEY_FILE_NAME)
      // A wrong current passphrase fails here, before the new one is asked for.
      const current = readKeyFile(keyPath)
      unwrapKeyFile(current, oldPass).fill(0)
      const newPass = await readNewPassphrase(io, o.newPasswordFile, 'P2PBAK_NEW_PASSWORD', [current.owner])
      const kf = changePassphrase(keyPath, oldPass, newPass)
      // Keep the repository's copy in step, so the new passphrase works on a fresh machine too.
      const backend = openDirBackend(resolve(io.cwd, o.repo))
      try {
        await backend.putRecord(keyRecordKey(kf.owner), encodeKeyFile(kf))
      } finally {
        await backend.close()
      }
      out(io, json(), { changed: true }, 'passphrase changed\n')
    })
}
