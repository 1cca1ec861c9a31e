// A small office of p2pbak daemons on 127.0.0.1, each a separate process of the built binary with
// its own config, state directory and log file. Used by `p2pbak demo`, the end-to-end tests and
// the benchmarks: all of them drive the daemons only through their control API, as the CLI does.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadConfig, renderConfigToml } from '../config/index.js'
import type { ConfigFlags } from '../config/index.js'
import { P2pbakError } from '../daemon/errors.js'
import { KDF_TARGET_ENV } from '../daemon/crypto/index.js'
import { initOwner, OWNER_DIR_NAME, STATE_DB_NAME } from '../daemon/owner.js'
import { StateDb } from '../daemon/repository/state-db.js'
import { loadOrCreateNodeKey, writeSwarmKeyFile } from '../daemon/swarm/index.js'
import { DaemonClient, DaemonNotRunningError } from './client.js'
import type { Status } from '../daemon/control/api.js'

/** The checkout this module belongs to (the folder holding package.json). */
export function projectRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dir !== '/') dir = dirname(dir)
  return dir
}

/** dist/cli/bin.js of this checkout (the binary the office runs). */
export function binPath (): string {
  return join(projectRoot(), 'dist', 'cli', 'bin.js')
}

export class OfficeError extends P2pbakError {
  override name = 'OfficeError'
}

export interface Machine {
  name: string
  dir: string
  configPath: string
  stateDir: string
  logPath: string
  peerId: string
  client: DaemonClient
  /** The running daemon, when started. */
  proc: ChildProcess | undefined
  /** Its TCP listen address with /p2p/…, known once started. */
  address: string | undefined
  /** Set by addMachine when the machine has an owner. */
  recoveryKey: string | undefined
}

export interface OfficeOptions {
  /** Folder that holds every machine (created). */
  root: string
  /** The binary to run (default binPath()). */
  bin?: string
  /** Extra environment for the daemons (e.g. P2PBAK_NETWORK_BANDWIDTH_LIMIT). */
  env?: NodeJS.ProcessEnv
}

export interface AddMachineOptions {
  /** Give the machine an owner of this name (with `passphrase`). */
  owner?: string
  passphrase?: string
  /** Config keys (camelCase like Config), e.g. { repair: { goneAfter: '10s' } }. */
  config?: ConfigFlags
  /** Peers to bootstrap from (default: every started machine). */
  bootstrap?: Machine[]
}

export class Office {
  readonly machines: Machine[] = []
  readonly swarmKeyPath: string
  private readonly bin: string

  constructor (private readonly options: OfficeOptions) {
    mkdirSync(options.root, { recursive: true, mode: 0o700 })
    this.bin = options.bin ?? binPath()
    this.swarmKeyPath = join(options.root, 'swarm.key')
    if (!existsSync(this.swarmKeyPath)) writeSwarmKeyFile(this.swarmKeyPath)
  }

  /** Writes a machine's config, node key and (optionally) owner, as `p2pbak init` does. */
  async addMachine (name: string, o: AddMachineOptions = {}): Promise<Machine> {
    const dir = join(this.options.root, name)
    const stateDir = join(dir, 'state')
    const configPath = join(dir, 'config.toml')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const bootstrap = (o.bootstrap ?? this.machines.filter(m => m.address !== undefined)).map(m => m.address).filter((a): a is string => a !== undefined)
    const flags: ConfigFlags = {
      ...o.config,
      stateDir,
      owner: { name: o.owner ?? name, ...o.config?.owner },
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, mdns: false, swarmKeyFile: this.swarmKeyPath, ...o.config?.network },
      log: { format: 'json', level: 'info', ...o.config?.log }
    }
    const config = loadConfig({ env: { HOME: dir }, flags })
    writeFileSync(configPath, renderConfigToml(config, { env: { HOME: dir } }), { mode: 0o600 })
    const peerId = peerIdFromPrivateKey(await loadOrCreateNodeKey(stateDir)).toString()
    let recoveryKey: string | undefined
    if (o.owner !== undefined) {
      const ownerDir = join(stateDir, OWNER_DIR_NAME)
      const r = await initOwner({ stateDir: ownerDir, ownerName: o.owner, passphrase: o.passphrase ?? '', unattended: true, kdf: { targetMs: 0 } }) // the minimum cost, uncalibrated: a test or demo office
      const state = new StateDb(join(ownerDir, STATE_DB_NAME))
      state.putMeta('synced', 1)
      state.close()
      recoveryKey = r.recoveryKey
    }
    const m: Machine = {
      name, dir, configPath, stateDir, logPath: join(dir, 'daemon.log'), peerId,
      client: new DaemonClient({ socketPath: config.control.socket }), proc: undefined, address: undefined, recoveryKey
    }
    this.machines.push(m)
    return m
  }

  /** A machine set up elsewhere (e.g. by `p2pbak init`): its config file and state directory. */
  async register (name: string, configPath: string): Promise<Machine> {
    const dir = dirname(configPath)
    const config = loadConfig({ env: { HOME: dir }, file: configPath })
    const peerId = peerIdFromPrivateKey(await loadOrCreateNodeKey(config.stateDir)).toString()
    const m: Machine = {
      name, dir, configPath, stateDir: config.stateDir, logPath: join(dir, `${name}-daemon.log`), peerId,
      client: new DaemonClient({ socketPath: config.control.socket }), proc: undefined, address: undefined, recoveryKey: undefined
    }
    this.machines.push(m)
    return m
  }

  /** Starts the daemon process and waits (deadline) until its control API answers. */
  async start (m: Machine, options: { env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<Status> {
    const timeoutMs = options.timeoutMs ?? 30_000
    const fd = openSync(m.logPath, 'a')
    const env: NodeJS.ProcessEnv = {}
    for (const [k, v] of Object.entries(process.env)) if ((!k.startsWith('P2PBAK_') || k === KDF_TARGET_ENV) && k !== 'DEBUG') env[k] = v
    Object.assign(env, this.options.env ?? {}, options.env ?? {}, { HOME: m.dir })
    const proc = spawn(process.execPath, [this.bin, '-c', m.configPath, 'daemon'], { env, stdio: ['ignore', fd, fd] })
    closeSync(fd)
    m.proc = proc
    const exited = new Promise<never>((_resolve, reject) => {
      proc.once('exit', (code, signal) => { reject(new OfficeError(`daemon ${m.name} exited (${code ?? signal ?? '?'}) while starting; see ${m.logPath}`)) })
    })
    exited.catch(() => {})
    const status = await Promise.race([waitFor(async () => await m.client.status().catch((err: unknown) => {
      if (err instanceof DaemonNotRunningError) return undefined
      throw err
    }), timeoutMs, `daemon ${m.name} to answer (log: ${m.logPath})`), exited])
    m.address = status.daemon.listen.find(a => a.includes('/tcp/')) ?? status.daemon.listen[0]
    // Like a real office (port 4701 everywhere), a machine keeps its port across restarts, so that
    // the bootstrap addresses the others were given stay valid: the first port is written back.
    const port = /\/ip4\/127\.0\.0\.1\/tcp\/(\d+)\//.exec(m.address ?? '')?.[1]
    const text = readFileSync(m.configPath, 'utf8')
    if (port !== undefined && text.includes('"/ip4/127.0.0.1/tcp/0"')) {
      writeFileSync(m.configPath, text.replace('"/ip4/127.0.0.1/tcp/0"', `"/ip4/127.0.0.1/tcp/${port}"`), { mode: 0o600 })
    }
    return status
  }

  /** SIGTERM (graceful) or SIGKILL; resolves with the exit code once the process is gone. */
  async stop (m: Machine, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number | null> {
    const proc = m.proc
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) { m.proc = undefined; return proc?.exitCode ?? null }
    const done = new Promise<number | null>(resolve => { proc.once('exit', (code) => { resolve(code) }) })
    proc.kill(signal)
    const timer = setTimeout(() => { proc.kill('SIGKILL') }, timeoutMs)
    try {
      return await done
    } finally {
      clearTimeout(timer)
      m.proc = undefined
    }
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.machines.map(async m => await this.stop(m)))
  }
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T> (probe: () => Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      throw new OfficeError(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`)
    }
    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}
