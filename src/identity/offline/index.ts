export {
  type CardParseOptions,
  CardPayloadError,
  type CardPayloadErrorCode,
} from './card.ts';
export {
  type ChipCardData,
  type ChipReading,
  type ChipReadingInput,
  ChipReadingSchema,
  Dg13Schema,
  PassiveAuthenticationSchema,
  parseChipReading,
} from './chip.ts';
export { cardFacts, parseReaderPayload, type ReaderPayload } from './payload.ts';
export { type CardData, formatCccdQr, parseCccdQr } from './qr.ts';
