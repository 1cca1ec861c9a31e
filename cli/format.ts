// Human output helpers.

export function formatBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`
}

export function formatSnapshotTime (ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')
}

const started = Date.now()

export function progressLine (files: number, bytes: number, packs?: number): string {
  const secs = Math.max((Date.now() - started) / 1000, 0.001)
  return `${files} files  ${formatBytes(bytes)}${packs !== undefined ? `  ${packs} packs` : ''}  ${formatBytes(bytes / secs)}/s   `
}

/** A word as a POSIX shell reads it back: as is when plain, else in single quotes. */
export function shellQuote (word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, '\'\\\'\'')}'`
}

/**
 * `p2pbak ARGS`, as the user must type it: with the `-c FILE` they gave, so the command suggested
 * acts on the same configuration (and so the same daemon, owner and state). A configuration named
 * by P2PBAK_CONFIG needs nothing: the environment carries it to the next command too.
 */
export function p2pbakCommand (configFile: string | undefined, args: string): string {
  return `p2pbak ${configFile === undefined ? '' : `-c ${shellQuote(configFile)} `}${args}`.trimEnd()
}

/**
 * Every `p2pbak …` that a hint or message names in backticks, with the user's `-c FILE` added
 * (p2pbakCommand). Hints made anywhere (the daemon, the repository, the CLI) pass through this at
 * the CLI's edge (reportError, output), so none of them needs to know how the CLI was invoked.
 */
export function withConfigFlag (text: string, configFile: string | undefined): string {
  if (configFile === undefined) return text
  return text.replace(/`p2pbak(?=[ `])([^`]*)`/g, (whole, args: string) =>
    /(^|\s)(-c|--config)(\s|=)/.test(args) ? whole : `\`${p2pbakCommand(configFile, args.trim())}\``)
}
