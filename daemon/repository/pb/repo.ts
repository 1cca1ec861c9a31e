import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum BlobType {
  DATA = 'DATA',
  TREE = 'TREE',
  INDEX = 'INDEX',
  SNAPSHOT = 'SNAPSHOT',
  MANIFEST = 'MANIFEST'
}

enum __BlobTypeValues {
  DATA = 0,
  TREE = 1,
  INDEX = 2,
  SNAPSHOT = 3,
  MANIFEST = 4
}

export namespace BlobType {
  export const codec = (): Codec<BlobType> => {
    return enumeration<BlobType>(__BlobTypeValues)
  }
}

export interface PackEntry {
  id: Uint8Array
  type: BlobType
  offset: number
  length: number
  rawLength: number
  compressed: boolean
}

export namespace PackEntry {
  let _codec: Codec<PackEntry>

  export const codec = (): Codec<PackEntry> => {
    if (_codec == null) {
      _codec = message<PackEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if (obj.type != null && __BlobTypeValues[obj.type] !== 0) {
          w.uint32(16)
          BlobType.codec().encode(obj.type, w)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(24)
          w.uint32(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(32)
          w.uint32(obj.length)
        }

        if ((obj.rawLength != null && obj.rawLength !== 0)) {
          w.uint32(40)
          w.uint32(obj.rawLength)
        }

        if ((obj.compressed != null && obj.compressed !== false)) {
          w.uint32(48)
          w.bool(obj.compressed)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          type: BlobType.DATA,
          offset: 0,
          length: 0,
          rawLength: 0,
          compressed: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.type = BlobType.codec().decode(reader)
              break
            }
            case 3: {
              obj.offset = reader.uint32()
              break
            }
            case 4: {
              obj.length = reader.uint32()
              break
            }
            case 5: {
              obj.rawLength = reader.uint32()
              break
            }
            case 6: {
              obj.compressed = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: BlobType.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.rawLength`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.compressed`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PackEntryIdFieldEvent {
    field: '$.id'
    value: Uint8Array
  }

  export interface PackEntryTypeFieldEvent {
    field: '$.type'
    value: BlobType
  }

  export interface PackEntryOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface PackEntryLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export interface PackEntryRawLengthFieldEvent {
    field: '$.rawLength'
    value: number
  }

  export interface PackEntryCompressedFieldEvent {
    field: '$.compressed'
    value: boolean
  }

  export function encode (obj: Partial<PackEntry>): Uint8Array {
    return encodeMessage(obj, PackEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PackEntry>): PackEntry {
    return decodeMessage(buf, PackEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PackEntry>): Generator<PackEntryIdFieldEvent | PackEntryTypeFieldEvent | PackEntryOffsetFieldEvent | PackEntryLengthFieldEvent | PackEntryRawLengthFieldEvent | PackEntryCompressedFieldEvent> {
    return streamMessage(buf, PackEntry.codec(), opts)
  }
}

export interface PackHeader {
  version: number
  type: BlobType
  entries: PackEntry[]
}

export namespace PackHeader {
  let _codec: Codec<PackHeader>

  export const codec = (): Codec<PackHeader> => {
    if (_codec == null) {
      _codec = message<PackHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.type != null && __BlobTypeValues[obj.type] !== 0) {
          w.uint32(16)
          BlobType.codec().encode(obj.type, w)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(26)
            PackEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          type: BlobType.DATA,
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.type = BlobType.codec().decode(reader)
              break
            }
            case 3: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(PackEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: BlobType.codec().decode(reader)
              }
              break
            }
            case 3: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of PackEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PackHeaderVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface PackHeaderTypeFieldEvent {
    field: '$.type'
    value: BlobType
  }

  export interface PackHeaderEntriesIdFieldEvent {
    field: '$.entries[].id'
    value: Uint8Array
    index: number
  }

  export interface PackHeaderEntriesTypeFieldEvent {
    field: '$.entries[].type'
    value: BlobType
    index: number
  }

  export interface PackHeaderEntriesOffsetFieldEvent {
    field: '$.entries[].offset'
    value: number
    index: number
  }

  export interface PackHeaderEntriesLengthFieldEvent {
    field: '$.entries[].length'
    value: number
    index: number
  }

  export interface PackHeaderEntriesRawLengthFieldEvent {
    field: '$.entries[].rawLength'
    value: number
    index: number
  }

  export interface PackHeaderEntriesCompressedFieldEvent {
    field: '$.entries[].compressed'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<PackHeader>): Uint8Array {
    return encodeMessage(obj, PackHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PackHeader>): PackHeader {
    return decodeMessage(buf, PackHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PackHeader>): Generator<PackHeaderVersionFieldEvent | PackHeaderTypeFieldEvent | PackHeaderEntriesIdFieldEvent | PackHeaderEntriesTypeFieldEvent | PackHeaderEntriesOffsetFieldEvent | PackHeaderEntriesLengthFieldEvent | PackHeaderEntriesRawLengthFieldEvent | PackHeaderEntriesCompressedFieldEvent> {
    return streamMessage(buf, PackHeader.codec(), opts)
  }
}

export interface ContentRef {
  blob: Uint8Array
  hole: number
  length: number
}

export namespace ContentRef {
  let _codec: Codec<ContentRef>

  export const codec = (): Codec<ContentRef> => {
    if (_codec == null) {
      _codec = message<ContentRef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.blob != null && obj.blob.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.blob)
        }

        if ((obj.hole != null && obj.hole !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.hole)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(24)
          w.uint32(obj.length)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          blob: uint8ArrayAlloc(0),
          hole: 0,
          length: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.blob = reader.bytes()
              break
            }
            case 2: {
              obj.hole = reader.uint64Number()
              break
            }
            case 3: {
              obj.length = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.blob`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.hole`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ContentRefBlobFieldEvent {
    field: '$.blob'
    value: Uint8Array
  }

  export interface ContentRefHoleFieldEvent {
    field: '$.hole'
    value: number
  }

  export interface ContentRefLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export function encode (obj: Partial<ContentRef>): Uint8Array {
    return encodeMessage(obj, ContentRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContentRef>): ContentRef {
    return decodeMessage(buf, ContentRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContentRef>): Generator<ContentRefBlobFieldEvent | ContentRefHoleFieldEvent | ContentRefLengthFieldEvent> {
    return streamMessage(buf, ContentRef.codec(), opts)
  }
}

export interface Xattr {
  name: Uint8Array
  value: Uint8Array
}

export namespace Xattr {
  let _codec: Codec<Xattr>

  export const codec = (): Codec<Xattr> => {
    if (_codec == null) {
      _codec = message<Xattr>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.name)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: uint8ArrayAlloc(0),
          value: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.bytes()
              break
            }
            case 2: {
              obj.value = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.value`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface XattrNameFieldEvent {
    field: '$.name'
    value: Uint8Array
  }

  export interface XattrValueFieldEvent {
    field: '$.value'
    value: Uint8Array
  }

  export function encode (obj: Partial<Xattr>): Uint8Array {
    return encodeMessage(obj, Xattr.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Xattr>): Xattr {
    return decodeMessage(buf, Xattr.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Xattr>): Generator<XattrNameFieldEvent | XattrValueFieldEvent> {
    return streamMessage(buf, Xattr.codec(), opts)
  }
}

export enum NodeType {
  FILE = 'FILE',
  DIR = 'DIR',
  SYMLINK = 'SYMLINK'
}

enum __NodeTypeValues {
  FILE = 0,
  DIR = 1,
  SYMLINK = 2
}

export namespace NodeType {
  export const codec = (): Codec<NodeType> => {
    return enumeration<NodeType>(__NodeTypeValues)
  }
}

export interface Node {
  name: Uint8Array
  type: NodeType
  mode: number
  uid: number
  gid: number
  mtimeNs: bigint
  atimeNs: bigint
  ctimeNs: bigint
  size: number
  linkTarget: Uint8Array
  xattrs: Xattr[]
  inode: bigint
  device: bigint
  links: number
  content: ContentRef[]
  subtree: Uint8Array
  sparse: boolean
}

export namespace Node {
  let _codec: Codec<Node>

  export const codec = (): Codec<Node> => {
    if (_codec == null) {
      _codec = message<Node>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.name)
        }

        if (obj.type != null && __NodeTypeValues[obj.type] !== 0) {
          w.uint32(16)
          NodeType.codec().encode(obj.type, w)
        }

        if ((obj.mode != null && obj.mode !== 0)) {
          w.uint32(24)
          w.uint32(obj.mode)
        }

        if ((obj.uid != null && obj.uid !== 0)) {
          w.uint32(32)
          w.uint32(obj.uid)
        }

        if ((obj.gid != null && obj.gid !== 0)) {
          w.uint32(40)
          w.uint32(obj.gid)
        }

        if ((obj.mtimeNs != null && obj.mtimeNs !== 0n)) {
          w.uint32(48)
          w.sint64(obj.mtimeNs)
        }

        if ((obj.atimeNs != null && obj.atimeNs !== 0n)) {
          w.uint32(56)
          w.sint64(obj.atimeNs)
        }

        if ((obj.ctimeNs != null && obj.ctimeNs !== 0n)) {
          w.uint32(64)
          w.sint64(obj.ctimeNs)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.size)
        }

        if ((obj.linkTarget != null && obj.linkTarget.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.linkTarget)
        }

        if (obj.xattrs != null && obj.xattrs.length > 0) {
          for (const value of obj.xattrs) {
            w.uint32(90)
            Xattr.codec().encode(value, w)
          }
        }

        if ((obj.inode != null && obj.inode !== 0n)) {
          w.uint32(96)
          w.uint64(obj.inode)
        }

        if ((obj.device != null && obj.device !== 0n)) {
          w.uint32(104)
          w.uint64(obj.device)
        }

        if ((obj.links != null && obj.links !== 0)) {
          w.uint32(112)
          w.uint32(obj.links)
        }

        if (obj.content != null && obj.content.length > 0) {
          for (const value of obj.content) {
            w.uint32(122)
            ContentRef.codec().encode(value, w)
          }
        }

        if ((obj.subtree != null && obj.subtree.byteLength > 0)) {
          w.uint32(130)
          w.bytes(obj.subtree)
        }

        if ((obj.sparse != null && obj.sparse !== false)) {
          w.uint32(136)
          w.bool(obj.sparse)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: uint8ArrayAlloc(0),
          type: NodeType.FILE,
          mode: 0,
          uid: 0,
          gid: 0,
          mtimeNs: 0n,
          atimeNs: 0n,
          ctimeNs: 0n,
          size: 0,
          linkTarget: uint8ArrayAlloc(0),
          xattrs: [],
          inode: 0n,
          device: 0n,
          links: 0,
          content: [],
          subtree: uint8ArrayAlloc(0),
          sparse: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.bytes()
              break
            }
            case 2: {
              obj.type = NodeType.codec().decode(reader)
              break
            }
            case 3: {
              obj.mode = reader.uint32()
              break
            }
            case 4: {
              obj.uid = reader.uint32()
              break
            }
            case 5: {
              obj.gid = reader.uint32()
              break
            }
            case 6: {
              obj.mtimeNs = reader.sint64()
              break
            }
            case 7: {
              obj.atimeNs = reader.sint64()
              break
            }
            case 8: {
              obj.ctimeNs = reader.sint64()
              break
            }
            case 9: {
              obj.size = reader.uint64Number()
              break
            }
            case 10: {
              obj.linkTarget = reader.bytes()
              break
            }
            case 11: {
              if (opts.limits?.xattrs != null && obj.xattrs.length === opts.limits.xattrs) {
                throw new MaxLengthError('Decode error - repeated field "xattrs" had too many elements')
              }

              obj.xattrs.push(Xattr.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.xattrs$
              }))
              break
            }
            case 12: {
              obj.inode = reader.uint64()
              break
            }
            case 13: {
              obj.device = reader.uint64()
              break
            }
            case 14: {
              obj.links = reader.uint32()
              break
            }
            case 15: {
              if (opts.limits?.content != null && obj.content.length === opts.limits.content) {
                throw new MaxLengthError('Decode error - repeated field "content" had too many elements')
              }

              obj.content.push(ContentRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.content$
              }))
              break
            }
            case 16: {
              obj.subtree = reader.bytes()
              break
            }
            case 17: {
              obj.sparse = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          xattrs: 0,
          content: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: NodeType.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.mode`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.uid`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.gid`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.mtimeNs`,
                value: reader.sint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.atimeNs`,
                value: reader.sint64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.ctimeNs`,
                value: reader.sint64()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.linkTarget`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              if (opts.limits?.xattrs != null && obj.xattrs === opts.limits.xattrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "xattrs" had too many elements')
              }

              for (const evt of Xattr.codec().stream(reader, reader.uint32(), `${prefix}.xattrs[]`, {
                limits: opts.limits?.xattrs$
              })) {
                yield {
                  ...evt,
                  index: obj.xattrs
                }
              }

              obj.xattrs++

              break
            }
            case 12: {
              yield {
                field: `${prefix}.inode`,
                value: reader.uint64()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.device`,
                value: reader.uint64()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.links`,
                value: reader.uint32()
              }
              break
            }
            case 15: {
              if (opts.limits?.content != null && obj.content === opts.limits.content) {
                throw new MaxLengthError('Streaming decode error - repeated field "content" had too many elements')
              }

              for (const evt of ContentRef.codec().stream(reader, reader.uint32(), `${prefix}.content[]`, {
                limits: opts.limits?.content$
              })) {
                yield {
                  ...evt,
                  index: obj.content
                }
              }

              obj.content++

              break
            }
            case 16: {
              yield {
                field: `${prefix}.subtree`,
                value: reader.bytes()
              }
              break
            }
            case 17: {
              yield {
                field: `${prefix}.sparse`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface NodeNameFieldEvent {
    field: '$.name'
    value: Uint8Array
  }

  export interface NodeTypeFieldEvent {
    field: '$.type'
    value: NodeType
  }

  export interface NodeModeFieldEvent {
    field: '$.mode'
    value: number
  }

  export interface NodeUidFieldEvent {
    field: '$.uid'
    value: number
  }

  export interface NodeGidFieldEvent {
    field: '$.gid'
    value: number
  }

  export interface NodeMtimeNsFieldEvent {
    field: '$.mtimeNs'
    value: bigint
  }

  export interface NodeAtimeNsFieldEvent {
    field: '$.atimeNs'
    value: bigint
  }

  export interface NodeCtimeNsFieldEvent {
    field: '$.ctimeNs'
    value: bigint
  }

  export interface NodeSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface NodeLinkTargetFieldEvent {
    field: '$.linkTarget'
    value: Uint8Array
  }

  export interface NodeXattrsNameFieldEvent {
    field: '$.xattrs[].name'
    value: Uint8Array
    index: number
  }

  export interface NodeXattrsValueFieldEvent {
    field: '$.xattrs[].value'
    value: Uint8Array
    index: number
  }

  export interface NodeInodeFieldEvent {
    field: '$.inode'
    value: bigint
  }

  export interface NodeDeviceFieldEvent {
    field: '$.device'
    value: bigint
  }

  export interface NodeLinksFieldEvent {
    field: '$.links'
    value: number
  }

  export interface NodeContentBlobFieldEvent {
    field: '$.content[].blob'
    value: Uint8Array
    index: number
  }

  export interface NodeContentHoleFieldEvent {
    field: '$.content[].hole'
    value: number
    index: number
  }

  export interface NodeContentLengthFieldEvent {
    field: '$.content[].length'
    value: number
    index: number
  }

  export interface NodeSubtreeFieldEvent {
    field: '$.subtree'
    value: Uint8Array
  }

  export interface NodeSparseFieldEvent {
    field: '$.sparse'
    value: boolean
  }

  export function encode (obj: Partial<Node>): Uint8Array {
    return encodeMessage(obj, Node.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Node>): Node {
    return decodeMessage(buf, Node.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Node>): Generator<NodeNameFieldEvent | NodeTypeFieldEvent | NodeModeFieldEvent | NodeUidFieldEvent | NodeGidFieldEvent | NodeMtimeNsFieldEvent | NodeAtimeNsFieldEvent | NodeCtimeNsFieldEvent | NodeSizeFieldEvent | NodeLinkTargetFieldEvent | NodeXattrsNameFieldEvent | NodeXattrsValueFieldEvent | NodeInodeFieldEvent | NodeDeviceFieldEvent | NodeLinksFieldEvent | NodeContentBlobFieldEvent | NodeContentHoleFieldEvent | NodeContentLengthFieldEvent | NodeSubtreeFieldEvent | NodeSparseFieldEvent> {
    return streamMessage(buf, Node.codec(), opts)
  }
}

export interface Tree {
  nodes: Node[]
}

export namespace Tree {
  let _codec: Codec<Tree>

  export const codec = (): Codec<Tree> => {
    if (_codec == null) {
      _codec = message<Tree>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.nodes != null && obj.nodes.length > 0) {
          for (const value of obj.nodes) {
            w.uint32(10)
            Node.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          nodes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.nodes != null && obj.nodes.length === opts.limits.nodes) {
                throw new MaxLengthError('Decode error - repeated field "nodes" had too many elements')
              }

              obj.nodes.push(Node.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.nodes$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          nodes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.nodes != null && obj.nodes === opts.limits.nodes) {
                throw new MaxLengthError('Streaming decode error - repeated field "nodes" had too many elements')
              }

              for (const evt of Node.codec().stream(reader, reader.uint32(), `${prefix}.nodes[]`, {
                limits: opts.limits?.nodes$
              })) {
                yield {
                  ...evt,
                  index: obj.nodes
                }
              }

              obj.nodes++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TreeNodesNameFieldEvent {
    field: '$.nodes[].name'
    value: Uint8Array
    index: number
  }

  export interface TreeNodesTypeFieldEvent {
    field: '$.nodes[].type'
    value: NodeType
    index: number
  }

  export interface TreeNodesModeFieldEvent {
    field: '$.nodes[].mode'
    value: number
    index: number
  }

  export interface TreeNodesUidFieldEvent {
    field: '$.nodes[].uid'
    value: number
    index: number
  }

  export interface TreeNodesGidFieldEvent {
    field: '$.nodes[].gid'
    value: number
    index: number
  }

  export interface TreeNodesMtimeNsFieldEvent {
    field: '$.nodes[].mtimeNs'
    value: bigint
    index: number
  }

  export interface TreeNodesAtimeNsFieldEvent {
    field: '$.nodes[].atimeNs'
    value: bigint
    index: number
  }

  export interface TreeNodesCtimeNsFieldEvent {
    field: '$.nodes[].ctimeNs'
    value: bigint
    index: number
  }

  export interface TreeNodesSizeFieldEvent {
    field: '$.nodes[].size'
    value: number
    index: number
  }

  export interface TreeNodesLinkTargetFieldEvent {
    field: '$.nodes[].linkTarget'
    value: Uint8Array
    index: number
  }

  export interface TreeNodesXattrsNameFieldEvent {
    field: '$.nodes[].xattrs[].name'
    value: Uint8Array
    index: number
  }

  export interface TreeNodesXattrsValueFieldEvent {
    field: '$.nodes[].xattrs[].value'
    value: Uint8Array
    index: number
  }

  export interface TreeNodesInodeFieldEvent {
    field: '$.nodes[].inode'
    value: bigint
    index: number
  }

  export interface TreeNodesDeviceFieldEvent {
    field: '$.nodes[].device'
    value: bigint
    index: number
  }

  export interface TreeNodesLinksFieldEvent {
    field: '$.nodes[].links'
    value: number
    index: number
  }

  export interface TreeNodesContentBlobFieldEvent {
    field: '$.nodes[].content[].blob'
    value: Uint8Array
    index: number
  }

  export interface TreeNodesContentHoleFieldEvent {
    field: '$.nodes[].content[].hole'
    value: number
    index: number
  }

  export interface TreeNodesContentLengthFieldEvent {
    field: '$.nodes[].content[].length'
    value: number
    index: number
  }

  export interface TreeNodesSubtreeFieldEvent {
    field: '$.nodes[].subtree'
    value: Uint8Array
    index: number
  }

  export interface TreeNodesSparseFieldEvent {
    field: '$.nodes[].sparse'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Tree>): Uint8Array {
    return encodeMessage(obj, Tree.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Tree>): Tree {
    return decodeMessage(buf, Tree.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Tree>): Generator<TreeNodesNameFieldEvent | TreeNodesTypeFieldEvent | TreeNodesModeFieldEvent | TreeNodesUidFieldEvent | TreeNodesGidFieldEvent | TreeNodesMtimeNsFieldEvent | TreeNodesAtimeNsFieldEvent | TreeNodesCtimeNsFieldEvent | TreeNodesSizeFieldEvent | TreeNodesLinkTargetFieldEvent | TreeNodesXattrsNameFieldEvent | TreeNodesXattrsValueFieldEvent | TreeNodesInodeFieldEvent | TreeNodesDeviceFieldEvent | TreeNodesLinksFieldEvent | TreeNodesContentBlobFieldEvent | TreeNodesContentHoleFieldEvent | TreeNodesContentLengthFieldEvent | TreeNodesSubtreeFieldEvent | TreeNodesSparseFieldEvent> {
    return streamMessage(buf, Tree.codec(), opts)
  }
}

export interface Summary {
  filesNew: number
  filesChanged: number
  filesUnmodified: number
  dirs: number
  blobsAdded: number
  bytesRead: number
  bytesAdded: number
  bytesStored: number
  totalFiles: number
  totalBytes: number
  durationMs: number
  warnings: string[]
  packsAdded: number
}

export namespace Summary {
  let _codec: Codec<Summary>

  export const codec = (): Codec<Summary> => {
    if (_codec == null) {
      _codec = message<Summary>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.filesNew != null && obj.filesNew !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.filesNew)
        }

        if ((obj.filesChanged != null && obj.filesChanged !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.filesChanged)
        }

        if ((obj.filesUnmodified != null && obj.filesUnmodified !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.filesUnmodified)
        }

        if ((obj.dirs != null && obj.dirs !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.dirs)
        }

        if ((obj.blobsAdded != null && obj.blobsAdded !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.blobsAdded)
        }

        if ((obj.bytesRead != null && obj.bytesRead !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.bytesRead)
        }

        if ((obj.bytesAdded != null && obj.bytesAdded !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.bytesAdded)
        }

        if ((obj.bytesStored != null && obj.bytesStored !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.bytesStored)
        }

        if ((obj.totalFiles != null && obj.totalFiles !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.totalFiles)
        }

        if ((obj.totalBytes != null && obj.totalBytes !== 0)) {
          w.uint32(80)
          w.uint64Number(obj.totalBytes)
        }

        if ((obj.durationMs != null && obj.durationMs !== 0)) {
          w.uint32(88)
          w.uint64Number(obj.durationMs)
        }

        if (obj.warnings != null && obj.warnings.length > 0) {
          for (const value of obj.warnings) {
            w.uint32(98)
            w.string(value)
          }
        }

        if ((obj.packsAdded != null && obj.packsAdded !== 0)) {
          w.uint32(104)
          w.uint64Number(obj.packsAdded)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          filesNew: 0,
          filesChanged: 0,
          filesUnmodified: 0,
          dirs: 0,
          blobsAdded: 0,
          bytesRead: 0,
          bytesAdded: 0,
          bytesStored: 0,
          totalFiles: 0,
          totalBytes: 0,
          durationMs: 0,
          warnings: [],
          packsAdded: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.filesNew = reader.uint64Number()
              break
            }
            case 2: {
              obj.filesChanged = reader.uint64Number()
              break
            }
            case 3: {
              obj.filesUnmodified = reader.uint64Number()
              break
            }
            case 4: {
              obj.dirs = reader.uint64Number()
              break
            }
            case 5: {
              obj.blobsAdded = reader.uint64Number()
              break
            }
            case 6: {
              obj.bytesRead = reader.uint64Number()
              break
            }
            case 7: {
              obj.bytesAdded = reader.uint64Number()
              break
            }
            case 8: {
              obj.bytesStored = reader.uint64Number()
              break
            }
            case 9: {
              obj.totalFiles = reader.uint64Number()
              break
            }
            case 10: {
              obj.totalBytes = reader.uint64Number()
              break
            }
            case 11: {
              obj.durationMs = reader.uint64Number()
              break
            }
            case 12: {
              if (opts.limits?.warnings != null && obj.warnings.length === opts.limits.warnings) {
                throw new MaxLengthError('Decode error - repeated field "warnings" had too many elements')
              }

              obj.warnings.push(reader.string())
              break
            }
            case 13: {
              obj.packsAdded = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          warnings: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.filesNew`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.filesChanged`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.filesUnmodified`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.dirs`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.blobsAdded`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.bytesRead`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.bytesAdded`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.bytesStored`,
                value: reader.uint64Number()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.totalFiles`,
                value: reader.uint64Number()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.totalBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.durationMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 12: {
              if (opts.limits?.warnings != null && obj.warnings === opts.limits.warnings) {
                throw new MaxLengthError('Streaming decode error - repeated field "warnings" had too many elements')
              }

              yield {
                field: `${prefix}.warnings[]`,
                index: obj.warnings,
                value: reader.string()
              }

              obj.warnings++

              break
            }
            case 13: {
              yield {
                field: `${prefix}.packsAdded`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SummaryFilesNewFieldEvent {
    field: '$.filesNew'
    value: number
  }

  export interface SummaryFilesChangedFieldEvent {
    field: '$.filesChanged'
    value: number
  }

  export interface SummaryFilesUnmodifiedFieldEvent {
    field: '$.filesUnmodified'
    value: number
  }

  export interface SummaryDirsFieldEvent {
    field: '$.dirs'
    value: number
  }

  export interface SummaryBlobsAddedFieldEvent {
    field: '$.blobsAdded'
    value: number
  }

  export interface SummaryBytesReadFieldEvent {
    field: '$.bytesRead'
    value: number
  }

  export interface SummaryBytesAddedFieldEvent {
    field: '$.bytesAdded'
    value: number
  }

  export interface SummaryBytesStoredFieldEvent {
    field: '$.bytesStored'
    value: number
  }

  export interface SummaryTotalFilesFieldEvent {
    field: '$.totalFiles'
    value: number
  }

  export interface SummaryTotalBytesFieldEvent {
    field: '$.totalBytes'
    value: number
  }

  export interface SummaryDurationMsFieldEvent {
    field: '$.durationMs'
    value: number
  }

  export interface SummaryWarningsFieldEvent {
    field: '$.warnings[]'
    index: number
    value: string
  }

  export interface SummaryPacksAddedFieldEvent {
    field: '$.packsAdded'
    value: number
  }

  export function encode (obj: Partial<Summary>): Uint8Array {
    return encodeMessage(obj, Summary.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Summary>): Summary {
    return decodeMessage(buf, Summary.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Summary>): Generator<SummaryFilesNewFieldEvent | SummaryFilesChangedFieldEvent | SummaryFilesUnmodifiedFieldEvent | SummaryDirsFieldEvent | SummaryBlobsAddedFieldEvent | SummaryBytesReadFieldEvent | SummaryBytesAddedFieldEvent | SummaryBytesStoredFieldEvent | SummaryTotalFilesFieldEvent | SummaryTotalBytesFieldEvent | SummaryDurationMsFieldEvent | SummaryWarningsFieldEvent | SummaryPacksAddedFieldEvent> {
    return streamMessage(buf, Summary.codec(), opts)
  }
}

export enum SnapshotOrigin {
  ORIGIN_UNRECORDED = 'ORIGIN_UNRECORDED',
  ORIGIN_CONFIGURED = 'ORIGIN_CONFIGURED',
  ORIGIN_AD_HOC = 'ORIGIN_AD_HOC'
}

enum __SnapshotOriginValues {
  ORIGIN_UNRECORDED = 0,
  ORIGIN_CONFIGURED = 1,
  ORIGIN_AD_HOC = 2
}

export namespace SnapshotOrigin {
  export const codec = (): Codec<SnapshotOrigin> => {
    return enumeration<SnapshotOrigin>(__SnapshotOriginValues)
  }
}

export interface Snapshot {
  version: number
  timeNs: bigint
  hostname: string
  owner: string
  paths: Uint8Array[]
  tags: string[]
  parent: Uint8Array
  tree: Uint8Array
  summary?: Summary
  origin: SnapshotOrigin
}

export namespace Snapshot {
  let _codec: Codec<Snapshot>

  export const codec = (): Codec<Snapshot> => {
    if (_codec == null) {
      _codec = message<Snapshot>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.timeNs != null && obj.timeNs !== 0n)) {
          w.uint32(16)
          w.sint64(obj.timeNs)
        }

        if ((obj.hostname != null && obj.hostname !== '')) {
          w.uint32(26)
          w.string(obj.hostname)
        }

        if ((obj.owner != null && obj.owner !== '')) {
          w.uint32(34)
          w.string(obj.owner)
        }

        if (obj.paths != null && obj.paths.length > 0) {
          for (const value of obj.paths) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (obj.tags != null && obj.tags.length > 0) {
          for (const value of obj.tags) {
            w.uint32(50)
            w.string(value)
          }
        }

        if ((obj.parent != null && obj.parent.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.parent)
        }

        if ((obj.tree != null && obj.tree.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.tree)
        }

        if (obj.summary != null) {
          w.uint32(74)
          Summary.codec().encode(obj.summary, w)
        }

        if (obj.origin != null && __SnapshotOriginValues[obj.origin] !== 0) {
          w.uint32(80)
          SnapshotOrigin.codec().encode(obj.origin, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          timeNs: 0n,
          hostname: '',
          owner: '',
          paths: [],
          tags: [],
          parent: uint8ArrayAlloc(0),
          tree: uint8ArrayAlloc(0),
          origin: SnapshotOrigin.ORIGIN_UNRECORDED
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.timeNs = reader.sint64()
              break
            }
            case 3: {
              obj.hostname = reader.string()
              break
            }
            case 4: {
              obj.owner = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.paths != null && obj.paths.length === opts.limits.paths) {
                throw new MaxLengthError('Decode error - repeated field "paths" had too many elements')
              }

              obj.paths.push(reader.bytes())
              break
            }
            case 6: {
              if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                throw new MaxLengthError('Decode error - repeated field "tags" had too many elements')
              }

              obj.tags.push(reader.string())
              break
            }
            case 7: {
              obj.parent = reader.bytes()
              break
            }
            case 8: {
              obj.tree = reader.bytes()
              break
            }
            case 9: {
              obj.summary = Summary.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.summary
              })
              break
            }
            case 10: {
              obj.origin = SnapshotOrigin.codec().decode(reader)
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          paths: 0,
          tags: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.timeNs`,
                value: reader.sint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.hostname`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.owner`,
                value: reader.string()
              }
              break
            }
            case 5: {
              if (opts.limits?.paths != null && obj.paths === opts.limits.paths) {
                throw new MaxLengthError('Streaming decode error - repeated field "paths" had too many elements')
              }

              yield {
                field: `${prefix}.paths[]`,
                index: obj.paths,
                value: reader.bytes()
              }

              obj.paths++

              break
            }
            case 6: {
              if (opts.limits?.tags != null && obj.tags === opts.limits.tags) {
                throw new MaxLengthError('Streaming decode error - repeated field "tags" had too many elements')
              }

              yield {
                field: `${prefix}.tags[]`,
                index: obj.tags,
                value: reader.string()
              }

              obj.tags++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.parent`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.tree`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield * Summary.codec().stream(reader, reader.uint32(), `${prefix}.summary`, {
                limits: opts.limits?.summary
              })

              break
            }
            case 10: {
              yield {
                field: `${prefix}.origin`,
                value: SnapshotOrigin.codec().decode(reader)
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SnapshotVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SnapshotTimeNsFieldEvent {
    field: '$.timeNs'
    value: bigint
  }

  export interface SnapshotHostnameFieldEvent {
    field: '$.hostname'
    value: string
  }

  export interface SnapshotOwnerFieldEvent {
    field: '$.owner'
    value: string
  }

  export interface SnapshotPathsFieldEvent {
    field: '$.paths[]'
    index: number
    value: Uint8Array
  }

  export interface SnapshotTagsFieldEvent {
    field: '$.tags[]'
    index: number
    value: string
  }

  export interface SnapshotParentFieldEvent {
    field: '$.parent'
    value: Uint8Array
  }

  export interface SnapshotTreeFieldEvent {
    field: '$.tree'
    value: Uint8Array
  }

  export interface SnapshotSummaryFilesNewFieldEvent {
    field: '$.summary.filesNew'
    value: number
  }

  export interface SnapshotSummaryFilesChangedFieldEvent {
    field: '$.summary.filesChanged'
    value: number
  }

  export interface SnapshotSummaryFilesUnmodifiedFieldEvent {
    field: '$.summary.filesUnmodified'
    value: number
  }

  export interface SnapshotSummaryDirsFieldEvent {
    field: '$.summary.dirs'
    value: number
  }

  export interface SnapshotSummaryBlobsAddedFieldEvent {
    field: '$.summary.blobsAdded'
    value: number
  }

  export interface SnapshotSummaryBytesReadFieldEvent {
    field: '$.summary.bytesRead'
    value: number
  }

  export interface SnapshotSummaryBytesAddedFieldEvent {
    field: '$.summary.bytesAdded'
    value: number
  }

  export interface SnapshotSummaryBytesStoredFieldEvent {
    field: '$.summary.bytesStored'
    value: number
  }

  export interface SnapshotSummaryTotalFilesFieldEvent {
    field: '$.summary.totalFiles'
    value: number
  }

  export interface SnapshotSummaryTotalBytesFieldEvent {
    field: '$.summary.totalBytes'
    value: number
  }

  export interface SnapshotSummaryDurationMsFieldEvent {
    field: '$.summary.durationMs'
    value: number
  }

  export interface SnapshotSummaryWarningsFieldEvent {
    field: '$.summary.warnings[]'
    index: number
    value: string
  }

  export interface SnapshotSummaryPacksAddedFieldEvent {
    field: '$.summary.packsAdded'
    value: number
  }

  export interface SnapshotOriginFieldEvent {
    field: '$.origin'
    value: SnapshotOrigin
  }

  export function encode (obj: Partial<Snapshot>): Uint8Array {
    return encodeMessage(obj, Snapshot.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Snapshot>): Snapshot {
    return decodeMessage(buf, Snapshot.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Snapshot>): Generator<SnapshotVersionFieldEvent | SnapshotTimeNsFieldEvent | SnapshotHostnameFieldEvent | SnapshotOwnerFieldEvent | SnapshotPathsFieldEvent | SnapshotTagsFieldEvent | SnapshotParentFieldEvent | SnapshotTreeFieldEvent | SnapshotSummaryFilesNewFieldEvent | SnapshotSummaryFilesChangedFieldEvent | SnapshotSummaryFilesUnmodifiedFieldEvent | SnapshotSummaryDirsFieldEvent | SnapshotSummaryBlobsAddedFieldEvent | SnapshotSummaryBytesReadFieldEvent | SnapshotSummaryBytesAddedFieldEvent | SnapshotSummaryBytesStoredFieldEvent | SnapshotSummaryTotalFilesFieldEvent | SnapshotSummaryTotalBytesFieldEvent | SnapshotSummaryDurationMsFieldEvent | SnapshotSummaryWarningsFieldEvent | SnapshotSummaryPacksAddedFieldEvent | SnapshotOriginFieldEvent> {
    return streamMessage(buf, Snapshot.codec(), opts)
  }
}

export interface BlobRef {
  id: Uint8Array
  pack: string
  offset: number
  length: number
  rawLength: number
  compressed: boolean
  type: BlobType
}

export namespace BlobRef {
  let _codec: Codec<BlobRef>

  export const codec = (): Codec<BlobRef> => {
    if (_codec == null) {
      _codec = message<BlobRef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.pack != null && obj.pack !== '')) {
          w.uint32(18)
          w.string(obj.pack)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(24)
          w.uint32(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(32)
          w.uint32(obj.length)
        }

        if ((obj.rawLength != null && obj.rawLength !== 0)) {
          w.uint32(40)
          w.uint32(obj.rawLength)
        }

        if ((obj.compressed != null && obj.compressed !== false)) {
          w.uint32(48)
          w.bool(obj.compressed)
        }

        if (obj.type != null && __BlobTypeValues[obj.type] !== 0) {
          w.uint32(56)
          BlobType.codec().encode(obj.type, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          pack: '',
          offset: 0,
          length: 0,
          rawLength: 0,
          compressed: false,
          type: BlobType.DATA
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.pack = reader.string()
              break
            }
            case 3: {
              obj.offset = reader.uint32()
              break
            }
            case 4: {
              obj.length = reader.uint32()
              break
            }
            case 5: {
              obj.rawLength = reader.uint32()
              break
            }
            case 6: {
              obj.compressed = reader.bool()
              break
            }
            case 7: {
              obj.type = BlobType.codec().decode(reader)
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.pack`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.rawLength`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.compressed`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.type`,
                value: BlobType.codec().decode(reader)
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BlobRefIdFieldEvent {
    field: '$.id'
    value: Uint8Array
  }

  export interface BlobRefPackFieldEvent {
    field: '$.pack'
    value: string
  }

  export interface BlobRefOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface BlobRefLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export interface BlobRefRawLengthFieldEvent {
    field: '$.rawLength'
    value: number
  }

  export interface BlobRefCompressedFieldEvent {
    field: '$.compressed'
    value: boolean
  }

  export interface BlobRefTypeFieldEvent {
    field: '$.type'
    value: BlobType
  }

  export function encode (obj: Partial<BlobRef>): Uint8Array {
    return encodeMessage(obj, BlobRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobRef>): BlobRef {
    return decodeMessage(buf, BlobRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobRef>): Generator<BlobRefIdFieldEvent | BlobRefPackFieldEvent | BlobRefOffsetFieldEvent | BlobRefLengthFieldEvent | BlobRefRawLengthFieldEvent | BlobRefCompressedFieldEvent | BlobRefTypeFieldEvent> {
    return streamMessage(buf, BlobRef.codec(), opts)
  }
}

export interface IndexPack {
  id: string
  type: BlobType
  size: number
  entries: PackEntry[]
}

export namespace IndexPack {
  let _codec: Codec<IndexPack>

  export const codec = (): Codec<IndexPack> => {
    if (_codec == null) {
      _codec = message<IndexPack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if (obj.type != null && __BlobTypeValues[obj.type] !== 0) {
          w.uint32(16)
          BlobType.codec().encode(obj.type, w)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(34)
            PackEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          type: BlobType.DATA,
          size: 0,
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.type = BlobType.codec().decode(reader)
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(PackEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: BlobType.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of PackEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface IndexPackIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface IndexPackTypeFieldEvent {
    field: '$.type'
    value: BlobType
  }

  export interface IndexPackSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface IndexPackEntriesIdFieldEvent {
    field: '$.entries[].id'
    value: Uint8Array
    index: number
  }

  export interface IndexPackEntriesTypeFieldEvent {
    field: '$.entries[].type'
    value: BlobType
    index: number
  }

  export interface IndexPackEntriesOffsetFieldEvent {
    field: '$.entries[].offset'
    value: number
    index: number
  }

  export interface IndexPackEntriesLengthFieldEvent {
    field: '$.entries[].length'
    value: number
    index: number
  }

  export interface IndexPackEntriesRawLengthFieldEvent {
    field: '$.entries[].rawLength'
    value: number
    index: number
  }

  export interface IndexPackEntriesCompressedFieldEvent {
    field: '$.entries[].compressed'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<IndexPack>): Uint8Array {
    return encodeMessage(obj, IndexPack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexPack>): IndexPack {
    return decodeMessage(buf, IndexPack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexPack>): Generator<IndexPackIdFieldEvent | IndexPackTypeFieldEvent | IndexPackSizeFieldEvent | IndexPackEntriesIdFieldEvent | IndexPackEntriesTypeFieldEvent | IndexPackEntriesOffsetFieldEvent | IndexPackEntriesLengthFieldEvent | IndexPackEntriesRawLengthFieldEvent | IndexPackEntriesCompressedFieldEvent> {
    return streamMessage(buf, IndexPack.codec(), opts)
  }
}

export interface Index {
  version: number
  packs: IndexPack[]
}

export namespace Index {
  let _codec: Codec<Index>

  export const codec = (): Codec<Index> => {
    if (_codec == null) {
      _codec = message<Index>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.packs != null && obj.packs.length > 0) {
          for (const value of obj.packs) {
            w.uint32(18)
            IndexPack.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          packs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.packs != null && obj.packs.length === opts.limits.packs) {
                throw new MaxLengthError('Decode error - repeated field "packs" had too many elements')
              }

              obj.packs.push(IndexPack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.packs$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          packs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.packs != null && obj.packs === opts.limits.packs) {
                throw new MaxLengthError('Streaming decode error - repeated field "packs" had too many elements')
              }

              for (const evt of IndexPack.codec().stream(reader, reader.uint32(), `${prefix}.packs[]`, {
                limits: opts.limits?.packs$
              })) {
                yield {
                  ...evt,
                  index: obj.packs
                }
              }

              obj.packs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface IndexVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface IndexPacksIdFieldEvent {
    field: '$.packs[].id'
    value: string
    index: number
  }

  export interface IndexPacksTypeFieldEvent {
    field: '$.packs[].type'
    value: BlobType
    index: number
  }

  export interface IndexPacksSizeFieldEvent {
    field: '$.packs[].size'
    value: number
    index: number
  }

  export interface IndexPacksEntriesIdFieldEvent {
    field: '$.packs[].entries[].id'
    value: Uint8Array
    index: number
  }

  export interface IndexPacksEntriesTypeFieldEvent {
    field: '$.packs[].entries[].type'
    value: BlobType
    index: number
  }

  export interface IndexPacksEntriesOffsetFieldEvent {
    field: '$.packs[].entries[].offset'
    value: number
    index: number
  }

  export interface IndexPacksEntriesLengthFieldEvent {
    field: '$.packs[].entries[].length'
    value: number
    index: number
  }

  export interface IndexPacksEntriesRawLengthFieldEvent {
    field: '$.packs[].entries[].rawLength'
    value: number
    index: number
  }

  export interface IndexPacksEntriesCompressedFieldEvent {
    field: '$.packs[].entries[].compressed'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Index>): Uint8Array {
    return encodeMessage(obj, Index.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Index>): Index {
    return decodeMessage(buf, Index.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Index>): Generator<IndexVersionFieldEvent | IndexPacksIdFieldEvent | IndexPacksTypeFieldEvent | IndexPacksSizeFieldEvent | IndexPacksEntriesIdFieldEvent | IndexPacksEntriesTypeFieldEvent | IndexPacksEntriesOffsetFieldEvent | IndexPacksEntriesLengthFieldEvent | IndexPacksEntriesRawLengthFieldEvent | IndexPacksEntriesCompressedFieldEvent> {
    return streamMessage(buf, Index.codec(), opts)
  }
}

export interface Manifest {
  version: number
  snapshots: BlobRef[]
  indexes: BlobRef[]
}

export namespace Manifest {
  let _codec: Codec<Manifest>

  export const codec = (): Codec<Manifest> => {
    if (_codec == null) {
      _codec = message<Manifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.snapshots != null && obj.snapshots.length > 0) {
          for (const value of obj.snapshots) {
            w.uint32(18)
            BlobRef.codec().encode(value, w)
          }
        }

        if (obj.indexes != null && obj.indexes.length > 0) {
          for (const value of obj.indexes) {
            w.uint32(26)
            BlobRef.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          snapshots: [],
          indexes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.snapshots != null && obj.snapshots.length === opts.limits.snapshots) {
                throw new MaxLengthError('Decode error - repeated field "snapshots" had too many elements')
              }

              obj.snapshots.push(BlobRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.snapshots$
              }))
              break
            }
            case 3: {
              if (opts.limits?.indexes != null && obj.indexes.length === opts.limits.indexes) {
                throw new MaxLengthError('Decode error - repeated field "indexes" had too many elements')
              }

              obj.indexes.push(BlobRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.indexes$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          snapshots: 0,
          indexes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.snapshots != null && obj.snapshots === opts.limits.snapshots) {
                throw new MaxLengthError('Streaming decode error - repeated field "snapshots" had too many elements')
              }

              for (const evt of BlobRef.codec().stream(reader, reader.uint32(), `${prefix}.snapshots[]`, {
                limits: opts.limits?.snapshots$
              })) {
                yield {
                  ...evt,
                  index: obj.snapshots
                }
              }

              obj.snapshots++

              break
            }
            case 3: {
              if (opts.limits?.indexes != null && obj.indexes === opts.limits.indexes) {
                throw new MaxLengthError('Streaming decode error - repeated field "indexes" had too many elements')
              }

              for (const evt of BlobRef.codec().stream(reader, reader.uint32(), `${prefix}.indexes[]`, {
                limits: opts.limits?.indexes$
              })) {
                yield {
                  ...evt,
                  index: obj.indexes
                }
              }

              obj.indexes++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ManifestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ManifestSnapshotsIdFieldEvent {
    field: '$.snapshots[].id'
    value: Uint8Array
    index: number
  }

  export interface ManifestSnapshotsPackFieldEvent {
    field: '$.snapshots[].pack'
    value: string
    index: number
  }

  export interface ManifestSnapshotsOffsetFieldEvent {
    field: '$.snapshots[].offset'
    value: number
    index: number
  }

  export interface ManifestSnapshotsLengthFieldEvent {
    field: '$.snapshots[].length'
    value: number
    index: number
  }

  export interface ManifestSnapshotsRawLengthFieldEvent {
    field: '$.snapshots[].rawLength'
    value: number
    index: number
  }

  export interface ManifestSnapshotsCompressedFieldEvent {
    field: '$.snapshots[].compressed'
    value: boolean
    index: number
  }

  export interface ManifestSnapshotsTypeFieldEvent {
    field: '$.snapshots[].type'
    value: BlobType
    index: number
  }

  export interface ManifestIndexesIdFieldEvent {
    field: '$.indexes[].id'
    value: Uint8Array
    index: number
  }

  export interface ManifestIndexesPackFieldEvent {
    field: '$.indexes[].pack'
    value: string
    index: number
  }

  export interface ManifestIndexesOffsetFieldEvent {
    field: '$.indexes[].offset'
    value: number
    index: number
  }

  export interface ManifestIndexesLengthFieldEvent {
    field: '$.indexes[].length'
    value: number
    index: number
  }

  export interface ManifestIndexesRawLengthFieldEvent {
    field: '$.indexes[].rawLength'
    value: number
    index: number
  }

  export interface ManifestIndexesCompressedFieldEvent {
    field: '$.indexes[].compressed'
    value: boolean
    index: number
  }

  export interface ManifestIndexesTypeFieldEvent {
    field: '$.indexes[].type'
    value: BlobType
    index: number
  }

  export function encode (obj: Partial<Manifest>): Uint8Array {
    return encodeMessage(obj, Manifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Manifest {
    return decodeMessage(buf, Manifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Generator<ManifestVersionFieldEvent | ManifestSnapshotsIdFieldEvent | ManifestSnapshotsPackFieldEvent | ManifestSnapshotsOffsetFieldEvent | ManifestSnapshotsLengthFieldEvent | ManifestSnapshotsRawLengthFieldEvent | ManifestSnapshotsCompressedFieldEvent | ManifestSnapshotsTypeFieldEvent | ManifestIndexesIdFieldEvent | ManifestIndexesPackFieldEvent | ManifestIndexesOffsetFieldEvent | ManifestIndexesLengthFieldEvent | ManifestIndexesRawLengthFieldEvent | ManifestIndexesCompressedFieldEvent | ManifestIndexesTypeFieldEvent> {
    return streamMessage(buf, Manifest.codec(), opts)
  }
}

export interface RootRecord {
  version: number
  ownerKey: Uint8Array
  seq: bigint
  payload: Uint8Array
  signature: Uint8Array
}

export namespace RootRecord {
  let _codec: Codec<RootRecord>

  export const codec = (): Codec<RootRecord> => {
    if (_codec == null) {
      _codec = message<RootRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.ownerKey != null && obj.ownerKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ownerKey)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seq)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.payload)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          ownerKey: uint8ArrayAlloc(0),
          seq: 0n,
          payload: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.ownerKey = reader.bytes()
              break
            }
            case 3: {
              obj.seq = reader.uint64()
              break
            }
            case 4: {
              obj.payload = reader.bytes()
              break
            }
            case 5: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ownerKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RootRecordVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface RootRecordOwnerKeyFieldEvent {
    field: '$.ownerKey'
    value: Uint8Array
  }

  export interface RootRecordSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface RootRecordPayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array
  }

  export interface RootRecordSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array
  }

  export function encode (obj: Partial<RootRecord>): Uint8Array {
    return encodeMessage(obj, RootRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootRecord>): RootRecord {
    return decodeMessage(buf, RootRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootRecord>): Generator<RootRecordVersionFieldEvent | RootRecordOwnerKeyFieldEvent | RootRecordSeqFieldEvent | RootRecordPayloadFieldEvent | RootRecordSignatureFieldEvent> {
    return streamMessage(buf, RootRecord.codec(), opts)
  }
}

export interface RootPayload {
  version: number
  timeNs: bigint
  manifest?: BlobRef
}

export namespace RootPayload {
  let _codec: Codec<RootPayload>

  export const codec = (): Codec<RootPayload> => {
    if (_codec == null) {
      _codec = message<RootPayload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.timeNs != null && obj.timeNs !== 0n)) {
          w.uint32(16)
          w.sint64(obj.timeNs)
        }

        if (obj.manifest != null) {
          w.uint32(26)
          BlobRef.codec().encode(obj.manifest, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          timeNs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.timeNs = reader.sint64()
              break
            }
            case 3: {
              obj.manifest = BlobRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.manifest
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.timeNs`,
                value: reader.sint64()
              }
              break
            }
            case 3: {
              yield * BlobRef.codec().stream(reader, reader.uint32(), `${prefix}.manifest`, {
                limits: opts.limits?.manifest
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RootPayloadVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface RootPayloadTimeNsFieldEvent {
    field: '$.timeNs'
    value: bigint
  }

  export interface RootPayloadManifestIdFieldEvent {
    field: '$.manifest.id'
    value: Uint8Array
  }

  export interface RootPayloadManifestPackFieldEvent {
    field: '$.manifest.pack'
    value: string
  }

  export interface RootPayloadManifestOffsetFieldEvent {
    field: '$.manifest.offset'
    value: number
  }

  export interface RootPayloadManifestLengthFieldEvent {
    field: '$.manifest.length'
    value: number
  }

  export interface RootPayloadManifestRawLengthFieldEvent {
    field: '$.manifest.rawLength'
    value: number
  }

  export interface RootPayloadManifestCompressedFieldEvent {
    field: '$.manifest.compressed'
    value: boolean
  }

  export interface RootPayloadManifestTypeFieldEvent {
    field: '$.manifest.type'
    value: BlobType
  }

  export function encode (obj: Partial<RootPayload>): Uint8Array {
    return encodeMessage(obj, RootPayload.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootPayload>): RootPayload {
    return decodeMessage(buf, RootPayload.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootPayload>): Generator<RootPayloadVersionFieldEvent | RootPayloadTimeNsFieldEvent | RootPayloadManifestIdFieldEvent | RootPayloadManifestPackFieldEvent | RootPayloadManifestOffsetFieldEvent | RootPayloadManifestLengthFieldEvent | RootPayloadManifestRawLengthFieldEvent | RootPayloadManifestCompressedFieldEvent | RootPayloadManifestTypeFieldEvent> {
    return streamMessage(buf, RootPayload.codec(), opts)
  }
}
