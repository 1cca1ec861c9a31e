// The swarm: the daemon's libp2p node and admission by the office's swarm key
// (docs/admission.md). This file is the folder's contract: types, factories and constants only.
//
//   const key = readSwarmKeyFile(join(configDir, SWARM_KEY_FILE_NAME))
//   const node = await createSwarmNode({ privateKey: await loadOrCreateNodeKey(stateDir), swarmKey: key,
//     bootstrap: config.bootstrap, mdns: true })
//   ...
//   await node.stop()

export {
  createSwarmNode,
  DEFAULT_LISTEN,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_PORT,
  DEFAULT_REPROVIDE_INTERVAL,
  DHT_MAX_INBOUND_STREAMS,
  DHT_MAX_OUTBOUND_STREAMS,
  DHT_PROTOCOL,
  YAMUX_MAX_READ_BUFFER,
  YAMUX_MAX_STREAM_WINDOW
} from './node.js'
export type { SwarmLibp2p, SwarmNode, SwarmNodeOptions, SwarmServices } from './node.js'

export { loadOrCreateNodeKey, NODE_KEY_FILE_NAME } from './node-key.js'

export { createSwarmGater } from './gater.js'
export type { SwarmGaterInit } from './gater.js'

export {
  decodeSwarmKey,
  encodeSwarmKey,
  generateSwarmKey,
  InsecureKeyFileError,
  InvalidSwarmKeyError,
  readSwarmKeyFile,
  SWARM_KEY_ENCODING,
  SWARM_KEY_FILE_NAME,
  SWARM_KEY_HEADER,
  SWARM_KEY_LENGTH,
  swarmFingerprint,
  swarmPrologue,
  writeSwarmKeyFile
} from './swarm-key.js'

export type { SelectFn, ValidateFn } from '@libp2p/kad-dht'
