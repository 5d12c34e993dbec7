/** One rejected setting. */
export interface ConfigIssue {
  variable: string;
  expects: string;
  /** The value as it may be shown: credentials in URLs masked, secrets never shown. */
  shown: string;
  /** What exactly is wrong, for a setting that explains itself (`SettingInfo.explains`). */
  reason?: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions) {
    // One line, so it reads whole in a container log or a systemd journal.
    super(`Cấu hình sai / Invalid configuration: ${issues.map(describeIssue).join('; ')}`, options);
    this.issues = issues;
  }
}

function describeIssue(issue: ConfigIssue): string {
  return `${issue.variable} must be ${issue.expects} (${issue.shown}${issue.reason ? `: ${issue.reason}` : ''})`;
}
