/**
 * The sandbox REST school system as a client sees it over HTTP.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Assessment, FeeItem, LearningResult, Receivable } from '../../../src/model/records.ts';
import { generateDistrict } from '../../generator/index.ts';
import { districtDir, readStream } from '../shared/district.ts';
import { feesDir, gradesDir } from './fees-dir.ts';
import { type RestSchool, type RestSchoolOptions, startRestSchool } from './index.ts';

const DISTRICT = { seed: 5, schools: 1, classesPerGrade: 1, classSize: 8 };
const KEY = { 'x-api-key': 'sandbox-key' };
const open: RestSchool[] = [];
async function school(options: RestSchoolOptions = {}) {
  const s = await startRestSchool({ ...DISTRICT, auth: { type: 'apiKey', key: 'sandbox-key' }, ...options });
  open.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

const getJson = async (url: string, headers: Record<string, string> = KEY) => {
  const r = await fetch(url, { headers });
  return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
};

describe('sandbox REST school: lists', () => {
  it('pages students by trang/kichThuoc in the vendor’s own shape', async () => {
    const s = await school();
    const { status, body } = await getJson(`${s.url}/api/v1/hoc-sinh?trang=2&kichThuoc=5`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ tongSo: s.state.data.students.size, trang: 2, kichThuoc: 5 });
    const items = body.duLieu as Array<Record<string, unknown>>;
    expect(items).toHaveLength(5);
    expect(items[0]).toMatchObject({
      maHocSinh: expect.stringMatching(/^\d{10}$/),
      maTruong: '79NB0001',
      ngaySinh: expect.stringMatching(/^\d{2}\/\d{2}\/\d{4}$/),
      gioiTinh: expect.stringMatching(/^(Nam|Nữ)$/),
      soDinhDanh: expect.stringMatching(/^0\d{11}$/),
      trangThai: 'Đang học',
      ngayCapNhat: expect.stringMatching(/^2026-06-15T/),
      daXoa: false,
    });
    expect((items[0]!.phuHuynh as Array<{ quanHe: string }>).map((g) => g.quanHe)).toContain('Mẹ');
  });

  it('follows its own next links in nextLink mode, without a total', async () => {
    const s = await school({ paging: 'nextLink' });
    let url: string | null = '/api/v1/giao-vien?kichThuoc=4';
    const seen: string[] = [];
    let linkHeaders = 0;
    while (url) {
      const { body, headers } = await getJson(`${s.url}${url}`);
      expect(body.tongSo).toBeUndefined();
      seen.push(...(body.duLieu as Array<{ maGiaoVien: string }>).map((t) => t.maGiaoVien));
      if (headers.get('link')) linkHeaders++;
      url = body.tiepTheo as string | null;
    }
    expect(seen).toEqual(s.state.data.teachers.idList());
    expect(linkHeaders).toBe(Math.ceil(seen.length / 4) - (seen.length % 4 === 0 ? 0 : 1));
  });

  it('answers a delta with changes and tombstones only, and lists deletions at /da-xoa', async () => {
    const s = await school();
    const before = new Date(Date.now() - 1).toISOString();
    const { students } = s.state.mutate({ students: { update: 2, delete: 1 } });
    const delta = await getJson(`${s.url}/api/v1/hoc-sinh?capNhatTu=${encodeURIComponent(before)}`);
    const items = delta.body.duLieu as Array<{ maHocSinh: string; daXoa: boolean }>;
    expect(
      items
        .filter((i) => !i.daXoa)
        .map((i) => i.maHocSinh)
        .sort(),
    ).toEqual([...students!.updated].sort());
    expect(items.filter((i) => i.daXoa).map((i) => i.maHocSinh)).toEqual(students!.deleted);
    const full = await getJson(`${s.url}/api/v1/hoc-sinh?kichThuoc=1000`);
    expect(full.body.tongSo).toBe(s.state.data.students.size - 1);
    const deleted = await getJson(`${s.url}/api/v1/da-xoa?loai=hoc-sinh`);
    expect(deleted.body.duLieu).toEqual([
      {
        loai: 'hoc-sinh',
        maHocSinh: students!.deleted[0],
        maTruong: '79NB0001',
        thoiGianXoa: expect.any(String),
      },
    ]);
  });

  it('refuses a malformed capNhatTu with a problem document', async () => {
    const s = await school();
    const r = await getJson(`${s.url}/api/v1/lop?capNhatTu=hom-qua`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 400, title: expect.stringContaining('capNhatTu') });
  });
});

describe('sandbox REST school: fees', () => {
  const generated = async () => {
    const fees: Array<FeeItem | Receivable> = [];
    for await (const f of readStream<FeeItem | Receivable>(
      (await feesDir(await districtDir(DISTRICT)))!,
      'fees',
    ))
      fees.push(f);
    return {
      items: fees.filter((f): f is FeeItem => f.type === 'feeItem'),
      notices: fees.filter((f): f is Receivable => f.type === 'receivable'),
    };
  };

  it('serves the fee items (khoản thu) in the vendor’s own shape', async () => {
    const s = await school();
    const { items } = await generated();
    const { body } = await getJson(`${s.url}/api/v1/khoan-thu?kichThuoc=100`);
    expect(body.tongSo).toBe(items.length);
    const bhyt = (body.duLieu as Array<Record<string, unknown>>).find((f) => f.maKhoanThu === 'BHYT');
    expect(bhyt).toEqual({
      maKhoanThu: 'BHYT',
      maTruong: '79NB0001',
      namHoc: '2025-2026',
      tenKhoanThu: 'Bảo hiểm y tế học sinh',
      soTien: 1_263_600,
      kyThu: 'Năm',
      loaiKhoanThu: 'Bắt buộc',
      khoiApDung: [6, 7, 8, 9],
      ngayCapNhat: expect.stringMatching(/^2026-06-15T/),
      daXoa: false,
    });
    expect((body.duLieu as Array<{ kyThu: string }>).map((f) => f.kyThu)).toContain('Tháng');
  });

  it('serves each notice (phiếu báo thu) with its lines, amounts, due date and transfer reference', async () => {
    const s = await school();
    const { notices } = await generated();
    const { body } = await getJson(`${s.url}/api/v1/phieu-bao-thu?kichThuoc=1000`);
    expect(body.tongSo).toBe(notices.length);
    const first = notices[0]!;
    expect((body.duLieu as unknown[])[0]).toEqual({
      soPhieu: first.receivableNo,
      maTruong: '79NB0001',
      namHoc: '2025-2026',
      hocKy: 1,
      maHocSinh: first.studentCode,
      chiTiet: first.items.map((i) => ({
        maKhoanThu: i.feeCode,
        tenKhoanThu: expect.any(String),
        soTien: i.amount,
      })),
      tongTien: first.total,
      hanNop: `${first.dueDate.slice(8, 10)}/${first.dueDate.slice(5, 7)}/${first.dueDate.slice(0, 4)}`,
      noiDungChuyenKhoan: first.paymentReference,
      trangThai: first.status === 'paid' ? 'Đã thu' : 'Chưa thu',
      ngayCapNhat: expect.stringMatching(/^2026-06-15T/),
      daXoa: false,
    });
  });

  it('shows the latest billing period’s notices unpaid and earlier ones as the generator wrote them', async () => {
    const s = await school();
    const { notices } = await generated();
    const latest = notices
      .map((n) => n.dueDate)
      .sort()
      .at(-1);
    const label = (n: Receivable) => (n.status === 'paid' ? 'Đã thu' : 'Chưa thu');
    const served = new Map(
      (
        (await getJson(`${s.url}/api/v1/phieu-bao-thu?kichThuoc=1000`)).body.duLieu as Array<{
          soPhieu: string;
          trangThai: string;
        }>
      ).map((n) => [n.soPhieu, n.trangThai]),
    );
    for (const n of notices) {
      expect(served.get(n.receivableNo)).toBe(n.dueDate === latest ? 'Chưa thu' : label(n));
    }
    const open = [...served.values()].filter((t) => t === 'Chưa thu').length;
    expect(open / served.size).toBeGreaterThan(0.45);
    expect(notices.filter((n) => n.status === 'open').length / notices.length).toBeLessThan(0.2);

    const asGenerated = await school({ latestNoticesOpen: false });
    const raw = (await getJson(`${asGenerated.url}/api/v1/phieu-bao-thu?kichThuoc=1000`)).body
      .duLieu as Array<{ trangThai: string }>;
    expect(raw.map((n) => n.trangThai)).toEqual(notices.map(label));
  });

  it('extends a changed notice’s due date, and lists a deleted one at /da-xoa by its number', async () => {
    const s = await school();
    const before = new Date(Date.now() - 1).toISOString();
    const id = s.state.data.feeNotices.idList()[0]!;
    const due = s.state.data.feeNotices.get(id)!.hanNop;
    const { feeNotices, feeItems } = s.state.mutate({
      feeNotices: { update: [id], delete: 1 },
      feeItems: { update: 1 },
    });
    expect(s.state.data.feeNotices.get(id)!.hanNop).not.toBe(due);
    const delta = await getJson(`${s.url}/api/v1/phieu-bao-thu?capNhatTu=${encodeURIComponent(before)}`);
    const changed = (delta.body.duLieu as Array<{ soPhieu: string; daXoa: boolean }>)
      .map((n) => `${n.soPhieu} ${n.daXoa}`)
      .sort();
    expect(changed).toEqual([`${id} false`, `${feeNotices!.deleted[0]} true`].sort());
    const items = await getJson(`${s.url}/api/v1/khoan-thu?capNhatTu=${encodeURIComponent(before)}`);
    expect((items.body.duLieu as Array<{ soTien: number }>).length).toBe(1);
    expect(feeItems!.updated).toHaveLength(1);
    const deleted = await getJson(`${s.url}/api/v1/da-xoa?loai=phieu-bao-thu`);
    expect(deleted.body.duLieu).toEqual([
      {
        loai: 'phieu-bao-thu',
        soPhieu: feeNotices!.deleted[0],
        maTruong: '79NB0001',
        thoiGianXoa: expect.any(String),
      },
    ]);
  });

  it('keeps no fees when asked not to', async () => {
    const s = await school({ fees: false });
    expect(s.state.data.feeNotices.size).toBe(0);
    expect((await getJson(`${s.url}/api/v1/phieu-bao-thu`)).body).toMatchObject({ tongSo: 0, duLieu: [] });
  });

  it('serves the fees a generation of every stream writes, from the shared cache of people and classes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rest-school-fees-'));
    try {
      await generateDistrict({ outDir: dir, ...DISTRICT });
      const cached = (await feesDir(await districtDir(DISTRICT)))!;
      expect(await readFile(join(cached, 'fees.jsonl'), 'utf8')).toBe(
        await readFile(join(dir, 'fees.jsonl'), 'utf8'),
      );
      expect(await feesDir(dir)).toBe(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sandbox REST school: grade books', () => {
  const GRADES = { ...DISTRICT, grades: true };
  const generated = async () => {
    const dir = (await gradesDir(await districtDir(DISTRICT)))!;
    const assessments: Assessment[] = [];
    const results: LearningResult[] = [];
    for await (const a of readStream<Assessment>(dir, 'assessments')) assessments.push(a);
    for await (const r of readStream<LearningResult>(dir, 'learning-results')) results.push(r);
    return { assessments, results };
  };

  it('serves a scored subject’s marks in sổ điểm and a commented one’s Đ/CĐ in sổ nhận xét', async () => {
    const s = await school(GRADES);
    const { assessments } = await generated();
    const scored = assessments.filter((a) => a.evaluation === 'scored');
    const commented = assessments.filter((a) => a.evaluation === 'commented');
    const marks = await getJson(`${s.url}/api/v1/so-diem?kichThuoc=5000`);
    const comments = await getJson(`${s.url}/api/v1/so-nhan-xet?kichThuoc=5000`);
    expect([marks.body.tongSo, comments.body.tongSo]).toEqual([scored.length, commented.length]);
    const a = scored[0]!;
    expect((marks.body.duLieu as unknown[])[0]).toEqual({
      maTruong: '79NB0001',
      namHoc: '2025-2026',
      hocKy: a.semester,
      maLop: a.className,
      maHocSinh: a.studentCode,
      maMon: a.subjectCode,
      diemTX: a.regular,
      diemGK: a.midterm,
      diemCK: a.final,
      diemTBHK: a.average,
      ngayCapNhat: expect.stringMatching(/^2026-06-15T/),
      daXoa: false,
    });
    const c = commented[0]!;
    expect((comments.body.duLieu as unknown[])[0]).toEqual({
      maTruong: '79NB0001',
      namHoc: '2025-2026',
      hocKy: c.semester,
      maLop: c.className,
      maHocSinh: c.studentCode,
      maMon: c.subjectCode,
      nhanXetTX: c.regular,
      nhanXetGK: c.midterm,
      nhanXetCK: c.final,
      ketQua: c.result,
      ngayCapNhat: expect.stringMatching(/^2026-06-15T/),
      daXoa: false,
    });
  });

  it('serves each learning result with its subjects, levels and period', async () => {
    const s = await school(GRADES);
    const { results } = await generated();
    const { body } = await getJson(`${s.url}/api/v1/ket-qua-hoc-tap?kichThuoc=5000`);
    expect(body.tongSo).toBe(results.length);
    const year = results.find((r) => r.period === 'year')!;
    const served = (body.duLieu as Array<{ ky: string; maHocSinh: string }>).find(
      (r) => r.ky === 'CN' && r.maHocSinh === year.studentCode,
    );
    const scored = year.subjects.find((x) => x.evaluation === 'scored')!;
    expect(served).toMatchObject({
      maLop: year.className,
      hocLuc: year.level,
      renLuyen: year.conduct,
      chiTiet: expect.arrayContaining([
        {
          maMon: scored.subjectCode,
          hinhThuc: 'Điểm số',
          diemTB: scored.average,
          diemHK1: (scored as { semester1: number }).semester1,
          diemHK2: (scored as { semester2: number }).semester2,
        },
      ]),
    });
    expect((served as unknown as { chiTiet: unknown[] }).chiTiet).toHaveLength(year.subjects.length);
  });

  it('corrects a mark with its ĐTBmhk, and lists a deleted row at /da-xoa by its ids', async () => {
    const s = await school(GRADES);
    const id = s.state.data.marks.idList()[0]!;
    const before = structuredClone(s.state.data.marks.get(id)!);
    const { marks } = s.state.mutate({ marks: { update: [id], delete: 1 } });
    const after = s.state.data.marks.get(id)!;
    expect(after.diemTX.slice(0, -1)).toEqual(before.diemTX.slice(0, -1));
    expect(after.diemTX.at(-1)).toBe(before.diemTX.at(-1)! >= 10 ? 9.5 : before.diemTX.at(-1)! + 0.5);
    expect(after.diemTBHK).not.toBe(undefined);
    const deleted = await getJson(`${s.url}/api/v1/da-xoa?loai=so-diem`);
    const [maTruong, namHoc, hocKy, maHocSinh, maMon] = marks!.deleted[0]!.split('/');
    expect(deleted.body.duLieu).toEqual([
      {
        loai: 'so-diem',
        maTruong,
        namHoc,
        hocKy: Number(hocKy),
        maHocSinh,
        maMon,
        thoiGianXoa: expect.any(String),
      },
    ]);
  });

  it('keeps no grade books unless asked', async () => {
    const s = await school();
    expect(s.state.data.marks.size + s.state.data.comments.size + s.state.data.learningResults.size).toBe(0);
    expect((await getJson(`${s.url}/api/v1/so-diem`)).body).toMatchObject({ tongSo: 0, duLieu: [] });
  });

  it('serves the grade books a generation of every stream writes, from the shared cache', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rest-school-grades-'));
    try {
      await generateDistrict({ outDir: dir, ...DISTRICT });
      const cached = (await gradesDir(await districtDir(DISTRICT)))!;
      for (const file of ['assessments.jsonl', 'learning-results.jsonl'])
        expect(await readFile(join(cached, file), 'utf8')).toBe(await readFile(join(dir, file), 'utf8'));
      expect(await gradesDir(dir)).toBe(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sandbox REST school: authentication', () => {
  it('refuses a request without the API key', async () => {
    const s = await school();
    const r = await getJson(`${s.url}/api/v1/lop`, {});
    expect(r.status).toBe(401);
    expect(s.state.auth.counters.requestsRefused).toBe(1);
  });

  it('issues OAuth2 tokens to a client authenticated by basic or by form, and refuses others', async () => {
    const s = await school({
      auth: { type: 'oauth2', clientId: 'app', clientSecret: 's3cret', tokenTtlSeconds: 600 },
    });
    const token = async (headers: Record<string, string>, form: Record<string, string>) =>
      fetch(`${s.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...form }),
      });
    const byBasic = await token(
      { authorization: `Basic ${Buffer.from('app:s3cret').toString('base64')}` },
      {},
    );
    expect(await byBasic.json()).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    const byForm = await token({}, { client_id: 'app', client_secret: 's3cret' });
    const { access_token } = (await byForm.json()) as { access_token: string };
    expect((await getJson(`${s.url}/api/v1/lop`, { authorization: `Bearer ${access_token}` })).status).toBe(
      200,
    );
    expect((await token({}, { client_id: 'app', client_secret: 'nope' })).status).toBe(401);
    await fetch(`${s.url}/_admin/revoke-tokens`, { method: 'POST' });
    expect((await getJson(`${s.url}/api/v1/lop`, { authorization: `Bearer ${access_token}` })).status).toBe(
      401,
    );
    expect(s.state.auth.counters).toMatchObject({ tokensIssued: 2, tokensRefused: 1 });
  });

  it('takes HTTP basic credentials', async () => {
    const s = await school({ auth: { type: 'basic', username: 'u', password: 'p' } });
    const ok = await getJson(`${s.url}/api/v1/lop`, {
      authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
    const bad = await getJson(`${s.url}/api/v1/lop`, {
      authorization: `Basic ${Buffer.from('u:x').toString('base64')}`,
    });
    expect([ok.status, bad.status]).toEqual([200, 401]);
  });
});

describe('sandbox REST school: misbehaviour on demand', () => {
  it('answers 429 with Retry-After, then 5xx, as the admin endpoint asks, and counts them', async () => {
    const s = await school();
    await fetch(`${s.url}/_admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        rateLimit: { count: 1, retryAfterSeconds: 7 },
        serverErrors: { count: 2, status: 502 },
      }),
    });
    const statuses: Array<[number, string | null]> = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${s.url}/api/v1/lop`, { headers: KEY });
      statuses.push([r.status, r.headers.get('retry-after')]);
    }
    expect(statuses).toEqual([
      [429, '7'],
      [502, null],
      [502, null],
      [200, null],
    ]);
    const state = (await (await fetch(`${s.url}/_admin/state`)).json()) as { faults: { injected: object } };
    expect(state.faults.injected).toMatchObject({ rateLimited: 1, serverErrors: 2 });
  });

  it('breaks a page so it does not parse', async () => {
    const s = await school({ faults: { brokenPages: 1 } });
    const text = await (await fetch(`${s.url}/api/v1/hoc-sinh`, { headers: KEY })).text();
    expect(() => JSON.parse(text)).toThrow();
    expect(
      JSON.parse(await (await fetch(`${s.url}/api/v1/hoc-sinh`, { headers: KEY })).text()),
    ).toHaveProperty('duLieu');
  });

  it('serves a page short of half its items, or with none, keeping the total of the whole page', async () => {
    const s = await school({ faults: { shortPages: 1, emptyPages: 1 } });
    const url = `${s.url}/api/v1/hoc-sinh?trang=1&kichThuoc=6`;
    const short = (await getJson(url)).body;
    const empty = (await getJson(url)).body;
    const whole = (await getJson(url)).body;
    expect([short.duLieu, empty.duLieu, whole.duLieu].map((d) => (d as unknown[]).length)).toEqual([3, 0, 6]);
    expect([short.tongSo, empty.tongSo]).toEqual([whole.tongSo, whole.tongSo]);
    expect(s.state.faults.injected).toMatchObject({ shortPages: 1, emptyPages: 1 });
  });

  it('keeps the next link of an empty page in nextLink paging', async () => {
    const s = await school({ paging: 'nextLink', faults: { emptyPages: 1 } });
    const { body, headers } = await getJson(`${s.url}/api/v1/hoc-sinh?kichThuoc=3`);
    expect(body.duLieu).toEqual([]);
    expect(body.tiepTheo).toMatch(/^\/api\/v1\/hoc-sinh\?conTro=/);
    expect(headers.get('link')).toContain('rel="next"');
  });

  it('serves a hollow page: well-formed, without list or total', async () => {
    const s = await school({ faults: { hollowPages: 1 } });
    expect((await getJson(`${s.url}/api/v1/hoc-sinh`)).body).toEqual({});
  });

  it('slows every answer by the latency asked', async () => {
    const s = await school({ faults: { latencyMs: 120 } });
    const started = Date.now();
    await fetch(`${s.url}/api/v1/lop`, { headers: KEY });
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('mutates through the admin endpoint', async () => {
    const s = await school();
    const r = await fetch(`${s.url}/_admin/mutate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ teachers: { update: 1, delete: 1 } }),
    });
    const result = (await r.json()) as { teachers: { updated: string[]; deleted: string[] } };
    expect(s.state.data.teachers.isDeleted(result.teachers.deleted[0]!)).toBe(true);
    expect(s.state.data.teachers.updatedAt(result.teachers.updated[0]!)).toBeGreaterThan(
      Date.parse('2026-06-16T00:00:00Z'),
    );
  });
});
