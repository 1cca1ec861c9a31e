// All four pack protocols at once.
import { registerAll } from '../rpc.js'
import { registerDelete } from './delete-handler.js'
import { registerGet } from './get-handler.js'
import { registerHas } from './has-handler.js'
import { registerPut } from './put-handler.js'
import type { HolderPort } from '../ports.js'
import type { HandlerNode, HandlerOptions, Unregister } from '../rpc.js'

export async function registerPack (node: HandlerNode, port: HolderPort, options: HandlerOptions = {}): Promise<Unregister> {
  // limits differ per protocol: pass only the timeout down, each handler takes its own limits
  const shared: HandlerOptions = options.messageTimeoutMs === undefined ? {} : { messageTimeoutMs: options.messageTimeoutMs }
  return await registerAll([
    registerPut(node, port, shared),
    registerGet(node, port, shared),
    registerHas(node, port, shared),
    registerDelete(node, port, shared)
  ])
}
