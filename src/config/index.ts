export { ConfigError, type ConfigIssue } from './errors.ts';
export { type SettingInfo, setting } from './fields.ts';
export {
  type Env,
  environment,
  type LoadConfigOptions,
  loadConfig,
  loadSettings,
  parseSettings,
} from './load.ts';
export {
  apiDocsOn,
  type Config,
  configSchema,
  inputLimitSettingsSchema,
  inputLimitsOf,
  LOG_LEVELS,
  publicUrlOf,
  ruleSettingsSchema,
} from './schema.ts';
