/**
 * The SSC contract (HCMC's online revenue system) as EduBridge models it, as an OpenAPI 3.1
 * document: the record kinds are the mapping's zod schemas (`SSC_RECORD_SCHEMAS`, and
 * `SscPaymentSchema` for the payments SSC lists), the operations those of `SSC_STREAMS` and
 * `SSC_OPERATIONS`, and the envelopes below are what `sandbox/ssc/server.ts` takes and answers.
 * Written to `openapi/ssc.openapi.json` by `npm run contracts`.
 */
import { z } from 'zod';
import {
  SSC_CHANNELS,
  SSC_MAPPING_VERSION,
  SSC_OPERATIONS,
  SSC_RECORD_SCHEMAS,
  SSC_STREAMS,
  SscPaymentSchema,
  type SscRecordKind,
} from '../../../../mappings/ssc/v1/index.ts';
import { contractDocument } from '../document.ts';
import { headerParameters } from '../headers.ts';
import {
  componentSchemas,
  contractRegistry,
  type Json,
  jsonContent,
  ref,
  schemaBuilder,
} from '../openapi.ts';
import { SSC_PROVENANCE } from './provenance.ts';

/** Payments per page SSC allows at most (default 100). */
export const SSC_MAX_PAGE = 500;

const KIND_DESCRIPTIONS: Record<SscRecordKind, string> = {
  KhoanThu:
    'Khoản thu (fee item): what a school collects, how much per period, and for which grades. Unique per school, school year and MaKhoanThu.',
  PhieuBaoThu: [
    "Phiếu báo thu (fee notice): one student's fees, item by item, with the VietQR payload parents scan to pay into the school's collection account.",
    'Also checked, beyond this schema (by the mapping and by SSC): TongTien is the sum of ChiTiet[].SoTien; each MaKhoanThu appears once; MaQR is present exactly when TrangThai is CHUA_THU (dynamic QR, amount = TongTien) or THU_MOT_PHAN (static QR, no amount), and its purpose (62/08) is NoiDungChuyenKhoan folded to ASCII, its bill number (62/01), when present, SoPhieu, its CRC valid. SSC refuses a notice naming a fee item it does not hold (`UNKNOWN_FEE_ITEM`).',
  ].join(' '),
};

function schemas(): Record<string, Json> {
  const registry = contractRegistry();
  const { add, described } = schemaBuilder(registry);
  const key = () =>
    described(
      z.string().min(1).max(300),
      "The hub's record key (`<source system>:<id>`): SSC echoes it and deletes by it.",
    );
  const idempotencyKey = () =>
    described(
      z.string().min(1).max(200).optional(),
      'Applied once; here or in the `Idempotency-Key` header (one of the two is required on a batch).',
    );

  for (const [kind, schema] of Object.entries(SSC_RECORD_SCHEMAS))
    add(schema, kind, KIND_DESCRIPTIONS[kind as SscRecordKind]);
  const payment = add(
    SscPaymentSchema,
    'GiaoDich',
    `Giao dịch: a payment by a parent, as SSC lists it; read leniently (a field SSC adds later is ignored). KenhThanhToan ↔ canonical channel: ${Object.entries(
      SSC_CHANNELS,
    )
      .map(([ssc, canonical]) => `${ssc} ${canonical}`)
      .join(', ')}.`,
  );

  const items = new Map<SscRecordKind, z.ZodObject>();
  for (const kind of Object.keys(SSC_RECORD_SCHEMAS) as SscRecordKind[])
    items.set(
      kind,
      add(
        z.strictObject({
          key: key(),
          kind: described(z.literal(kind), "SSC's record type."),
          record: SSC_RECORD_SCHEMAS[kind],
        }),
        `Item.${kind}`,
        `One ${kind} to create or update.`,
      ),
    );
  for (const [stream, s] of Object.entries(SSC_STREAMS)) {
    const kinds = s.kinds as readonly SscRecordKind[];
    const [first, ...rest] = kinds.map((k) => items.get(k)!);
    add(
      z.strictObject({
        idempotencyKey: idempotencyKey(),
        records: described(
          z.array(rest.length === 0 ? first! : z.discriminatedUnion('kind', [first!, ...rest])).optional(),
          `Records of stream \`${stream}\` to upsert, fee items applied before notices whatever their order; default [].`,
        ),
        deletes: described(z.array(key()).optional(), 'Record keys to delete; default [].'),
      }),
      `Batch.${s.operation}`,
      `A batch of stream \`${stream}\` (${kinds.join(', ')}).`,
    );
  }

  const result = add(
    z.object({
      key: described(z.string(), 'The record key of the upsert or delete.'),
      status: z.enum(['accepted', 'refused']),
      code: described(
        z.string().optional(),
        '`SCHEMA_INVALID`, `UNKNOWN_FEE_ITEM`, `DUPLICATE_FEE_ITEM`, `DUPLICATE_NOTICE`, `NOTICE_HAS_PAYMENTS`, `FEE_ITEM_IN_USE`, or SSC’s own code.',
      ),
      message: z.string().optional(),
      field: described(
        z.string().optional(),
        'The field a refusal is about, as a path in the record (`ChiTiet.0.SoTien`, `GhiChu`).',
      ),
      version: described(
        z.string().optional(),
        "The record's version in SSC after the change (counts changes of content).",
      ),
      deleted: described(z.boolean().optional(), 'True on the result of a delete.'),
    }),
    'RecordResult',
    'The answer for one record or delete.',
  );
  add(
    z.object({
      idempotencyKey: z.string().min(1),
      results: described(z.array(result), 'One result per record, then one per delete.'),
    }),
    'BatchAnswer',
    "The batch's answer, per record; a repeat of the key gets the first answer.",
  );

  add(
    z.strictObject({
      MaTruong: z.string().min(1),
      since: described(
        z.iso.datetime({ offset: true }).optional(),
        'Payments with ThoiGian at or after this instant (ISO 8601 with offset).',
      ),
      cursor: described(z.string().min(1).optional(), 'The `nextCursor` of the previous page.'),
      limit: described(z.int().min(1).max(SSC_MAX_PAGE).optional(), 'Payments per page; default 100.'),
    }),
    'PaymentListRequest',
    "A page of a school's payments.",
  );
  add(
    z.object({
      MaTruong: z.string().min(1),
      items: described(z.array(payment), 'Oldest first, by ThoiGian then MaGiaoDich.'),
      nextCursor: described(z.string().min(1).nullable(), 'Opaque; null on the last page.'),
    }),
    'PaymentPage',
    'A page of payments.',
  );

  add(
    z.strictObject({
      idempotencyKey: idempotencyKey(),
      MaGiaoDich: z.string().min(1),
      LoaiChungTu: described(
        z.enum(['BIEN_LAI', 'HOA_DON']).optional(),
        'BIEN_LAI e-receipt (the default) or HOA_DON e-invoice.',
      ),
      NguoiMua: described(
        z
          .strictObject({
            Ten: z.string().trim().min(1).max(200),
            MST: z.string().optional(),
            DChi: z.string().max(300).optional(),
            HoTenNguoiMua: z.string().max(200).optional(),
          })
          .optional(),
        'The buyer as the document names them; default "Phụ huynh học sinh <MaHocSinh>".',
      ),
    }),
    'ReceiptRequest',
    'Issue the receipt or invoice of a payment; asking again answers the same document.',
  );
  add(
    z.object({
      MaGiaoDich: z.string().min(1),
      SoPhieu: z.string().min(1),
      MaTruong: z.string().min(1),
      MaHocSinh: z.string().min(1),
      LoaiChungTu: z.enum(['BIEN_LAI', 'HOA_DON']),
      KyHieuMauSo: described(z.string().min(1), 'Mẫu số (KHMSHDon): `01BLP0-001` receipts, `2` invoices.'),
      KyHieu: described(z.string().min(1), 'Ký hiệu (KHHDon): `BL-<yy>T` receipts, `C<yy>TBL` invoices.'),
      So: described(z.string().min(1), 'The number in the series: 7 digits receipts, 8 digits invoices.'),
      NgayLap: described(z.iso.date(), "The payment's date."),
      TongTien: z.int().nonnegative(),
      XML: described(
        z.string().regex(/<HDon>/, 'XML must hold an HDon'),
        'HDon XML (TT78, 1450/QĐ-TCT, PBan 2.1.0), without the seller’s signature in the sandbox.',
      ),
    }),
    'Document',
    'The e-receipt or e-invoice issued for a payment.',
  );
  add(
    z.object({
      code: z.string().min(1),
      message: z.string(),
      field: described(z.string().optional(), 'The field the refusal is about.'),
    }),
    'Problem',
    'A refusal of the whole call.',
  );
  return componentSchemas(registry);
}

const problem = (description: string) => ({ description, content: jsonContent('Problem') });

function responses(): Record<string, Json> {
  return {
    BadRequest: problem('`SCHEMA_INVALID`: the body breaks the contract (`field` names where).'),
    KeyReused: problem('`IDEMPOTENCY_KEY_REUSED`: the key was used for another operation.'),
    Internal: problem('`INTERNAL`: SSC failed; try again.'),
    Unavailable: {
      ...problem('`UNAVAILABLE`: SSC is down; try again after `Retry-After`.'),
      headers: { 'Retry-After': ref('headers', 'Retry-After') },
    },
  };
}

const failures = {
  '500': ref('responses', 'Internal'),
  '503': ref('responses', 'Unavailable'),
};

function paths(): Json {
  const out: Json = {};
  for (const [stream, s] of Object.entries(SSC_STREAMS))
    out[`/api/${s.operation}`] = {
      post: {
        operationId: s.operation,
        tags: ['batch'],
        summary: `Upserts and deletes of stream \`${stream}\` (${s.kinds.join(', ')})`,
        description: [
          `One batch of \`${s.kinds.join('`, `')}\` records: \`{ idempotencyKey, records: [{ key, kind, record }], deletes: [key] }\`, answered per record. Every item and record is validated: a field outside the contract is refused and named.`,
          'Through vnpt-lgsp the body arrives wrapped as `{"data":[ batch ]}`, which SSC accepts too.',
        ].join('\n\n'),
        parameters: headerParameters,
        requestBody: { required: true, content: jsonContent(`Batch.${s.operation}`) },
        responses: {
          '200': {
            description: 'Applied (or a repeat of the key): one result per record.',
            content: jsonContent('BatchAnswer'),
          },
          '400': problem(
            '`SCHEMA_INVALID`: the body is not a batch; `IDEMPOTENCY_KEY_MISSING`: no key in the body or header.',
          ),
          '409': ref('responses', 'KeyReused'),
          ...failures,
        },
      },
    };
  out[`/api/${SSC_OPERATIONS.listPayments}`] = {
    post: {
      operationId: SSC_OPERATIONS.listPayments,
      tags: ['payments'],
      summary: "A school's payments since a time, page by page (SSC → hub)",
      parameters: headerParameters,
      requestBody: { required: true, content: jsonContent('PaymentListRequest') },
      responses: {
        '200': { description: 'A page of payments.', content: jsonContent('PaymentPage') },
        '400': problem('`SCHEMA_INVALID`, or `CURSOR_INVALID`: a cursor SSC did not give.'),
        ...failures,
      },
    },
  };
  out[`/api/${SSC_OPERATIONS.issueReceipt}`] = {
    post: {
      operationId: SSC_OPERATIONS.issueReceipt,
      tags: ['payments'],
      summary: 'Issues (or answers again) the e-receipt or e-invoice of a payment',
      parameters: headerParameters,
      requestBody: { required: true, content: jsonContent('ReceiptRequest') },
      responses: {
        '200': { description: 'The document.', content: jsonContent('Document') },
        '400': ref('responses', 'BadRequest'),
        '409': ref('responses', 'KeyReused'),
        '422': problem(
          '`PAYMENT_UNKNOWN` (`field` MaGiaoDich), `NOTICE_UNKNOWN`, or `DOCUMENT_INVALID`: no document can be issued.',
        ),
        ...failures,
      },
    },
  };
  return out;
}

const DESCRIPTION = [
  "The contract of SSC (Hệ thống phần mềm quản lý nguồn thu trực tuyến, HCMC's online revenue system for schools) **as EduBridge models it. It is not published by the city or SSC's operator**: they publish no API (shared/domain/README.md §5.1, §10.4).",
  'EduBridge codes against it (`src/targets/ssc.ts`) and the simulator enforces it (`sandbox/ssc/`); SSC is reached through the LGSP gateway (service `ssc`), which routes `POST {upstream}/{operation}` to it. The reasoning behind every field, and what is to be asked, is in `openapi/ssc.md`.',
  'Every schema property (and header) carries `x-provenance`: `known` (✅ known from public sources), `assumed` (⚠️ secondary: one source, the press, the README proposal) or `unknown` (❓ our assumption: configurable or to be asked), with `x-source` saying where the mark comes from (`src/targets/contracts/ssc/provenance.ts`).',
  `Generated by \`npm run contracts\` from the zod schemas of \`mappings/ssc/${SSC_MAPPING_VERSION}/\` and \`src/targets/contracts/ssc/contract.ts\`: do not edit by hand.`,
].join('\n\n');

/** The OpenAPI 3.1 document of the SSC contract. */
export function sscContract(): Json {
  return contractDocument({
    contract: 'ssc',
    system: 'SSC',
    title: 'SSC (online revenue system for schools): the contract as EduBridge models it',
    version: SSC_MAPPING_VERSION,
    description: DESCRIPTION,
    server:
      'The upstream the LGSP gateway routes service `ssc` to; the simulator serves it at `startSsc().url`.',
    tags: [
      { name: 'batch', description: 'Fee items and notices, one batch per call' },
      { name: 'payments', description: 'Payments read back, and their receipts' },
    ],
    schemas: schemas(),
    responses: responses(),
    paths: paths(),
    provenance: SSC_PROVENANCE,
  });
}
