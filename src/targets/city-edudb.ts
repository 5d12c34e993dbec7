/**
 * The city Education DB (CSDL ngành) as a target: canonical records mapped by
 * `mappings/city-edudb/v1`, pushed one batch per stream through the LGSP gateway as
 * `{ idempotencyKey, records: [{ key, kind, record }], deletes: [key] }`, answered per record.
 * The contract is ours (the city publishes none): see `openapi/city-edudb.md`.
 *
 * @example
 * const target = createCityEduDbTarget({ gateway: createGatewayClient(options) });
 * const mapped = target.map(student); // { key, body: { kind: 'HocSinh', record: { MaHocSinh, … } } }
 * const { results } = await target.push({ …batch, upserts: [mapped!] });
 */
import {
  CITY_EDUDB_MAPPING_VERSION,
  CITY_STREAMS,
  type CityRecordKind,
  type CityStream,
  mapToCityEduDb,
} from '../../mappings/city-edudb/v1/index.ts';
import type { GatewayClient } from '../gateway/index.ts';
import type { CanonicalRecord } from '../model/index.ts';
import { hubError } from '../sdk/errors.ts';
import { type GatewayBatchTarget, pushGatewayBatch, streamOperations } from './gateway-batch.ts';
import type { MappedRecord, PushBatch, PushResult, Target } from './target.ts';

export const CITY_EDUDB_TARGET_ID = 'city-edudb';

export interface CityEduDbTargetOptions {
  gateway: GatewayClient;
  /** LGSP service of the city Education DB; default `csdl-nganh` (assumed, ❓). */
  service?: string;
  /** Operation per stream; defaults in `CITY_STREAMS` (`hocsinh`, `giaovien` …). */
  operations?: Partial<Record<CityStream, string>>;
  /** Roster read operation; default `danhsach`. */
  rosterOperation?: string;
}

/** The body of a mapped record: the city's record kind and the record in its field names. */
export interface CityEduDbBody {
  kind: CityRecordKind;
  record: Record<string, unknown>;
}

export interface CityRoster {
  MaTruong: string;
  HocSinh: Record<string, unknown>[];
  GiaoVien: Record<string, unknown>[];
  LopHoc: Record<string, unknown>[];
}

export interface CityEduDbTarget extends Target {
  /** The city's master data for a school, for reconciliation. */
  readRoster(schoolCode: string, options?: { correlationId?: string }): Promise<CityRoster>;
}

export function createCityEduDbTarget(options: CityEduDbTargetOptions): CityEduDbTarget {
  const service = options.service ?? 'csdl-nganh';
  const batches: GatewayBatchTarget = {
    gateway: options.gateway,
    service,
    name: { vi: 'CSDL ngành', en: 'the city DB' },
    operations: streamOperations(CITY_STREAMS, options.operations),
    // `review` (held for a person at the city, UNKNOWN_MASTER) is not accepted: the record is not there.
    refusedStatuses: ['review'],
  };

  return {
    id: CITY_EDUDB_TARGET_ID,
    mappingVersion: CITY_EDUDB_MAPPING_VERSION,
    streams: Object.keys(CITY_STREAMS) as CityStream[],

    map(record: CanonicalRecord): MappedRecord | undefined {
      const mapped = mapToCityEduDb(record);
      if (!mapped) return undefined;
      const body: CityEduDbBody = { kind: mapped.kind, record: mapped.record };
      return { key: record.key, body };
    },

    push(batch: PushBatch, pushOptions?: { signal?: AbortSignal }): Promise<PushResult> {
      return pushGatewayBatch(batches, batch, pushOptions?.signal);
    },

    async readRoster(schoolCode: string, readOptions: { correlationId?: string } = {}): Promise<CityRoster> {
      const response = await options.gateway.send<CityRoster>({
        service,
        operation: options.rosterOperation ?? 'danhsach',
        body: { MaTruong: schoolCode },
        // A read changes nothing; the key only satisfies gateways that want one on every call.
        idempotencyKey: `roster:${schoolCode}:${Date.now()}`,
        correlationId: readOptions.correlationId ?? `roster:${schoolCode}`,
      });
      const roster = response.body;
      if (
        !roster ||
        !Array.isArray(roster.HocSinh) ||
        !Array.isArray(roster.GiaoVien) ||
        !Array.isArray(roster.LopHoc)
      )
        throw hubError('TARGET_ANSWER_INVALID', {
          target: { vi: 'CSDL ngành', en: 'the city Education DB' },
          reason: { vi: 'danh sách không đúng dạng', en: 'the roster has the wrong shape' },
        });
      return roster;
    },
  };
}
