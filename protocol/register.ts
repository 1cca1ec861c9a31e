// Every swarm protocol at once: what the daemon's start() calls.
import { registerInfo } from './info/handler.js'
import { registerPack } from './pack/register.js'
import { registerRoot } from './root/handler.js'
import { registerAudit } from './audit/handler.js'
import { registerStripe } from './stripe/handler.js'
import { registerAll } from './rpc.js'
import type { HolderPort, RecordPort } from './ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from './rpc.js'

export interface SwarmPorts {
  holder: HolderPort
  records: RecordPort
}

export interface RegisterOptions {
  /** Time allowed for each inbound frame and each send. Default MESSAGE_TIMEOUT_MS. */
  messageTimeoutMs?: number
  /** Software name and version reported by `info`. Default 'p2pbak'. */
  agent?: string
}

/**
 * Registers info, pack/put|get|has|delete and root on `node`, each with its stream limits
 * (STREAM_LIMITS). Call from the daemon's start(); call the returned function from stop().
 */
export async function registerProtocols (node: HandlerNode, ports: SwarmPorts, options: RegisterOptions = {}): Promise<Unregister> {
  const timeout: HandlerOptions = options.messageTimeoutMs === undefined ? {} : { messageTimeoutMs: options.messageTimeoutMs }
  return await registerAll([
    registerInfo(node, ports.holder, { ...timeout, ...(options.agent === undefined ? {} : { agent: options.agent }) }),
    registerPack(node, ports.holder, timeout),
    registerRoot(node, ports.records, timeout),
    registerAudit(node, ports.holder, timeout),
    registerStripe(node, ports.holder, timeout)
  ])
}
