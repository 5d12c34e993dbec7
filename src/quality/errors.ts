/** A file or directory the user named cannot be used: not found, empty, unreadable. */
export class InputError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'InputError';
  }
}
