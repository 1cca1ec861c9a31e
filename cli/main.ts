// createCli(): the p2pbak command line, apart from bin.ts so tests can run it in process.
// For now it drives the repository engine directly ("local" mode, on a folder); the daemon and its
// control API (a later issue) take over `backup`, `restore` and friends, and these commands stay as
// the offline mode, like `restic -r /path`.
import { Command, CommanderError, Option } from 'commander'
import { VERSION } from './version.js'
import { resolve } from 'node:path'
import { isP2pbakError, noSpaceError } from '../daemon/errors.js'
import { exitCodeFor, exitCodeTable, EXIT_INTERNAL } from './exit-codes.js'
import { registerLocalCommands } from './commands/local.js'
import { registerDemoCommand } from './commands/demo.js'
import { registerConfigCommands } from './commands/config.js'
import { registerInitCommands } from './commands/init.js'
import { registerDaemonCommand } from './commands/daemon.js'
import { registerBackupCommand } from './commands/backup.js'
import { registerRestoreCommand } from './commands/restore.js'
import { registerSnapshotCommands } from './commands/snapshots.js'
import { registerCheckCommand } from './commands/check.js'
import { registerKeyCommands } from './commands/key.js'
import { registerStatusCommands } from './commands/status.js'
import { registerAwayCommands } from './commands/away.js'
import { registerPeersCommands } from './commands/peers.js'
import { registerHistoryCommand } from './commands/history.js'
import type { CliIo } from './io.js'

export { VERSION } from './version.js'

export interface Cli {
  run: (argv: string[]) => Promise<number>
}

export function createCli (io: CliIo): Cli {
  return {
    run: async (argv) => {
      const program = new Command()
      program
        .name('p2pbak')
        .description('Peer-to-peer encrypted backup for an office.')
        .version(VERSION, '-V, --version')
        .addOption(new Option('--json', 'print machine-readable JSON instead of text'))
        .addOption(new Option('-c, --config <file>', 'configuration file (default: $XDG_CONFIG_HOME/p2pbak/config.toml, or P2PBAK_CONFIG)'))
        .showHelpAfterError('(run with --help for usage)')
        .exitOverride()
        .configureOutput({
          writeOut: (s) => io.stdout.write(s),
          writeErr: (s) => io.stderr.write(s)
        })
        .addHelpText('after', `\nExit codes:\n${exitCodeTable()}\n`)
      registerStatusCommands(program, io)
      registerPeersCommands(program, io)
      registerInitCommands(program, io)
      registerDaemonCommand(program, io)
      registerBackupCommand(program, io)
      registerSnapshotCommands(program, io)
      registerHistoryCommand(program, io)
      registerRestoreCommand(program, io)
      registerCheckCommand(program, io)
      registerKeyCommands(program, io)
      registerAwayCommands(program, io)
      registerDemoCommand(program, io)
      registerConfigCommands(program, io)
      registerLocalCommands(program, io)
      try {
        await program.parseAsync(argv, { from: 'user' })
        return 0
      } catch (err) {
        return reportError(err, io)
      }
    }
  }
}

export function reportError (err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0
    return 2 // commander already printed the message
  }
  if (!isP2pbakError(err)) err = noSpaceError(err) ?? err // ENOSPC, SQLITE_FULL: exit 13, not a bug
  if (isP2pbakError(err)) {
    io.stderr.write(`p2pbak: ${err.message}\n`)
    if (err.hint !== undefined) io.stderr.write(`  hint: ${err.hint}\n`)
    if (io.env.DEBUG?.includes('p2pbak') === true && err.stack !== undefined) io.stderr.write(err.stack + '\n')
    return exitCodeFor(err.name)
  }
  const e = err as NodeJS.ErrnoException
  if (e?.code === 'ENOENT' || e?.code === 'EACCES' || e?.code === 'ENOTDIR' || e?.code === 'EEXIST') {
    io.stderr.write(`p2pbak: ${e.message}\n  hint: check the path and its permissions\n`)
    return exitCodeFor('InvalidArgumentError')
  }
  io.stderr.write(`p2pbak: internal error: ${e?.message ?? String(err)}\n  hint: this is a bug; rerun with DEBUG=p2pbak:* and report the output\n`)
  if (io.env.DEBUG?.includes('p2pbak') === true && e?.stack !== undefined) io.stderr.write(e.stack + '\n')
  return EXIT_INTERNAL
}

export function absolutePath (p: string, cwd: string): string {
  return resolve(cwd, p)
}
