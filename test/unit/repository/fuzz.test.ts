import { it } from 'vitest'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { decodeTree, encodeTree } from '../../../daemon/repository/repository.js'
import { NodeType } from '../../../daemon/repository/pb/repo.js'
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
it('measure', () => {
  const nodes = []
  for (let i = 0; i < 20000; i++) nodes.push({ name: Buffer.from(`file-${i}.txt`), type: NodeType.FILE, mode: 0o644, uid: 1000, gid: 1000, mtimeNs: 1700000000000000000n + BigInt(i), atimeNs: 1700000000000000000n, ctimeNs: 1700000000000000000n, size: 12345, linkTarget: new Uint8Array(0), xattrs: [], inode: BigInt(i + 100000), device: 2049n, links: 1, content: [{ blob: Buffer.alloc(32, i), hole: 0 }], subtree: new Uint8Array(0) })
  const real = encodeTree({ nodes })
  const empty = Buffer.alloc(256 << 10)
  for (let i = 0; i < empty.length; i += 2) { empty[i] = 0x0a; empty[i + 1] = 0 }
  for (const [name, input] of [['real', real], ['empty', empty]] as const) {
    gc(); const before = process.memoryUsage().heapUsed
    const t = Date.now()
    const tree = decodeTree(input)
    const ms = Date.now() - t
    gc(); const after = process.memoryUsage().heapUsed
    console.log(name, input.length, tree.nodes.length, ((after - before) / input.length).toFixed(1), 'x', ms, 'ms')
  }
})
