// createCli(): the p2pbak command line, apart from bin.ts so tests can run it in process.
// For now it drives the repository engine directly ("local" mode, on a folder); the daemon and its
// control API (a later issue) take over `backup`, `restore` and friends, and these commands stay as
// the offline mode, like `restic -r /path`.
import { Command, CommanderError, Option } from 'commander'
import { VERSION } from './version.js'
import { resolve } from 'node:path'
import { isP2pbakError, noSpaceError } from '../daemon/errors.js'
import { exitCodeFor, exitCodeTable, EXIT_INTERNAL, ExitCodeOnly } from './exit-codes.js'
import { withConfigFlag } from './format.js'
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

/**
 * The command tree, every command registered: what createCli parses, and what tests walk to find
 * every command (test/e2e/json-schemas.test.ts: each needs its docs/json/ schema).
 */
export function buildProgram (io: CliIo): Command {
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
  return program
}

export function createCli (io: CliIo): Cli {
  return {
    run: async (argv) => {
      const program = buildProgram(io)
      // Known before parsing, so even a usage error is answered in JSON.
      const json = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length).includes('--json')
      try {
        await program.parseAsync(argv, { from: 'user' })
        return 0
      } catch (err) {
        const config = program.opts<{ config?: string }>().config
        return reportError(err, io, { json, ...(config === undefined ? {} : { configFile: resolve(io.cwd, config) }) })
      }
    }
  }
}

/** How the CLI was invoked, as far as reporting an error needs it. */
export interface ReportContext {
  /** --json: the error is one JSON object on stdout (docs/json/error.schema.json). */
  json?: boolean
  /** The -c FILE the user gave (absolute): every `p2pbak …` a hint names carries it. */
  configFile?: string
}

/** The JSON form of an error (`--json`): `{"error": {name, message, hint, exitCode}}`. */
export interface JsonError { error: { name: string, message: string, hint: string | null, exitCode: number } }

export function reportError (err: unknown, io: CliIo, ctx: ReportContext = {}): number {
  if (err instanceof ExitCodeOnly) return err.code // the command printed its answer already (status --check)
  const say = (name: string, message: string, hint: string | undefined, code: number, quiet = false): number => {
    const h = hint === undefined ? undefined : withConfigFlag(hint, ctx.configFile)
    const m = withConfigFlag(message, ctx.configFile)
    if (ctx.json === true) {
      const e: JsonError = { error: { name, message: m, hint: h ?? null, exitCode: code } }
      io.stdout.write(JSON.stringify(e) + '\n')
    }
    // The same words on stderr in both modes: for whoever reads the log of a cron job or a unit.
    if (!quiet) {
      io.stderr.write(`p2pbak: ${m}\n`)
      if (h !== undefined) io.stderr.write(`  hint: ${h}\n`)
    }
    return code
  }
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0
    if (ctx.json !== true) return 2 // commander already printed the message
    return say('UsageError', err.message.replace(/^error: /, ''), 'run `p2pbak --help` for usage', 2, true) // commander printed it on stderr
  }
  const debug = (stack: string | undefined): void => {
    if (io.env.DEBUG?.includes('p2pbak') === true && stack !== undefined) io.stderr.write(stack + '\n')
  }
  if (!isP2pbakError(err)) err = noSpaceError(err) ?? err // ENOSPC, SQLITE_FULL: exit 13, not a bug
  if (isP2pbakError(err)) {
    const code = say(err.name, err.message, err.hint, exitCodeFor(err.name))
    debug(err.stack)
    return code
  }
  const e = err as NodeJS.ErrnoException
  if (e?.code === 'ENOENT' || e?.code === 'EACCES' || e?.code === 'ENOTDIR' || e?.code === 'EEXIST') {
    return say('InvalidArgumentError', e.message, 'check the path and its permissions', exitCodeFor('InvalidArgumentError'))
  }
  say('InternalError', `internal error: ${e?.message ?? String(err)}`, 'this is a bug; rerun with DEBUG=p2pbak:* and report the output', EXIT_INTERNAL)
  debug(e?.stack)
  return EXIT_INTERNAL
}

export function absolutePath (p: string, cwd: string): string {
  return resolve(cwd, p)
}
