// `p2pbak key passwd` and `p2pbak key recovery`.
import type { Command } from 'commander'
import { resolve } from 'node:path'
import { cliConfig, daemonClient, output } from '../context.js'
import type { CliIo } from '../io.js'
import { readNewPassphrase, readPassphrase } from '../passphrase.js'

export function registerKeyCommands (program: Command, io: CliIo): void {
  const key = program.command('key').description('the owner\'s keys')
  const file = (f: string | undefined): string | undefined => f === undefined ? undefined : resolve(io.cwd, f)

  key.command('passwd')
    .description('change the passphrase (here and in the swarm\'s copy of the wrapped key)')
    .option('--password-file <file>', 'read the current passphrase from this file (or P2PBAK_PASSWORD)')
    .option('--new-password-file <file>', 'read the new passphrase from this file (or P2PBAK_NEW_PASSWORD)')
    .action(async (o: { passwordFile?: string, newPasswordFile?: string }) => {
      const config = cliConfig(program, io)
      const client = daemonClient(config)
      const oldPass = await readPassphrase(io, file(o.passwordFile), 'P2PBAK_PASSWORD', 'current passphrase: ')
      // A wrong current passphrase fails here, before the new one is asked for.
      await client.keyVerify(oldPass)
      const newPass = await readNewPassphrase(io, file(o.newPasswordFile), 'P2PBAK_NEW_PASSWORD', [config.owner.name])
      const r = await client.keyPasswd(oldPass, newPass)
      output(program, io, r, r.storedInSwarm
        ? 'passphrase changed, here and in the swarm\n'
        : 'passphrase changed here; the swarm\'s copy is updated as soon as peers are online\n')
    })

  key.command('recovery')
    .description('show the recovery key again (asks for the passphrase)')
    .option('--password-file <file>', 'read the passphrase from this file (or P2PBAK_PASSWORD)')
    .action(async (o: { passwordFile?: string }) => {
      const client = daemonClient(cliConfig(program, io))
      const r = await client.keyRecovery(await readPassphrase(io, file(o.passwordFile)))
      output(program, io, r, `${r.recoveryKey}\n`)
    })
}
