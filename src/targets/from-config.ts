/**
 * The targets as configured: the settings name the gateway personality and credentials; nothing
 * else distinguishes the sandbox from the real city systems.
 */
import type { Config } from '../config/index.ts';
import { createGatewayClient, type GatewayClientOptions } from '../gateway/index.ts';
import { PermanentError } from '../sdk/errors.ts';
import { createCityEduDbTarget } from './city-edudb.ts';
import { createSscTarget } from './ssc.ts';
import type { Target } from './target.ts';

function required(config: Config, name: keyof Config): string {
  const value = config[name];
  if (typeof value !== 'string' || value === '') {
    throw new PermanentError(
      'TARGET_NOT_CONFIGURED',
      `Thiếu biến môi trường ${String(name)} cho CSDL ngành / Missing ${String(name)} for the city Education DB`,
    );
  }
  return value;
}

/** The gateway client options of the city Education DB, from the settings. */
export function cityEduDbGatewayOptions(config: Config): GatewayClientOptions {
  const common = {
    target: 'city-edudb',
    baseUrl: required(config, 'CITY_EDUDB_GATEWAY_URL'),
    timeoutMs: config.CITY_EDUDB_TIMEOUT_MS,
  };
  const tokenUrl = config.CITY_EDUDB_TOKEN_URL ? { tokenUrl: config.CITY_EDUDB_TOKEN_URL } : {};
  switch (config.CITY_EDUDB_GATEWAY) {
    case 'wso2':
      return {
        ...common,
        personality: 'wso2',
        wso2: {
          consumerKey: required(config, 'CITY_EDUDB_CONSUMER_KEY'),
          consumerSecret: required(config, 'CITY_EDUDB_CONSUMER_SECRET'),
          ...tokenUrl,
        },
      };
    case 'vnpt-lgsp':
      return {
        ...common,
        personality: 'vnpt-lgsp',
        vnpt: {
          accessKey: required(config, 'CITY_EDUDB_ACCESS_KEY'),
          secretKey: required(config, 'CITY_EDUDB_SECRET_KEY'),
          appName: config.CITY_EDUDB_APP_NAME,
          partnerCode: required(config, 'CITY_EDUDB_PARTNER_CODE'),
          partnerCodeCus: required(config, 'CITY_EDUDB_PARTNER_CODE_CUS'),
          senderCode: config.CITY_EDUDB_SENDER_CODE,
          defaultReceiverCode: required(config, 'CITY_EDUDB_RECEIVER_CODE'),
          ...tokenUrl,
        },
      };
    case 'xroad':
      return {
        ...common,
        personality: 'xroad',
        xroad: {
          client: required(config, 'CITY_EDUDB_XROAD_CLIENT'),
          apiKey: required(config, 'CITY_EDUDB_API_KEY'),
          userName: required(config, 'CITY_EDUDB_USER_NAME'),
          secretKey: required(config, 'CITY_EDUDB_SECRET_KEY'),
          ...(config.CITY_EDUDB_TOKEN_URL ? { authUrl: config.CITY_EDUDB_TOKEN_URL } : {}),
        },
      };
  }
}

function requiredSsc(config: Config, name: keyof Config): string {
  const value = config[name];
  if (typeof value !== 'string' || value === '') {
    throw new PermanentError(
      'TARGET_NOT_CONFIGURED',
      `Thiếu biến môi trường ${String(name)} cho SSC / Missing ${String(name)} for SSC`,
    );
  }
  return value;
}

/** The gateway client options of SSC, from the settings; undefined when SSC_GATEWAY_URL is unset. */
export function sscGatewayOptions(config: Config): GatewayClientOptions | undefined {
  if (!config.SSC_GATEWAY_URL) return undefined;
  const common = { target: 'ssc', baseUrl: config.SSC_GATEWAY_URL, timeoutMs: config.SSC_TIMEOUT_MS };
  const tokenUrl = config.SSC_TOKEN_URL ? { tokenUrl: config.SSC_TOKEN_URL } : {};
  switch (config.SSC_GATEWAY) {
    case 'wso2':
      return {
        ...common,
        personality: 'wso2',
        wso2: {
          consumerKey: requiredSsc(config, 'SSC_CONSUMER_KEY'),
          consumerSecret: requiredSsc(config, 'SSC_CONSUMER_SECRET'),
          ...tokenUrl,
        },
      };
    case 'vnpt-lgsp':
      return {
        ...common,
        personality: 'vnpt-lgsp',
        vnpt: {
          accessKey: requiredSsc(config, 'SSC_ACCESS_KEY'),
          secretKey: requiredSsc(config, 'SSC_SECRET_KEY'),
          appName: config.SSC_APP_NAME,
          partnerCode: requiredSsc(config, 'SSC_PARTNER_CODE'),
          partnerCodeCus: requiredSsc(config, 'SSC_PARTNER_CODE_CUS'),
          senderCode: config.SSC_SENDER_CODE,
          defaultReceiverCode: requiredSsc(config, 'SSC_RECEIVER_CODE'),
          ...tokenUrl,
        },
      };
    case 'xroad':
      return {
        ...common,
        personality: 'xroad',
        xroad: {
          client: requiredSsc(config, 'SSC_XROAD_CLIENT'),
          apiKey: requiredSsc(config, 'SSC_API_KEY'),
          userName: requiredSsc(config, 'SSC_USER_NAME'),
          secretKey: requiredSsc(config, 'SSC_SECRET_KEY'),
          ...(config.SSC_TOKEN_URL ? { authUrl: config.SSC_TOKEN_URL } : {}),
        },
      };
  }
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
