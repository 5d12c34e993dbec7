export { ConfigError, type ConfigIssue } from './errors.ts';
export { type SettingInfo, setting } from './fields.ts';
export { type Env, type LoadConfigOptions, loadConfig, loadSettings, parseSettings } from './load.ts';
export {
  type Config,
  configSchema,
  inputLimitSettingsSchema,
  inputLimitsOf,
  LOG_LEVELS,
  ruleSettingsSchema,
} from './schema.ts';
