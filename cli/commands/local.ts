// `p2pbak local …`: the repository engine on a folder, without a daemon (like `restic -r DIR`).
// Used by the README's round trip, the crash tests and the benchmark.
import type { Command } from 'commander'
import { Option } from 'commander'
import { backup } from '../../daemon/archiver.js'
import { check } from '../../daemon/checker.js'
import { changePassphrase, encodeKeyFile } from '../../daemon/crypto/index.js'
import { P2pbakError } from '../../daemon/errors.js'
import { KEY_FILE_NAME, initOwner, keyRecordKey, openOwner } from '../../daemon/owner.js'
import type { Owner } from '../../daemon/owner.js'
import { listFiles } from '../../daemon/list-files.js'
import { restore } from '../../daemon/restorer.js'
import { rfc3339FromNs } from '../../daemon/time.js'
import { openDirBackend } from '../../daemon/store/index.js'
import { join, resolve } from 'node:path'
import { formatBytes, formatSnapshotTime, progressLine } from '../format.js'
import type { CliIo } from '../io.js'
import { readNewPassphrase, readPassphrase, readSecretFile } from '../passphrase.js'

/** Raised when `check` finds problems; mapped to its own exit code. */
export class CheckFailedError extends P2pbakError {
  override name = 'CheckFailedError'
}

interface RepoOpts { repo: string, state?: string, passwordFile?: string, owner?: string, recoveryKey?: string, recoveryKeyFile?: string }

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
  const recovery = o.recoveryKeyFile !== undefined ? readSecretFile(resolve(io.cwd, o.recoveryKeyFile)) : o.recoveryKey
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
      const backend = openDirBackend(resolve(io.cwd, o.repo), { create: true })
      try {
        const passphrase = await readNewPassphrase(io, o.passwordFile)
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
          tags: o.tag,
          onProgress: tty ? (p) => io.stderr.write(`\r${progressLine(p.filesDone, p.bytesDone, p.packsWritten)}`) : undefined
        })
        if (tty) io.stderr.write('\n')
        const s = r.summary
        out(io, json(), { snapshot: r.snapshotId, summary: s },
          `snapshot ${r.snapshotId.slice(0, 8)} saved\n` +
          `  files: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnmodified} unmodified (${s.totalFiles} in all, ${formatBytes(s.totalBytes)})\n` +
          `  read ${formatBytes(s.bytesRead)}, added ${formatBytes(s.bytesAdded)} (${formatBytes(s.bytesStored)} stored) in ${s.packsAdded} pack(s), ${(s.durationMs / 1000).toFixed(1)} s\n` +
          (s.warnings.length > 0 ? `  ${s.warnings.length} warning(s):\n${s.warnings.slice(0, 10).map(w => `    ${w}\n`).join('')}` : ''))
      } finally {
        await owner.close()
      }
    })

  repoOptions(local.command('snapshots'))
    .description('list snapshots')
    .action(async (o: RepoOpts) => {
      const owner = await open(o, io)
      try {
        const list = await owner.repo.listSnapshots()
        const rows = list.map(s => ({
          id: s.id, time: rfc3339FromNs(s.snapshot.timeNs), hostname: s.snapshot.hostname, owner: s.snapshot.owner,
          paths: s.snapshot.paths.map(p => Buffer.from(p).toString()), tags: s.snapshot.tags,
          files: s.snapshot.summary?.totalFiles ?? 0, bytes: s.snapshot.summary?.totalBytes ?? 0
        }))
        out(io, json(), rows, rows.map((r, i) => `${r.id.slice(0, 8)}  ${formatSnapshotTime(list[i]!.snapshot.timeNs)}  ${r.hostname}  ${r.paths.join(' ')}  ${r.files} files ${formatBytes(r.bytes)}\n`).join('') || 'no snapshots yet\n')
      } finally {
        await owner.close()
      }
    })

  repoOptions(local.command('ls'))
    .description('list the files of a snapshot')
    .argument('<snapshot>', 'snapshot ID (prefix) or "latest"')
    .argument('[path]', 'only below this path', '/')
    .action(async (spec: string, path: string, o: RepoOpts) => {
      const owner = await open(o, io)
      try {
        const entries = await listFiles(owner.repo, await owner.repo.findSnapshot(spec), path)
        out(io, json(), entries, entries.map(e => `${e.type.padEnd(7)} ${e.mode.padStart(4)} ${String(e.size).padStart(12)}  ${e.path}\n`).join(''))
      } finally {
        await owner.close()
      }
    })

  repoOptions(local.command('restore'))
    .description('restore a snapshot into a folder')
    .argument('<snapshot>', 'snapshot ID (prefix) or "latest"')
    .requiredOption('-t, --target <dir>', 'folder to restore into')
    .option('--include <path...>', 'only these paths of the snapshot')
    .option('--owner <name>', 'owner name (on a fresh state folder: finds the key in the repository)')
    .addOption(new Option('--recovery-key <words>', 'use the 24-word recovery key instead of the passphrase'))
    .option('--recovery-key-file <file>', 'read the recovery key from a file')
    .action(async (spec: string, o: RepoOpts & { target: string, include?: string[] }) => {
      const owner = await open(o, io)
      try {
        const snap = await owner.repo.findSnapshot(spec)
        const tty = io.stderr.isTTY === true && !json()
        const r = await restore(owner.repo, snap, resolve(io.cwd, o.target), {
          include: o.include,
          onProgress: tty ? (p) => io.stderr.write(`\r${progressLine(p.filesDone, p.bytesDone)}`) : undefined
        })
        if (tty) io.stderr.write('\n')
        out(io, json(), { snapshot: snap.id, target: resolve(io.cwd, o.target), ...r },
          `restored snapshot ${snap.id.slice(0, 8)}: ${r.files} files, ${r.dirs} folders, ${r.symlinks} symlinks, ${formatBytes(r.bytes)}\n` +
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
      const oldPass = await readPassphrase(io, o.passwordFile)
      const newPass = await readNewPassphrase(io, o.newPasswordFile, 'P2PBAK_NEW_PASSWORD')
      const keyPath = join(stateDirOf(o, io), KEY_FILE_NAME)
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
