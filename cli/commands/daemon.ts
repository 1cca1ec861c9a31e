// `p2pbak daemon`: runs in the foreground (systemd / launchd style) until SIGTERM or SIGINT. The
// first signal stops gracefully (a running backup checkpoints, streams close); a second one exits
// at once.
import type { Command } from 'commander'
import { cliConfig } from '../context.js'
import type { CliIo } from '../io.js'
import { VERSION } from '../version.js'

export function registerDaemonCommand (program: Command, io: CliIo): void {
  program.command('daemon')
    .description('run the p2pbak daemon in the foreground (stop with SIGTERM or Ctrl-C)')
    .option('--log-format <format>', 'operator log format: human or json (log.format)')
    .option('--log-level <level>', 'debug, info, warn or error (log.level)')
    .action(async (o: { logFormat?: string, logLevel?: string }) => {
      const config = cliConfig(program, io, {
        log: {
          ...(o.logFormat === undefined ? {} : { format: o.logFormat as 'human' | 'json' }),
          ...(o.logLevel === undefined ? {} : { level: o.logLevel as 'info' })
        }
      })
      // Loaded here, not at the top: every other command starts faster without libp2p.
      const { createDaemon } = await import('../../daemon/daemon.js')
      const { createOperatorLog } = await import('../../daemon/log.js')
      const log = createOperatorLog({ format: config.log.format, level: config.log.level, destination: io.stderr })
      const daemon = await createDaemon(config, { log, version: VERSION })
      let signals = 0
      const stopped = new Promise<void>((resolve) => {
        const onSignal = (sig: NodeJS.Signals): void => {
          signals++
          if (signals > 1) {
            log.warn('second signal: exiting now', { signal: sig })
            log.flush()
            process.exit(130)
          }
          log.info('stopping (send the signal again to exit at once)', { signal: sig })
          void daemon.stop().then(resolve, (err: Error) => {
            log.error('stopping failed', { error: err.message })
            resolve()
          })
        }
        process.on('SIGTERM', onSignal)
        process.on('SIGINT', onSignal)
      })
      await daemon.start()
      await stopped
      // Everything is closed; should a library keep a handle open, do not hang the service manager.
      setTimeout(() => { process.exit(0) }, 5000).unref()
    })
}
