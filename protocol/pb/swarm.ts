/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface InfoRequest {}

export namespace InfoRequest {
  let _codec: Codec<InfoRequest>

  export const codec = (): Codec<InfoRequest> => {
    if (_codec == null) {
      _codec = message<InfoRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export function encode (obj: Partial<InfoRequest>): Uint8Array {
    return encodeMessage(obj, InfoRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InfoRequest>): InfoRequest {
    return decodeMessage(buf, InfoRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InfoRequest>): Generator<{}> {
    return streamMessage(buf, InfoRequest.codec(), opts)
  }
}

export interface InfoResponse {
  version: string
  free: number
  quota: number
  used: number
  domain: string
  agent: string
  awayUntil: number
  leaving: boolean
  ephemeral: boolean
}

export namespace InfoResponse {
  let _codec: Codec<InfoResponse>

  export const codec = (): Codec<InfoResponse> => {
    if (_codec == null) {
      _codec = message<InfoResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(10)
          w.string(obj.version)
        }

        if ((obj.free != null && obj.free !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.free)
        }

        if ((obj.quota != null && obj.quota !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.quota)
        }

        if ((obj.used != null && obj.used !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.used)
        }

        if ((obj.domain != null && obj.domain !== '')) {
          w.uint32(42)
          w.string(obj.domain)
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(50)
          w.string(obj.agent)
        }

        if ((obj.awayUntil != null && obj.awayUntil !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.awayUntil)
        }

        if ((obj.leaving != null && obj.leaving !== false)) {
          w.uint32(64)
          w.bool(obj.leaving)
        }

        if ((obj.ephemeral != null && obj.ephemeral !== false)) {
          w.uint32(72)
          w.bool(obj.ephemeral)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: '',
          free: 0,
          quota: 0,
          used: 0,
          domain: '',
          agent: '',
          awayUntil: 0,
          leaving: false,
          ephemeral: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.string()
              break
            }
            case 2: {
              obj.free = reader.uint64Number()
              break
            }
            case 3: {
              obj.quota = reader.uint64Number()
              break
            }
            case 4: {
              obj.used = reader.uint64Number()
              break
            }
            case 5: {
              obj.domain = reader.string()
              break
            }
            case 6: {
              obj.agent = reader.string()
              break
            }
            case 7: {
              obj.awayUntil = reader.uint64Number()
              break
            }
            case 8: {
              obj.leaving = reader.bool()
              break
            }
            case 9: {
              obj.ephemeral = reader.bool()
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
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.free`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.quota`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.used`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.domain`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.agent`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.awayUntil`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.leaving`,
                value: reader.bool()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.ephemeral`,
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

  export interface InfoResponseVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface InfoResponseFreeFieldEvent {
    field: '$.free'
    value: number
  }

  export interface InfoResponseQuotaFieldEvent {
    field: '$.quota'
    value: number
  }

  export interface InfoResponseUsedFieldEvent {
    field: '$.used'
    value: number
  }

  export interface InfoResponseDomainFieldEvent {
    field: '$.domain'
    value: string
  }

  export interface InfoResponseAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export interface InfoResponseAwayUntilFieldEvent {
    field: '$.awayUntil'
    value: number
  }

  export interface InfoResponseLeavingFieldEvent {
    field: '$.leaving'
    value: boolean
  }

  export interface InfoResponseEphemeralFieldEvent {
    field: '$.ephemeral'
    value: boolean
  }

  export function encode (obj: Partial<InfoResponse>): Uint8Array {
    return encodeMessage(obj, InfoResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InfoResponse>): InfoResponse {
    return decodeMessage(buf, InfoResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InfoResponse>): Generator<InfoResponseVersionFieldEvent | InfoResponseFreeFieldEvent | InfoResponseQuotaFieldEvent | InfoResponseUsedFieldEvent | InfoResponseDomainFieldEvent | InfoResponseAgentFieldEvent | InfoResponseAwayUntilFieldEvent | InfoResponseLeavingFieldEvent | InfoResponseEphemeralFieldEvent> {
    return streamMessage(buf, InfoResponse.codec(), opts)
  }
}

export interface PutRequest {
  packId: string
  size: number
  ownerKey: Uint8Array
  replicas: number
  origin: string
  stripe: Uint8Array
  shardIndex: number
}

export namespace PutRequest {
  let _codec: Codec<PutRequest>

  export const codec = (): Codec<PutRequest> => {
    if (_codec == null) {
      _codec = message<PutRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.packId != null && obj.packId !== '')) {
          w.uint32(10)
          w.string(obj.packId)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.ownerKey != null && obj.ownerKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.ownerKey)
        }

        if ((obj.replicas != null && obj.replicas !== 0)) {
          w.uint32(32)
          w.uint32(obj.replicas)
        }

        if ((obj.origin != null && obj.origin !== '')) {
          w.uint32(42)
          w.string(obj.origin)
        }

        if ((obj.stripe != null && obj.stripe.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.stripe)
        }

        if ((obj.shardIndex != null && obj.shardIndex !== 0)) {
          w.uint32(56)
          w.uint32(obj.shardIndex)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          packId: '',
          size: 0,
          ownerKey: uint8ArrayAlloc(0),
          replicas: 0,
          origin: '',
          stripe: uint8ArrayAlloc(0),
          shardIndex: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.packId = reader.string()
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
              break
            }
            case 3: {
              obj.ownerKey = reader.bytes()
              break
            }
            case 4: {
              obj.replicas = reader.uint32()
              break
            }
            case 5: {
              obj.origin = reader.string()
              break
            }
            case 6: {
              obj.stripe = reader.bytes()
              break
            }
            case 7: {
              obj.shardIndex = reader.uint32()
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
                field: `${prefix}.packId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.ownerKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.replicas`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.origin`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.stripe`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.shardIndex`,
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

  export interface PutRequestPackIdFieldEvent {
    field: '$.packId'
    value: string
  }

  export interface PutRequestSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface PutRequestOwnerKeyFieldEvent {
    field: '$.ownerKey'
    value: Uint8Array
  }

  export interface PutRequestReplicasFieldEvent {
    field: '$.replicas'
    value: number
  }

  export interface PutRequestOriginFieldEvent {
    field: '$.origin'
    value: string
  }

  export interface PutRequestStripeFieldEvent {
    field: '$.stripe'
    value: Uint8Array
  }

  export interface PutRequestShardIndexFieldEvent {
    field: '$.shardIndex'
    value: number
  }

  export function encode (obj: Partial<PutRequest>): Uint8Array {
    return encodeMessage(obj, PutRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutRequest>): PutRequest {
    return decodeMessage(buf, PutRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutRequest>): Generator<PutRequestPackIdFieldEvent | PutRequestSizeFieldEvent | PutRequestOwnerKeyFieldEvent | PutRequestReplicasFieldEvent | PutRequestOriginFieldEvent | PutRequestStripeFieldEvent | PutRequestShardIndexFieldEvent> {
    return streamMessage(buf, PutRequest.codec(), opts)
  }
}

export interface PutReady {
  status: PutReady.Status
  message: string
}

export namespace PutReady {
  export enum Status {
    UNKNOWN = 'UNKNOWN',
    READY = 'READY',
    ALREADY_HELD = 'ALREADY_HELD',
    QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
    TOO_LARGE = 'TOO_LARGE',
    BAD_REQUEST = 'BAD_REQUEST',
    BUSY = 'BUSY'
  }

  enum __StatusValues {
    UNKNOWN = 0,
    READY = 1,
    ALREADY_HELD = 2,
    QUOTA_EXCEEDED = 3,
    TOO_LARGE = 4,
    BAD_REQUEST = 5,
    BUSY = 6
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<PutReady>

  export const codec = (): Codec<PutReady> => {
    if (_codec == null) {
      _codec = message<PutReady>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          PutReady.Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.UNKNOWN,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = PutReady.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
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
                field: `${prefix}.status`,
                value: PutReady.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
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

  export interface PutReadyStatusFieldEvent {
    field: '$.status'
    value: PutReady.Status
  }

  export interface PutReadyMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<PutReady>): Uint8Array {
    return encodeMessage(obj, PutReady.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutReady>): PutReady {
    return decodeMessage(buf, PutReady.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutReady>): Generator<PutReadyStatusFieldEvent | PutReadyMessageFieldEvent> {
    return streamMessage(buf, PutReady.codec(), opts)
  }
}

export interface PutResult {
  status: PutResult.Status
  message: string
}

export namespace PutResult {
  export enum Status {
    UNKNOWN = 'UNKNOWN',
    DURABLE = 'DURABLE',
    HASH_MISMATCH = 'HASH_MISMATCH',
    SIZE_MISMATCH = 'SIZE_MISMATCH',
    QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
    NO_SPACE = 'NO_SPACE',
    INTERNAL = 'INTERNAL'
  }

  enum __StatusValues {
    UNKNOWN = 0,
    DURABLE = 1,
    HASH_MISMATCH = 2,
    SIZE_MISMATCH = 3,
    QUOTA_EXCEEDED = 4,
    NO_SPACE = 5,
    INTERNAL = 6
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<PutResult>

  export const codec = (): Codec<PutResult> => {
    if (_codec == null) {
      _codec = message<PutResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          PutResult.Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.UNKNOWN,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = PutResult.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
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
                field: `${prefix}.status`,
                value: PutResult.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
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

  export interface PutResultStatusFieldEvent {
    field: '$.status'
    value: PutResult.Status
  }

  export interface PutResultMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<PutResult>): Uint8Array {
    return encodeMessage(obj, PutResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutResult>): PutResult {
    return decodeMessage(buf, PutResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutResult>): Generator<PutResultStatusFieldEvent | PutResultMessageFieldEvent> {
    return streamMessage(buf, PutResult.codec(), opts)
  }
}

export interface GetRequest {
  packId: string
  offset: number
  length: number
  whole: boolean
}

export namespace GetRequest {
  let _codec: Codec<GetRequest>

  export const codec = (): Codec<GetRequest> => {
    if (_codec == null) {
      _codec = message<GetRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.packId != null && obj.packId !== '')) {
          w.uint32(10)
          w.string(obj.packId)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.length)
        }

        if ((obj.whole != null && obj.whole !== false)) {
          w.uint32(32)
          w.bool(obj.whole)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          packId: '',
          offset: 0,
          length: 0,
          whole: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.packId = reader.string()
              break
            }
            case 2: {
              obj.offset = reader.uint64Number()
              break
            }
            case 3: {
              obj.length = reader.uint64Number()
              break
            }
            case 4: {
              obj.whole = reader.bool()
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
                field: `${prefix}.packId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.whole`,
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

  export interface GetRequestPackIdFieldEvent {
    field: '$.packId'
    value: string
  }

  export interface GetRequestOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface GetRequestLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export interface GetRequestWholeFieldEvent {
    field: '$.whole'
    value: boolean
  }

  export function encode (obj: Partial<GetRequest>): Uint8Array {
    return encodeMessage(obj, GetRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GetRequest>): GetRequest {
    return decodeMessage(buf, GetRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GetRequest>): Generator<GetRequestPackIdFieldEvent | GetRequestOffsetFieldEvent | GetRequestLengthFieldEvent | GetRequestWholeFieldEvent> {
    return streamMessage(buf, GetRequest.codec(), opts)
  }
}

export interface GetResponse {
  status: GetResponse.Status
  size: number
}

export namespace GetResponse {
  export enum Status {
    UNKNOWN = 'UNKNOWN',
    OK = 'OK',
    NOT_FOUND = 'NOT_FOUND',
    BAD_RANGE = 'BAD_RANGE',
    BAD_REQUEST = 'BAD_REQUEST'
  }

  enum __StatusValues {
    UNKNOWN = 0,
    OK = 1,
    NOT_FOUND = 2,
    BAD_RANGE = 3,
    BAD_REQUEST = 4
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<GetResponse>

  export const codec = (): Codec<GetResponse> => {
    if (_codec == null) {
      _codec = message<GetResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          GetResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.UNKNOWN,
          size: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = GetResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
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
                field: `${prefix}.status`,
                value: GetResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
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

  export interface GetResponseStatusFieldEvent {
    field: '$.status'
    value: GetResponse.Status
  }

  export interface GetResponseSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export function encode (obj: Partial<GetResponse>): Uint8Array {
    return encodeMessage(obj, GetResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GetResponse>): GetResponse {
    return decodeMessage(buf, GetResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GetResponse>): Generator<GetResponseStatusFieldEvent | GetResponseSizeFieldEvent> {
    return streamMessage(buf, GetResponse.codec(), opts)
  }
}

export interface HasRequest {
  packIds: string[]
}

export namespace HasRequest {
  let _codec: Codec<HasRequest>

  export const codec = (): Codec<HasRequest> => {
    if (_codec == null) {
      _codec = message<HasRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.packIds != null && obj.packIds.length > 0) {
          for (const value of obj.packIds) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          packIds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.packIds != null && obj.packIds.length === opts.limits.packIds) {
                throw new MaxLengthError('Decode error - repeated field "packIds" had too many elements')
              }

              obj.packIds.push(reader.string())
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
          packIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.packIds != null && obj.packIds === opts.limits.packIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "packIds" had too many elements')
              }

              yield {
                field: `${prefix}.packIds[]`,
                index: obj.packIds,
                value: reader.string()
              }

              obj.packIds++

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

  export interface HasRequestPackIdsFieldEvent {
    field: '$.packIds[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<HasRequest>): Uint8Array {
    return encodeMessage(obj, HasRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HasRequest>): HasRequest {
    return decodeMessage(buf, HasRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HasRequest>): Generator<HasRequestPackIdsFieldEvent> {
    return streamMessage(buf, HasRequest.codec(), opts)
  }
}

export interface HasResponse {
  held: boolean[]
}

export namespace HasResponse {
  let _codec: Codec<HasResponse>

  export const codec = (): Codec<HasResponse> => {
    if (_codec == null) {
      _codec = message<HasResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.held != null && obj.held.length > 0) {
          for (const value of obj.held) {
            w.uint32(8)
            w.bool(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          held: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.held != null && obj.held.length === opts.limits.held) {
                throw new MaxLengthError('Decode error - repeated field "held" had too many elements')
              }

              obj.held.push(reader.bool())
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
          held: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.held != null && obj.held === opts.limits.held) {
                throw new MaxLengthError('Streaming decode error - repeated field "held" had too many elements')
              }

              yield {
                field: `${prefix}.held[]`,
                index: obj.held,
                value: reader.bool()
              }

              obj.held++

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

  export interface HasResponseHeldFieldEvent {
    field: '$.held[]'
    index: number
    value: boolean
  }

  export function encode (obj: Partial<HasResponse>): Uint8Array {
    return encodeMessage(obj, HasResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HasResponse>): HasResponse {
    return decodeMessage(buf, HasResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HasResponse>): Generator<HasResponseHeldFieldEvent> {
    return streamMessage(buf, HasResponse.codec(), opts)
  }
}

export interface DeleteRequest {
  packId: string
  ownerKey: Uint8Array
  timeMs: number
  signature: Uint8Array
}

export namespace DeleteRequest {
  let _codec: Codec<DeleteRequest>

  export const codec = (): Codec<DeleteRequest> => {
    if (_codec == null) {
      _codec = message<DeleteRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.packId != null && obj.packId !== '')) {
          w.uint32(10)
          w.string(obj.packId)
        }

        if ((obj.ownerKey != null && obj.ownerKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ownerKey)
        }

        if ((obj.timeMs != null && obj.timeMs !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.timeMs)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          packId: '',
          ownerKey: uint8ArrayAlloc(0),
          timeMs: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.packId = reader.string()
              break
            }
            case 2: {
              obj.ownerKey = reader.bytes()
              break
            }
            case 3: {
              obj.timeMs = reader.uint64Number()
              break
            }
            case 4: {
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
                field: `${prefix}.packId`,
                value: reader.string()
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
                field: `${prefix}.timeMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
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

  export interface DeleteRequestPackIdFieldEvent {
    field: '$.packId'
    value: string
  }

  export interface DeleteRequestOwnerKeyFieldEvent {
    field: '$.ownerKey'
    value: Uint8Array
  }

  export interface DeleteRequestTimeMsFieldEvent {
    field: '$.timeMs'
    value: number
  }

  export interface DeleteRequestSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array
  }

  export function encode (obj: Partial<DeleteRequest>): Uint8Array {
    return encodeMessage(obj, DeleteRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeleteRequest>): DeleteRequest {
    return decodeMessage(buf, DeleteRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeleteRequest>): Generator<DeleteRequestPackIdFieldEvent | DeleteRequestOwnerKeyFieldEvent | DeleteRequestTimeMsFieldEvent | DeleteRequestSignatureFieldEvent> {
    return streamMessage(buf, DeleteRequest.codec(), opts)
  }
}

export interface DeleteResponse {
  status: DeleteResponse.Status
}

export namespace DeleteResponse {
  export enum Status {
    UNKNOWN = 'UNKNOWN',
    DELETED = 'DELETED',
    NOT_FOUND = 'NOT_FOUND',
    FORBIDDEN = 'FORBIDDEN',
    BAD_REQUEST = 'BAD_REQUEST'
  }

  enum __StatusValues {
    UNKNOWN = 0,
    DELETED = 1,
    NOT_FOUND = 2,
    FORBIDDEN = 3,
    BAD_REQUEST = 4
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<DeleteResponse>

  export const codec = (): Codec<DeleteResponse> => {
    if (_codec == null) {
      _codec = message<DeleteResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          DeleteResponse.Status.codec().encode(obj.status, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.UNKNOWN
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = DeleteResponse.Status.codec().decode(reader)
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
                field: `${prefix}.status`,
                value: DeleteResponse.Status.codec().decode(reader)
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

  export interface DeleteResponseStatusFieldEvent {
    field: '$.status'
    value: DeleteResponse.Status
  }

  export function encode (obj: Partial<DeleteResponse>): Uint8Array {
    return encodeMessage(obj, DeleteResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeleteResponse>): DeleteResponse {
    return decodeMessage(buf, DeleteResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeleteResponse>): Generator<DeleteResponseStatusFieldEvent> {
    return streamMessage(buf, DeleteResponse.codec(), opts)
  }
}

export interface RootRequest {
  op: RootRequest.Op
  key: string
  value: Uint8Array
}

export namespace RootRequest {
  export enum Op {
    UNKNOWN = 'UNKNOWN',
    PUT = 'PUT',
    GET = 'GET'
  }

  enum __OpValues {
    UNKNOWN = 0,
    PUT = 1,
    GET = 2
  }

  export namespace Op {
    export const codec = (): Codec<Op> => {
      return enumeration<Op>(__OpValues)
    }
  }

  let _codec: Codec<RootRequest>

  export const codec = (): Codec<RootRequest> => {
    if (_codec == null) {
      _codec = message<RootRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.op != null && __OpValues[obj.op] !== 0) {
          w.uint32(8)
          RootRequest.Op.codec().encode(obj.op, w)
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(18)
          w.string(obj.key)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          op: Op.UNKNOWN,
          key: '',
          value: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.op = RootRequest.Op.codec().decode(reader)
              break
            }
            case 2: {
              obj.key = reader.string()
              break
            }
            case 3: {
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
                field: `${prefix}.op`,
                value: RootRequest.Op.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.key`,
                value: reader.string()
              }
              break
            }
            case 3: {
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

  export interface RootRequestOpFieldEvent {
    field: '$.op'
    value: RootRequest.Op
  }

  export interface RootRequestKeyFieldEvent {
    field: '$.key'
    value: string
  }

  export interface RootRequestValueFieldEvent {
    field: '$.value'
    value: Uint8Array
  }

  export function encode (obj: Partial<RootRequest>): Uint8Array {
    return encodeMessage(obj, RootRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootRequest>): RootRequest {
    return decodeMessage(buf, RootRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootRequest>): Generator<RootRequestOpFieldEvent | RootRequestKeyFieldEvent | RootRequestValueFieldEvent> {
    return streamMessage(buf, RootRequest.codec(), opts)
  }
}

export interface RootResponse {
  status: RootResponse.Status
  value: Uint8Array
  message: string
}

export namespace RootResponse {
  export enum Status {
    UNKNOWN = 'UNKNOWN',
    STORED = 'STORED',
    FOUND = 'FOUND',
    NOT_FOUND = 'NOT_FOUND',
    REJECTED = 'REJECTED',
    BAD_REQUEST = 'BAD_REQUEST'
  }

  enum __StatusValues {
    UNKNOWN = 0,
    STORED = 1,
    FOUND = 2,
    NOT_FOUND = 3,
    REJECTED = 4,
    BAD_REQUEST = 5
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<RootResponse>

  export const codec = (): Codec<RootResponse> => {
    if (_codec == null) {
      _codec = message<RootResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          RootResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.value)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.UNKNOWN,
          value: uint8ArrayAlloc(0),
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = RootResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.value = reader.bytes()
              break
            }
            case 3: {
              obj.message = reader.string()
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
                field: `${prefix}.status`,
                value: RootResponse.Status.codec().decode(reader)
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
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
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

  export interface RootResponseStatusFieldEvent {
    field: '$.status'
    value: RootResponse.Status
  }

  export interface RootResponseValueFieldEvent {
    field: '$.value'
    value: Uint8Array
  }

  export interface RootResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<RootResponse>): Uint8Array {
    return encodeMessage(obj, RootResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootResponse>): RootResponse {
    return decodeMessage(buf, RootResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RootResponse>): Generator<RootResponseStatusFieldEvent | RootResponseValueFieldEvent | RootResponseMessageFieldEvent> {
    return streamMessage(buf, RootResponse.codec(), opts)
  }
}

export interface AuditRequest {
  packId: string
  nonce: Uint8Array
}

export namespace AuditRequest {
  let _codec: Codec<AuditRequest>

  export const codec = (): Codec<AuditRequest> => {
    if (_codec == null) {
      _codec = message<AuditRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.packId != null && obj.packId !== '')) {
          w.uint32(10)
          w.string(obj.packId)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.nonce)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          packId: '',
          nonce: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.packId = reader.string()
              break
            }
            case 2: {
              obj.nonce = reader.bytes()
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
                field: `${prefix}.packId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.nonce`,
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

  export interface AuditRequestPackIdFieldEvent {
    field: '$.packId'
    value: string
  }

  export interface AuditRequestNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array
  }

  export function encode (obj: Partial<AuditRequest>): Uint8Array {
    return encodeMessage(obj, AuditRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditRequest>): AuditRequest {
    return decodeMessage(buf, AuditRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditRequest>): Generator<AuditRequestPackIdFieldEvent | AuditRequestNonceFieldEvent> {
    return streamMessage(buf, AuditRequest.codec(), opts)
  }
}

export interface AuditResponse {
  status: AuditResponse.Status
  digest: Uint8Array
}

export namespace AuditResponse {
  export enum Status {
    UNKNOWN = 'UNKNOWN',
    OK = 'OK',
    NOT_FOUND = 'NOT_FOUND',
    BAD_REQUEST = 'BAD_REQUEST',
    BUSY = 'BUSY'
  }

  enum __StatusValues {
    UNKNOWN = 0,
    OK = 1,
    NOT_FOUND = 2,
    BAD_REQUEST = 3,
    BUSY = 4
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<AuditResponse>

  export const codec = (): Codec<AuditResponse> => {
    if (_codec == null) {
      _codec = message<AuditResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          AuditResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.UNKNOWN,
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = AuditResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.digest = reader.bytes()
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
                field: `${prefix}.status`,
                value: AuditResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.digest`,
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

  export interface AuditResponseStatusFieldEvent {
    field: '$.status'
    value: AuditResponse.Status
  }

  export interface AuditResponseDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array
  }

  export function encode (obj: Partial<AuditResponse>): Uint8Array {
    return encodeMessage(obj, AuditResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditResponse>): AuditResponse {
    return decodeMessage(buf, AuditResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditResponse>): Generator<AuditResponseStatusFieldEvent | AuditResponseDigestFieldEvent> {
    return streamMessage(buf, AuditResponse.codec(), opts)
  }
}

export interface Stripe {
  version: number
  code: number
  packId: string
  packSize: number
  dataShards: number
  parityShards: number
  shardSize: number
  shardIds: string[]
}

export namespace Stripe {
  let _codec: Codec<Stripe>

  export const codec = (): Codec<Stripe> => {
    if (_codec == null) {
      _codec = message<Stripe>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.code != null && obj.code !== 0)) {
          w.uint32(16)
          w.uint32(obj.code)
        }

        if ((obj.packId != null && obj.packId !== '')) {
          w.uint32(26)
          w.string(obj.packId)
        }

        if ((obj.packSize != null && obj.packSize !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.packSize)
        }

        if ((obj.dataShards != null && obj.dataShards !== 0)) {
          w.uint32(40)
          w.uint32(obj.dataShards)
        }

        if ((obj.parityShards != null && obj.parityShards !== 0)) {
          w.uint32(48)
          w.uint32(obj.parityShards)
        }

        if ((obj.shardSize != null && obj.shardSize !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.shardSize)
        }

        if (obj.shardIds != null && obj.shardIds.length > 0) {
          for (const value of obj.shardIds) {
            w.uint32(66)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          code: 0,
          packId: '',
          packSize: 0,
          dataShards: 0,
          parityShards: 0,
          shardSize: 0,
          shardIds: []
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
              obj.code = reader.uint32()
              break
            }
            case 3: {
              obj.packId = reader.string()
              break
            }
            case 4: {
              obj.packSize = reader.uint64Number()
              break
            }
            case 5: {
              obj.dataShards = reader.uint32()
              break
            }
            case 6: {
              obj.parityShards = reader.uint32()
              break
            }
            case 7: {
              obj.shardSize = reader.uint64Number()
              break
            }
            case 8: {
              if (opts.limits?.shardIds != null && obj.shardIds.length === opts.limits.shardIds) {
                throw new MaxLengthError('Decode error - repeated field "shardIds" had too many elements')
              }

              obj.shardIds.push(reader.string())
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
          shardIds: 0
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
                field: `${prefix}.code`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.packId`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.packSize`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.dataShards`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.parityShards`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.shardSize`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              if (opts.limits?.shardIds != null && obj.shardIds === opts.limits.shardIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "shardIds" had too many elements')
              }

              yield {
                field: `${prefix}.shardIds[]`,
                index: obj.shardIds,
                value: reader.string()
              }

              obj.shardIds++

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

  export interface StripeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface StripeCodeFieldEvent {
    field: '$.code'
    value: number
  }

  export interface StripePackIdFieldEvent {
    field: '$.packId'
    value: string
  }

  export interface StripePackSizeFieldEvent {
    field: '$.packSize'
    value: number
  }

  export interface StripeDataShardsFieldEvent {
    field: '$.dataShards'
    value: number
  }

  export interface StripeParityShardsFieldEvent {
    field: '$.parityShards'
    value: number
  }

  export interface StripeShardSizeFieldEvent {
    field: '$.shardSize'
    value: number
  }

  export interface StripeShardIdsFieldEvent {
    field: '$.shardIds[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Stripe>): Uint8Array {
    return encodeMessage(obj, Stripe.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Stripe>): Stripe {
    return decodeMessage(buf, Stripe.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Stripe>): Generator<StripeVersionFieldEvent | StripeCodeFieldEvent | StripePackIdFieldEvent | StripePackSizeFieldEvent | StripeDataShardsFieldEvent | StripeParityShardsFieldEvent | StripeShardSizeFieldEvent | StripeShardIdsFieldEvent> {
    return streamMessage(buf, Stripe.codec(), opts)
  }
}

export interface StripeRequest {
  packIds: string[]
}

export namespace StripeRequest {
  let _codec: Codec<StripeRequest>

  export const codec = (): Codec<StripeRequest> => {
    if (_codec == null) {
      _codec = message<StripeRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.packIds != null && obj.packIds.length > 0) {
          for (const value of obj.packIds) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          packIds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.packIds != null && obj.packIds.length === opts.limits.packIds) {
                throw new MaxLengthError('Decode error - repeated field "packIds" had too many elements')
              }

              obj.packIds.push(reader.string())
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
          packIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.packIds != null && obj.packIds === opts.limits.packIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "packIds" had too many elements')
              }

              yield {
                field: `${prefix}.packIds[]`,
                index: obj.packIds,
                value: reader.string()
              }

              obj.packIds++

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

  export interface StripeRequestPackIdsFieldEvent {
    field: '$.packIds[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<StripeRequest>): Uint8Array {
    return encodeMessage(obj, StripeRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StripeRequest>): StripeRequest {
    return decodeMessage(buf, StripeRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StripeRequest>): Generator<StripeRequestPackIdsFieldEvent> {
    return streamMessage(buf, StripeRequest.codec(), opts)
  }
}

export interface StripeHit {
  index: number
  shardIndexes: number[]
  stripe: Uint8Array
}

export namespace StripeHit {
  let _codec: Codec<StripeHit>

  export const codec = (): Codec<StripeHit> => {
    if (_codec == null) {
      _codec = message<StripeHit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if (obj.shardIndexes != null && obj.shardIndexes.length > 0) {
          for (const value of obj.shardIndexes) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if ((obj.stripe != null && obj.stripe.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.stripe)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          shardIndexes: [],
          stripe: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.shardIndexes != null && obj.shardIndexes.length === opts.limits.shardIndexes) {
                throw new MaxLengthError('Decode error - repeated field "shardIndexes" had too many elements')
              }

              obj.shardIndexes.push(reader.uint32())
              break
            }
            case 3: {
              obj.stripe = reader.bytes()
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
          shardIndexes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.shardIndexes != null && obj.shardIndexes === opts.limits.shardIndexes) {
                throw new MaxLengthError('Streaming decode error - repeated field "shardIndexes" had too many elements')
              }

              yield {
                field: `${prefix}.shardIndexes[]`,
                index: obj.shardIndexes,
                value: reader.uint32()
              }

              obj.shardIndexes++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.stripe`,
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

  export interface StripeHitIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface StripeHitShardIndexesFieldEvent {
    field: '$.shardIndexes[]'
    index: number
    value: number
  }

  export interface StripeHitStripeFieldEvent {
    field: '$.stripe'
    value: Uint8Array
  }

  export function encode (obj: Partial<StripeHit>): Uint8Array {
    return encodeMessage(obj, StripeHit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StripeHit>): StripeHit {
    return decodeMessage(buf, StripeHit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StripeHit>): Generator<StripeHitIndexFieldEvent | StripeHitShardIndexesFieldEvent | StripeHitStripeFieldEvent> {
    return streamMessage(buf, StripeHit.codec(), opts)
  }
}

export interface StripeResponse {
  hits: StripeHit[]
}

export namespace StripeResponse {
  let _codec: Codec<StripeResponse>

  export const codec = (): Codec<StripeResponse> => {
    if (_codec == null) {
      _codec = message<StripeResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.hits != null && obj.hits.length > 0) {
          for (const value of obj.hits) {
            w.uint32(10)
            StripeHit.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hits: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.hits != null && obj.hits.length === opts.limits.hits) {
                throw new MaxLengthError('Decode error - repeated field "hits" had too many elements')
              }

              obj.hits.push(StripeHit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hits$
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
          hits: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.hits != null && obj.hits === opts.limits.hits) {
                throw new MaxLengthError('Streaming decode error - repeated field "hits" had too many elements')
              }

              for (const evt of StripeHit.codec().stream(reader, reader.uint32(), `${prefix}.hits[]`, {
                limits: opts.limits?.hits$
              })) {
                yield {
                  ...evt,
                  index: obj.hits
                }
              }

              obj.hits++

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

  export interface StripeResponseHitsIndexFieldEvent {
    field: '$.hits[].index'
    value: number
    index: number
  }

  export interface StripeResponseHitsShardIndexesFieldEvent {
    field: '$.hits[].shardIndexes[]'
    index: number
    value: number
  }

  export interface StripeResponseHitsStripeFieldEvent {
    field: '$.hits[].stripe'
    value: Uint8Array
    index: number
  }

  export function encode (obj: Partial<StripeResponse>): Uint8Array {
    return encodeMessage(obj, StripeResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StripeResponse>): StripeResponse {
    return decodeMessage(buf, StripeResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StripeResponse>): Generator<StripeResponseHitsIndexFieldEvent | StripeResponseHitsShardIndexesFieldEvent | StripeResponseHitsStripeFieldEvent> {
    return streamMessage(buf, StripeResponse.codec(), opts)
  }
}
