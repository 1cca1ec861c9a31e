// /p2pbak/info/1.0.0 client.
import { INFO_PROTOCOL, MAX_CONTROL_MESSAGE } from '../constants.js'
import { decodeInfoResponse, encodeInfoRequest } from '../messages.js'
import { requestOnce } from '../rpc.js'
import type { InfoReply } from '../messages.js'
import type { ClientOptions, DialerNode, Peer } from '../rpc.js'

/** A holder's space figures, failure domain and versions. */
export async function getInfo (node: DialerNode, peer: Peer, options: ClientOptions = {}): Promise<InfoReply> {
  const response = await requestOnce(node, peer, INFO_PROTOCOL, encodeInfoRequest(), { ...options, what: 'InfoResponse', maxResponse: MAX_CONTROL_MESSAGE })
  return decodeInfoResponse(response)
}
