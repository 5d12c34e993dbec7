/**
 * One line from a card reader at a school gate: the QR text of a card, or, when the reader read
 * the chip, its JSON report. Readers send one card a line, so the first character tells them apart.
 */
import type { IdentityFacts } from '../compare.ts';
import { type CardParseOptions, CardPayloadError } from './card.ts';
import { type ChipCardData, type ChipReading, parseChipReading } from './chip.ts';
import { type CardData, parseCccdQr } from './qr.ts';

export type ReaderPayload =
  | { kind: 'qr'; card: CardData }
  /** `card` is `reading.card`, so both kinds read the same way; `reading` adds the chip's checks. */
  | { kind: 'chip'; card: ChipCardData; reading: ChipReading };

/**
 * Parses a reader's line: starting with `{` (after a byte-order mark or spaces) it is chip JSON,
 * otherwise QR text.
 *
 * @throws CardPayloadError (`CHIP_JSON` when the JSON itself is malformed).
 * @example
 * parseReaderPayload('079203001234||Nguyễn Văn An|15032003|Nam|12 Lê Lợi, Quận 1|20042021').kind // 'qr'
 */
export function parseReaderPayload(line: string, options: CardParseOptions = {}): ReaderPayload {
  const text = typeof line === 'string' ? line.replace(/^\ufeff/, '').trimStart() : '';
  if (!text.startsWith('{')) return { kind: 'qr', card: parseCccdQr(text, options) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which holds personal data: it is not passed on.
    throw new CardPayloadError(
      'CHIP_JSON',
      '',
      null,
      'Dữ liệu chip không phải JSON hợp lệ',
      'The chip reading is not valid JSON',
    );
  }
  const reading = parseChipReading(json, options);
  return { kind: 'chip', card: reading.card, reading };
}

/** The facts of a card, to compare with a record by compareIdentity. */
export function cardFacts(card: CardData | ChipCardData): IdentityFacts {
  return {
    personalId: card.personalId,
    fullName: card.fullName,
    birthDate: card.birthDate,
    gender: card.gender,
  };
}
