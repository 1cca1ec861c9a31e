// `p2pbak swarm init` (a new office swarm key) and `p2pbak init` (this machine's owner and config).
// Both work without a daemon: they only write files, crash-safely, and refuse to overwrite.
import type { Command } from 'commander'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { configFilePath, renderConfigToml } from '../../config/index.js'
import type { Config, ConfigFlags } from '../../config/index.js'
import { AlreadyExistsError, InvalidArgumentError } from '../../daemon/errors.js'
import { initOwner, OWNER_DIR_NAME, STATE_DB_NAME } from '../../daemon/owner.js'
import { StateDb } from '../../daemon/repository/state-db.js'
import { swarmFingerprint, writeNewFileAtomic, writeSwarmKeyFile } from '../../daemon/swarm/swarm-key.js'
import { DaemonNotRunningError } from '../client.js'
import { cliConfig, daemonClient, globals, output } from '../context.js'
import type { CliIo } from '../io.js'
import { readNewPassphrase, readPassphrase } from '../passphrase.js'
import { readRecoveryKey, recoveryKeyFileOption, recoveryKeyOption } from '../recovery-key.js'

interface InitOpts {
  adopt?: boolean
  recoveryKey?: true
  recoveryKeyFile?: string
  owner?: string
  passwordFile?: string
  path?: string[]
  listen?: string[]
  bootstrap?: string[]
  domain?: string
  quota?: string
  replicas?: string
  swarmKey?: string
  stateDir?: string
  mdns?: boolean
}

export function registerInitCommands (program: Command, io: CliIo): void {
  const swarm = program.command('swarm').description('the office swarm')
  swarm.command('init')
    .description('create a new swarm key (once per office); copy the file to every machine')
    .option('--out <file>', 'where to write it (default: network.swarm_key_file of the config)')
    .action((o: { out?: string }) => {
      const config = cliConfig(program, io, undefined, { allowMissing: true })
      const path = o.out !== undefined ? resolve(io.cwd, o.out) : config.network.swarmKeyFile
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      const key = writeSwarmKeyFile(path)
      output(program, io, { swarmKeyFile: path, swarmId: swarmFingerprint(key) },
        `wrote a new swarm key to ${path} (swarm ${swarmFingerprint(key)})\n` +
        'Copy this file (mode 600) to every machine of the office, to the path set by network.swarm_key_file.\n' +
        'Anyone with this file can join the swarm: keep it like a password.\n')
    })

  program.command('init')
    .description('make this machine an owner: writes the config (if none) and the owner\'s keys; prints the recovery key once')
    .option('--owner <name>', 'owner name, unique in the office, e.g. alice-laptop (default: the hostname)')
    .option('--password-file <file>', 'read the passphrase from this file (or set P2PBAK_PASSWORD; else it is asked)')
    .option('--path <dir...>', 'folders to back up on schedule (backup.paths)')
    .option('--listen <multiaddr...>', 'listen addresses (network.listen)')
    .option('--bootstrap <multiaddr...>', 'peers to dial at start (network.bootstrap)')
    .option('--domain <label>', 'failure domain of this machine (storage.domain)')
    .option('--quota <size>', 'space offered to others (storage.quota), e.g. 50GiB')
    .option('--replicas <n>', 'copies of each pack (redundancy.replicas)')
    .option('--swarm-key <file>', 'the office swarm key file (network.swarm_key_file)')
    .option('--state-dir <dir>', 'state directory (state_dir)')
    .option('--no-mdns', 'do not look for peers on the LAN by mDNS')
    .option('--adopt', 'become an existing owner (a replacement laptop): same history, nothing uploaded again; needs --owner and its passphrase or recovery key')
    .addOption(recoveryKeyOption('with --adopt, instead of the passphrase (then a new passphrase is set): '))
    .addOption(recoveryKeyFileOption('with --adopt: '))
    .action(async (o: InitOpts) => {
      const flags = initFlags(o, io)
      const named = globals(program).config
      const configPath = named !== undefined ? resolve(io.cwd, named) : configFilePath(io.env)
      const configExists = existsSync(configPath)
      if (o.adopt === true) {
        await adopt(program, io, o, flags, configPath, configExists)
        return
      }
      if (configExists && Object.keys(flags).length > 0) {
        throw new AlreadyExistsError(`the config file ${configPath} exists, so init does not take config options`, {
          hint: 'edit that file instead, or give another file with -c/--config'
        })
      }
      const config = configExists ? cliConfig(program, io) : cliConfig(program, io, flags, { allowMissing: true })
      const ownerDir = join(config.stateDir, OWNER_DIR_NAME)
      if (existsSync(join(ownerDir, 'keyfile.json'))) {
        throw new AlreadyExistsError(`${config.stateDir} already holds the owner of this machine`, {
          hint: 'keep using it; to start over, stop the daemon and use a fresh state directory'
        })
      }
      const passphrase = await readNewPassphrase(io, o.passwordFile === undefined ? undefined : resolve(io.cwd, o.passwordFile), 'P2PBAK_PASSWORD', [config.owner.name])
      mkdirSync(config.stateDir, { recursive: true, mode: 0o700 })
      if (!configExists) {
        mkdirSync(dirname(configPath), { recursive: true, mode: 0o700 })
        writeNewFileAtomic(configPath, renderConfigToml(config, { env: io.env }))
      }
      const r = await initOwner({ stateDir: ownerDir, ownerName: config.owner.name, passphrase, unattended: true })
      // A new owner has nothing to read from the swarm: its state is in sync from the start.
      const state = new StateDb(join(ownerDir, STATE_DB_NAME))
      state.putMeta('synced', 1)
      state.close()
      // The node identity now, so the admin can hand out this machine's address as a bootstrap peer.
      const { loadOrCreateNodeKey } = await import('../../daemon/swarm/node-key.js') // libp2p: loaded only when needed
      const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
      const nodeKey = await loadOrCreateNodeKey(config.stateDir)
      const peerId = peerIdFromPrivateKey(nodeKey).toString()
      const daemon = await tellDaemon(config, 'running: it picked up the new owner')
      const swarmKeyNote = existsSync(config.network.swarmKeyFile)
        ? ''
        : `\nNo swarm key at ${config.network.swarmKeyFile} yet: copy the office's swarm.key there (or run \`p2pbak swarm init\` for a new office).\n`
      output(program, io, {
        owner: config.owner.name, ownerId: r.ownerId, recoveryKey: r.recoveryKey, config: configPath, configWritten: !configExists, stateDir: config.stateDir,
        peerId, listen: config.network.listen.map(a => `${a}/p2p/${peerId}`)
      }, `created owner ${config.owner.name} (${r.ownerId})\n` +
        `config:  ${configPath}${configExists ? ' (existing, unchanged)' : ' (new)'}\nstate:   ${config.stateDir}\npeer ID: ${peerId} (bootstrap address for colleagues: ${config.network.listen[0] ?? ''}/p2p/${peerId}, with this machine's IP)\ndaemon:  ${daemon}\n` +
        `\nRecovery key: write it down and keep it away from this machine. With it alone (or your owner name\nand passphrase) you can restore everything from the office, even if this machine is lost.\n\n${r.recoveryKey}\n` +
        swarmKeyNote)
    })
}

async function adopt (program: Command, io: CliIo, o: InitOpts, flags: ConfigFlags, configPath: string, configExists: boolean): Promise<void> {
  if (o.owner === undefined) throw new InvalidArgumentError('--adopt needs --owner NAME: the owner this machine becomes', { hint: 'e.g. `p2pbak init --adopt --owner alice-laptop`' })
  const config = configExists ? cliConfig(program, io) : cliConfig(program, io, flags, { allowMissing: true })
  if (configExists && config.owner.name !== o.owner) {
    throw new AlreadyExistsError(`the config file ${configPath} names owner "${config.owner.name}"`, { hint: `set owner.name = "${o.owner}" there, or give another config file with -c` })
  }
  const recoveryKey = await readRecoveryKey(io, o)
  const pwFile = o.passwordFile === undefined ? undefined : resolve(io.cwd, o.passwordFile)
  const secrets = recoveryKey !== undefined
    ? { recoveryKey, newPassphrase: await readNewPassphrase(io, pwFile, 'P2PBAK_PASSWORD', [o.owner]) }
    : { passphrase: await readPassphrase(io, pwFile) }
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 })
  const { adoptOwner } = await import('../../daemon/standalone.js')
  const r = await adoptOwner({ config: { ...config, owner: { ...config.owner, name: o.owner } }, ownerName: o.owner, ...secrets })
  if (!configExists) {
    mkdirSync(dirname(configPath), { recursive: true, mode: 0o700 })
    writeNewFileAtomic(configPath, renderConfigToml(config, { env: io.env }))
  }
  const daemon = await tellDaemon(config, 'running: it picked up the owner')
  output(program, io, { owner: o.owner, ownerId: r.ownerId, snapshots: r.snapshots, adopted: true, config: configPath, configWritten: !configExists, stateDir: config.stateDir },
    `this machine is now owner ${o.owner} (${r.ownerId}): ${r.snapshots} snapshot(s) in its history\n` +
    `config:  ${configPath}${configExists ? ' (existing, unchanged)' : ' (new)'}\nstate:   ${config.stateDir}\ndaemon:  ${daemon}\n` +
    'The next backup stores only what the office does not hold yet.\n' +
    (recoveryKey !== undefined ? 'The new passphrase now opens this owner, here and in the office\'s copy of the key.\n' : ''))
}

/** Hands a new owner to a running daemon; says what happened. */
async function tellDaemon (config: Config, running: string): Promise<string> {
  try {
    await daemonClient(config).ownerReload()
    return running
  } catch (err) {
    if (!(err instanceof DaemonNotRunningError)) throw err
    return 'not running: start it with `p2pbak daemon`'
  }
}

function initFlags (o: InitOpts, io: CliIo): ConfigFlags {
  const flags: Record<string, Record<string, unknown>> & { stateDir?: string } = {}
  const set = (section: string, key: string, value: unknown): void => {
    if (value === undefined) return
    flags[section] ??= {}
    flags[section][key] = value
  }
  set('owner', 'name', o.owner)
  set('backup', 'paths', o.path?.map(p => resolve(io.cwd, p)))
  set('network', 'listen', o.listen)
  set('network', 'bootstrap', o.bootstrap)
  set('network', 'swarmKeyFile', o.swarmKey === undefined ? undefined : resolve(io.cwd, o.swarmKey))
  if (o.mdns === false) set('network', 'mdns', false)
  set('storage', 'domain', o.domain)
  set('storage', 'quota', o.quota)
  set('redundancy', 'replicas', o.replicas !== undefined && /^\d+$/.test(o.replicas) ? Number(o.replicas) : o.replicas)
  if (o.stateDir !== undefined) flags.stateDir = resolve(io.cwd, o.stateDir)
  return flags as ConfigFlags
}
