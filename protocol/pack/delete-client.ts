// /p2pbak/pack/delete/1.0.0 client. Sign deleteSignedBytes(packId, ownerKey, timeMs) with the
// owner's Ed25519 key first.
import { MAX_CONTROL_MESSAGE, PACK_DELETE_PROTOCOL } from '../constants.js'
import { ProtocolError } from '../errors.js'
import { decodeDeleteResponse, encodeDeleteRequest } from '../messages.js'
import { requestOnce } from '../rpc.js'
import type { DeleteQuery } from '../messages.js'
import type { ClientOptions, DialerNode, Peer } from '../rpc.js'

/** Asks `peer` to delete a pack. 'bad-request' is thrown as ProtocolError BAD_REQUEST. */
export async function deletePack (node: DialerNode, peer: Peer, query: DeleteQuery, options: ClientOptions = {}): Promise<'deleted' | 'not-found' | 'forbidden'> {
  const response = await requestOnce(node, peer, PACK_DELETE_PROTOCOL, encodeDeleteRequest(query), { ...options, what: 'DeleteResponse', maxResponse: MAX_CONTROL_MESSAGE })
  const status = decodeDeleteResponse(response)
  if (status === 'bad-request') throw new ProtocolError('BAD_REQUEST', `the holder refused the delete request for ${query.packId} as malformed`)
  return status
}
