import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'

// Default locations follow the XDG base directory spec; relative XDG_* values are ignored as the spec says.

/** Directory name used under the XDG config and data homes. */
export const APP_DIR_NAME = 'p2pbak'
/** File name of the config file inside the config directory. */
export const CONFIG_FILE_NAME = 'config.toml'
/** Names of the files and directories p2pbak keeps in the state directory by default. */
export const STATE_ENTRIES = {
  packs: 'packs',
  swarmKey: 'swarm.key',
  controlSocket: 'control.sock'
} as const

/** The home directory: env HOME when set and absolute (so tests can isolate it), else the OS's idea of it. */
export function homeDir (env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME
  return home !== undefined && isAbsolute(home) ? home : homedir()
}

/** `~` or `~/x` → absolute under the home directory; anything else unchanged. */
export function expandHome (path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (path === '~') return homeDir(env)
  if (path.startsWith('~/')) return join(homeDir(env), path.slice(2))
  return path
}

function xdgHome (env: NodeJS.ProcessEnv, variable: string, fallback: string[]): string {
  const value = env[variable]
  if (value !== undefined && value !== '' && isAbsolute(value)) return value
  return join(homeDir(env), ...fallback)
}

/** `$XDG_CONFIG_HOME/p2pbak/config.toml` or `~/.config/p2pbak/config.toml`, ignoring P2PBAK_CONFIG. */
export function xdgConfigFile (env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgHome(env, 'XDG_CONFIG_HOME', ['.config']), APP_DIR_NAME, CONFIG_FILE_NAME)
}

/** `$XDG_DATA_HOME/p2pbak` or `~/.local/share/p2pbak`, ignoring P2PBAK_STATE_DIR. The default of `state_dir`. */
export function xdgStateDir (env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgHome(env, 'XDG_DATA_HOME', ['.local', 'share']), APP_DIR_NAME)
}

/** The config file to use when none is passed: P2PBAK_CONFIG if set, else the XDG location. */
export function configFilePath (env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.P2PBAK_CONFIG
  if (fromEnv !== undefined && fromEnv !== '') return resolve(expandHome(fromEnv, env))
  return xdgConfigFile(env)
}

/**
 * The state directory before any config file is read: P2PBAK_STATE_DIR if set, else the XDG location.
 * A loaded Config's `stateDir` is authoritative (the file's `state_dir` can also set it).
 */
export function stateDirPath (env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.P2PBAK_STATE_DIR
  if (fromEnv !== undefined && fromEnv !== '') return resolve(expandHome(fromEnv, env))
  return xdgStateDir(env)
}

/** Where the file comes from and whether its absence is an error. */
export interface ConfigFileChoice {
  path: string
  /** Given on purpose (option or P2PBAK_CONFIG): a missing file is an error. */
  explicit: boolean
  /** How it was chosen, for messages. */
  via: string
}

export function chooseConfigFile (file: string | undefined, env: NodeJS.ProcessEnv): ConfigFileChoice {
  if (file !== undefined) return { path: resolve(expandHome(file, env)), explicit: true, via: 'the config file option' }
  const fromEnv = env.P2PBAK_CONFIG
  if (fromEnv !== undefined && fromEnv !== '') {
    return { path: resolve(expandHome(fromEnv, env)), explicit: true, via: 'environment variable P2PBAK_CONFIG' }
  }
  return { path: xdgConfigFile(env), explicit: false, via: 'the default location' }
}
