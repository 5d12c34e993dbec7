import { describe, expect, it } from 'vitest';
import { compareIdentity } from '../compare.ts';
import { CardPayloadError } from './card.ts';
import { cardFacts, parseReaderPayload } from './payload.ts';
import { AS_OF } from './testing/cards.ts';

const QR =
  '079203001234|123456789|Nguyễn Văn An|15032003|Nam|12 Lê Lợi, Phường Bến Nghé, Quận 1, TP.HCM|20042021';
const CHIP = JSON.stringify({
  dg13: { personalId: '079203001234', fullName: 'Nguyễn Văn An', birthDate: '15/03/2003', gender: 'Nam' },
  passiveAuthentication: { result: 'valid' },
});
const parse = (line: string) => parseReaderPayload(line, { asOf: AS_OF });

describe('parseReaderPayload', () => {
  it('reads QR text', () => {
    const payload = parse(`${QR}\r\n`);
    expect(payload.kind).toBe('qr');
    expect(payload.card.birthDate).toBe('2003-03-15');
  });

  it('reads chip JSON, even after a BOM and spaces', () => {
    const payload = parse(`\ufeff  ${CHIP}\n`);
    expect(payload.kind).toBe('chip');
    expect(payload.card.gender).toBe('male');
    if (payload.kind === 'chip') expect(payload.reading.passiveAuthentication.result).toBe('valid');
  });

  it('says CHIP_JSON for malformed JSON, without quoting it', () => {
    try {
      parse('{"dg13": {"personalId": "079203001234"');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CardPayloadError);
      expect((err as CardPayloadError).code).toBe('CHIP_JSON');
      expect((err as CardPayloadError).message).not.toContain('079203001234');
    }
  });

  it('gives the same facts from the QR and the chip of one card, which verify against the record', () => {
    const record = {
      personalId: '079203001234',
      fullName: 'NGUYỄN VĂN AN',
      birthDate: '2003-03-15',
      gender: 'male' as const,
    };
    for (const line of [QR, CHIP]) {
      expect(compareIdentity(record, cardFacts(parse(line).card))).toEqual({
        result: 'verified',
        fields: [],
      });
    }
  });
});
