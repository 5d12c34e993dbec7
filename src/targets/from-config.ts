/**
 * The targets as configured: the settings name the gateway personality and credentials; nothing
 * else distinguishes the sandbox from the real city systems.
 */
import type { Config } from '../config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../gateway/index.ts';
import { hubError } from '../sdk/errors.ts';
import { createCityEduDbTarget } from './city-edudb.ts';
import { createSscTarget } from './ssc.ts';
import type { Target } from './target.ts';

/** The systems behind a gateway whose settings share one shape, `<PREFIX>_GATEWAY`, `<PREFIX>_API_KEY`… */
type GatewayPrefix = 'CITY_EDUDB' | 'SSC' | 'C06';

const NAME: Record<GatewayPrefix, string> = { CITY_EDUDB: 'city-edudb', SSC: 'ssc', C06: 'c06' };

const missing = (prefix: GatewayPrefix, variable: string) =>
  hubError('TARGET_NOT_CONFIGURED', {
    target: NAME[prefix],
    reason: { vi: `thiếu biến môi trường ${variable}`, en: `${variable} is missing` },
  });

/**
 * The gateway client options of one system, from its settings: the personality names which
 * credentials are required, and a missing one stops with the variable's name.
 */
export function gatewayOptionsFromSettings(
  config: Config,
  prefix: GatewayPrefix,
  target: string,
  baseUrl: string,
): GatewayClientOptions {
  const value = (name: string): unknown => config[`${prefix}_${name}` as keyof Config];
  const required = (name: string): string => {
    const v = value(name);
    if (typeof v !== 'string' || v === '') {
      throw missing(prefix, `${prefix}_${name}`);
    }
    return v;
  };
  const tokenUrl = value('TOKEN_URL') as string | undefined;
  const common = { target, baseUrl, timeoutMs: value('TIMEOUT_MS') as number };
  switch (value('GATEWAY') as GatewayClientOptions['personality']) {
    case 'wso2':
      return {
        ...common,
        personality: 'wso2',
        wso2: {
          consumerKey: required('CONSUMER_KEY'),
          consumerSecret: required('CONSUMER_SECRET'),
          ...(tokenUrl ? { tokenUrl } : {}),
        },
      };
    case 'vnpt-lgsp':
      return {
        ...common,
        personality: 'vnpt-lgsp',
        vnpt: {
          accessKey: required('ACCESS_KEY'),
          secretKey: required('SECRET_KEY'),
          appName: required('APP_NAME'),
          partnerCode: required('PARTNER_CODE'),
          partnerCodeCus: required('PARTNER_CODE_CUS'),
          senderCode: required('SENDER_CODE'),
          defaultReceiverCode: required('RECEIVER_CODE'),
          ...(tokenUrl ? { tokenUrl } : {}),
        },
      };
    case 'xroad':
      return {
        ...common,
        personality: 'xroad',
        xroad: {
          client: required('XROAD_CLIENT'),
          apiKey: required('API_KEY'),
          userName: required('USER_NAME'),
          secretKey: required('SECRET_KEY'),
          ...(tokenUrl ? { authUrl: tokenUrl } : {}),
        },
      };
  }
}

/** The gateway client options of the city Education DB, from the settings. */
export function cityEduDbGatewayOptions(config: Config): GatewayClientOptions {
  if (!config.CITY_EDUDB_GATEWAY_URL) {
    throw missing('CITY_EDUDB', 'CITY_EDUDB_GATEWAY_URL');
  }
  return gatewayOptionsFromSettings(config, 'CITY_EDUDB', 'city-edudb', config.CITY_EDUDB_GATEWAY_URL);
}

/** The gateway client options of SSC, from the settings; undefined when SSC_GATEWAY_URL is unset. */
export function sscGatewayOptions(config: Config): GatewayClientOptions | undefined {
  if (!config.SSC_GATEWAY_URL) return undefined;
  return gatewayOptionsFromSettings(config, 'SSC', 'ssc', config.SSC_GATEWAY_URL);
}

/** The gateway client options of C06, from the settings; undefined when C06_GATEWAY_URL is unset. */
export function c06GatewayOptions(config: Config): GatewayClientOptions | undefined {
  if (!config.C06_GATEWAY_URL) return undefined;
  return gatewayOptionsFromSettings(config, 'C06', 'c06', config.C06_GATEWAY_URL);
}

/** Every configured target (the city Education DB for now; SSC joins it). */
export function targetsFromConfig(config: Config): Target[] {
  const targets: Target[] = [
    createCityEduDbTarget({ gateway: createGatewayClient(cityEduDbGatewayOptions(config)) }),
  ];
  const ssc = sscGatewayOptions(config);
  if (ssc)
    targets.push(
      createSscTarget({
        gateway: createGatewayClient(ssc),
        collectionAccounts: config.SSC_COLLECTION_ACCOUNTS ?? {},
        service: config.SSC_SERVICE,
      }),
    );
  return targets;
}

/** Each target's rate limit (requests a second, batches in flight), from the settings. */
export function targetLimitsFromConfig(
  config: Config,
): Record<string, { requestsPerSecond: number; concurrentBatches: number }> {
  return {
    'city-edudb': {
      requestsPerSecond: config.CITY_EDUDB_REQUESTS_PER_SECOND,
      concurrentBatches: config.CITY_EDUDB_CONCURRENT_BATCHES,
    },
    ssc: {
      requestsPerSecond: config.SSC_REQUESTS_PER_SECOND,
      concurrentBatches: config.SSC_CONCURRENT_BATCHES,
    },
  };
}

/**
 * The ids of the targets `targetsFromConfig` builds, without building them (no gateway client, no
 * credentials checked): what names their push queues, for the metrics.
 */
export function targetIdsFromConfig(config: Config): string[] {
  return ['city-edudb', ...(config.SSC_GATEWAY_URL ? ['ssc'] : [])];
}
