/**
 * The text in the QR code of a chip ID card (CCCD, 2021 – Jun 2024) and of the "Căn cước" card
 * (from 1 Jul 2024, Circular 16/2024/TT-BCA), as a card reader or a phone camera returns it.
 *
 * Old card, 7 `|`-separated fields (domain §6.2):
 *   SốCCCD | SốCMND (9 digits or empty) | Họ và tên | ngày sinh ddMMyyyy | Nam/Nữ | Nơi thường trú | ngày cấp ddMMyyyy
 * New card (§6.3): the order of its fields is not confirmed. It is read as the same first 7
 * positions followed by more fields, which are kept raw in `extra` rather than guessed at.
 */
import { checkName } from '../../model/names.ts';
import type { Gender } from '../../model/personal-id.ts';
import {
  type CardParseOptions,
  CardPayloadError,
  checkCardFacts,
  type FieldRef,
  fieldLabel,
  isoDate,
  readGender,
} from './card.ts';

export interface CardData {
  personalId: string;
  /** The 9-digit CMND number the card replaced, or null. */
  legacyId: string | null;
  /** NFC, single spaces. */
  fullName: string;
  /** ISO YYYY-MM-DD. */
  birthDate: string;
  gender: Gender;
  /** Nơi thường trú (old card) / nơi cư trú (new card), NFC. */
  address: string;
  /** ISO YYYY-MM-DD. */
  issueDate: string;
  /** Fields beyond the 7th (new cards), raw; trailing empty ones dropped. */
  extra: string[];
}

const FIELDS = ['personalId', 'legacyId', 'fullName', 'birthDate', 'gender', 'address', 'issueDate'] as const;
type QrField = (typeof FIELDS)[number];

const ref = (field: QrField): FieldRef => ({ field, position: FIELDS.indexOf(field) + 1 });

function fail(field: QrField, code: CardPayloadError['code'], vi: string, en: string): never {
  const r = ref(field);
  const l = fieldLabel(r);
  throw new CardPayloadError(code, r.field, r.position, `${l.vi} ${vi}`, `${l.en} ${en}`);
}

function readDate(raw: string, field: 'birthDate' | 'issueDate'): string {
  const code = field === 'birthDate' ? 'QR_BIRTH_DATE' : 'QR_ISSUE_DATE';
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(raw);
  if (!m) return fail(field, code, 'phải có dạng ddMMyyyy (8 chữ số)', 'must be ddMMyyyy (8 digits)');
  const iso = isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if (!iso || Number(m[3]) < 1900) {
    return fail(field, code, 'không phải là một ngày có thật', 'is not a real calendar date');
  }
  return iso;
}

/**
 * Reads and checks the QR text of a CCCD / Căn cước card. Tolerates a byte-order mark, surrounding
 * whitespace and line breaks, a trailing `|`, and a decomposed (NFD) text.
 *
 * @throws CardPayloadError with a `QR_*` code, the field and its position; never quotes a value.
 * @example
 * parseCccdQr('079203001234|123456789|Nguyễn Văn An|15032003|Nam|12 Lê Lợi, Phường Bến Nghé, Quận 1, TP.HCM|20042021')
 * // { personalId: '079203001234', legacyId: '123456789', fullName: 'Nguyễn Văn An', birthDate: '2003-03-15',
 * //   gender: 'male', address: '12 Lê Lợi, …', issueDate: '2021-04-20', extra: [] }
 */
export function parseCccdQr(text: string, options: CardParseOptions = {}): CardData {
  const body =
    typeof text === 'string'
      ? text
          .normalize('NFC')
          .replace(/^\ufeff/, '')
          .trim()
      : '';
  if (body === '') {
    throw new CardPayloadError('QR_EMPTY', '', null, 'Mã QR không có nội dung', 'The QR code text is empty');
  }
  const parts = body.split('|');
  while (parts.length > FIELDS.length && parts.at(-1)?.trim() === '') parts.pop();
  if (parts.length < FIELDS.length) {
    throw new CardPayloadError(
      'QR_FIELD_COUNT',
      '',
      null,
      `Mã QR có ${parts.length} trường, cần ít nhất ${FIELDS.length} phân cách bởi "|"; đây có phải mã QR trên thẻ căn cước không?`,
      `The QR text has ${parts.length} field${parts.length === 1 ? '' : 's'}, at least ${FIELDS.length} separated by "|" are needed; is this the QR code of an ID card?`,
    );
  }
  const [idRaw, legacyRaw, nameRaw, birthRaw, genderRaw, addressRaw, issueRaw] = parts.map((p) =>
    p.trim(),
  ) as [string, string, string, string, string, string, string];

  if (!/^\d{12}$/.test(idRaw))
    fail('personalId', 'QR_PERSONAL_ID', 'phải có đúng 12 chữ số', 'must be exactly 12 digits');
  if (legacyRaw !== '' && !/^\d{9}$/.test(legacyRaw)) {
    fail('legacyId', 'QR_LEGACY_ID', 'phải có 9 chữ số hoặc để trống', 'must be 9 digits or empty');
  }
  const name = checkName(nameRaw);
  if (name.value === null) {
    fail(
      'fullName',
      'QR_FULL_NAME',
      'bị trống hoặc có ký tự không phải chữ cái',
      'is empty or holds characters that are not letters',
    );
  }
  const birthDate = readDate(birthRaw, 'birthDate');
  const gender = readGender(genderRaw, false);
  if (gender === null) fail('gender', 'QR_GENDER', 'phải là "Nam" hoặc "Nữ"', 'must be "Nam" or "Nữ"');
  const issueDate = readDate(issueRaw, 'issueDate');

  checkCardFacts(
    { personalId: idRaw, birthDate, gender, issueDate },
    {
      personalId: ref('personalId'),
      birthDate: ref('birthDate'),
      gender: ref('gender'),
      issueDate: ref('issueDate'),
    },
    {
      personalId: 'QR_PERSONAL_ID',
      birthDate: 'QR_BIRTH_DATE',
      issueDate: 'QR_ISSUE_DATE',
      inconsistent: 'QR_ID_INCONSISTENT',
    },
    options,
  );

  return {
    personalId: idRaw,
    legacyId: legacyRaw === '' ? null : legacyRaw,
    fullName: name.value,
    birthDate,
    gender,
    address: addressRaw,
    issueDate,
    extra: parts.slice(FIELDS.length),
  };
}

/** The QR text of a card, old layout followed by any extra fields: the inverse of parseCccdQr. */
export function formatCccdQr(card: CardData): string {
  const date = (iso: string) => `${iso.slice(8, 10)}${iso.slice(5, 7)}${iso.slice(0, 4)}`;
  return [
    card.personalId,
    card.legacyId ?? '',
    card.fullName,
    date(card.birthDate),
    card.gender === 'male' ? 'Nam' : 'Nữ',
    card.address,
    date(card.issueDate),
    ...card.extra,
  ].join('|');
}
