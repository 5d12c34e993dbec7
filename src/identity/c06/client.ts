/**
 * The C06 lookup as the hub makes it: one SOAP call through the gateway per person, under the
 * requesting official and unit the settings name (C06 logs who asked, as the law expects).
 */
import { randomUUID } from 'node:crypto';
import type { GatewayClient } from '../../gateway/index.ts';
import {
  buildLookupRequest,
  C06_OPERATION,
  type C06LookupResult,
  type C06NameFormat,
  type C06Requester,
  parseLookupResponse,
} from './soap.ts';

export interface C06Lookup {
  lookup(person: {
    personalId: string;
    fullName: string;
    birthDate?: string;
    correlationId: string;
  }): Promise<C06LookupResult>;
}

export interface C06ClientOptions {
  gateway: GatewayClient;
  /** The gateway's service name of C06 (`C06_SERVICE`). */
  service: string;
  requester: C06Requester;
  nameFormat?: C06NameFormat;
}

export function createC06Client(options: C06ClientOptions): C06Lookup {
  return {
    async lookup(person) {
      const xml = buildLookupRequest({
        requestId: randomUUID(),
        personalId: person.personalId,
        fullName: person.fullName,
        ...(person.birthDate ? { birthDate: person.birthDate } : {}),
        requester: options.requester,
        ...(options.nameFormat ? { nameFormat: options.nameFormat } : {}),
      });
      const answer = await options.gateway.sendSoap({
        service: options.service,
        operation: C06_OPERATION,
        xml,
        correlationId: person.correlationId,
      });
      return parseLookupResponse(answer.body);
    },
  };
}
