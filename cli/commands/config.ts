// `p2pbak config show`: load the configuration the way the daemon will (defaults < file <
// environment), validate it, and print the result or every problem with its fix.
import type { Command } from 'commander'
import { loadConfig, renderConfigToml } from '../../config/index.js'
import type { CliIo } from '../io.js'

export function registerConfigCommands (program: Command, io: CliIo): void {
  const config = program.command('config').description('inspect the configuration')
  config.command('show')
    .description('print the effective configuration (defaults < file < environment), or what is wrong with it')
    .option('-c, --config <file>', 'configuration file (default: $XDG_CONFIG_HOME/p2pbak/config.toml, or P2PBAK_CONFIG)')
    .action((o: { config?: string }) => {
      const file = o.config ?? program.opts<{ config?: string }>().config
      const cfg = loadConfig({ file: file ?? io.env.P2PBAK_CONFIG, env: io.env, requireFile: file !== undefined })
      const json = program.opts<{ json?: boolean }>().json === true
      io.stdout.write(json ? JSON.stringify(cfg, null, 2) + '\n' : renderConfigToml(cfg, { env: io.env }))
    })
}
