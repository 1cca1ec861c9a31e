// What every command needs: the configuration (loaded the daemon's way: defaults < file <
// environment < flags), the daemon client, and --json aware output.
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadConfig } from '../config/index.js'
import type { Config, ConfigFlags } from '../config/index.js'
import { DaemonClient } from './client.js'
import { withConfigFlag } from './format.js'
import type { CliIo } from './io.js'

export interface GlobalOptions { json?: boolean, config?: string }

export function globals (program: Command): GlobalOptions {
  return program.opts<GlobalOptions>()
}

/**
 * The configuration. With `allowMissing` (init, swarm init: they may create it), a config file
 * named by -c or P2PBAK_CONFIG that does not exist yet is not an error.
 */
export function cliConfig (program: Command, io: CliIo, flags?: ConfigFlags, options: { allowMissing?: boolean } = {}): Config {
  const named = globals(program).config ?? (io.env.P2PBAK_CONFIG === '' ? undefined : io.env.P2PBAK_CONFIG)
  const path = named === undefined ? undefined : resolve(io.cwd, named)
  if (options.allowMissing === true && path !== undefined && !existsSync(path)) {
    const { P2PBAK_CONFIG: _, ...env } = io.env
    return loadConfig({ env, ...(flags === undefined ? {} : { flags }) })
  }
  return loadConfig({ env: io.env, ...(path === undefined ? {} : { file: path }), ...(flags === undefined ? {} : { flags }) })
}

export function daemonClient (config: Config): DaemonClient {
  return new DaemonClient({ socketPath: config.control.socket })
}

/** The -c FILE the user gave, absolute (undefined without -c): hints carry it (format.ts withConfigFlag). */
export function configFlag (program: Command, io: CliIo): string | undefined {
  const named = globals(program).config
  return named === undefined ? undefined : resolve(io.cwd, named)
}

/**
 * JSON (one value on one line, bigints as strings) with --json, else the human text. Every
 * `p2pbak …` that the text or a `hint` field names carries the user's -c FILE.
 */
export function output (program: Command, io: CliIo, value: unknown, text: string | (() => string)): void {
  const config = configFlag(program, io)
  if (globals(program).json === true) {
    io.stdout.write(JSON.stringify(value, (k, v: unknown) => typeof v === 'bigint' ? v.toString() : k === 'hint' && typeof v === 'string' ? withConfigFlag(v, config) : v) + '\n')
  } else {
    io.stdout.write(withConfigFlag(typeof text === 'string' ? text : text(), config))
  }
}
