// One base error with a stable string `code`; only src/cli turns these into messages and exit codes.

const brand = Symbol.for('nerdnet.error');

export type ErrorCode =
  | 'ERR_INVALID_ARG'
  | 'ERR_INVALID_CONFIG'
  | 'ERR_NOT_FOUND'
  | 'ERR_NO_CONFIGS'
  | 'ERR_PLUGIN_NOT_FOUND'
  | 'ERR_PLUGIN_FAILED'
  | 'ERR_VERSION'
  | 'ERR_CACHE'
  | 'ERR_LOCK'
  | 'ERR_CHECK_NOT_SUPPORTED'
  | 'ERR_ALREADY_EXISTS'
  | 'ERR_IN_USE'
  | 'ERR_HOST'
  // A registry refused or failed a request (after retries), or sent content that fails its digest.
  | 'ERR_REGISTRY'
  // A registry refused the credentials given (or needs some and none were found).
  | 'ERR_UNAUTHORIZED'
  | 'ERR_INTERNAL';

// What the caller can do about an error, as data: the library words it as an action on its objects
// (`message`), a command-line tool as its own commands (the CLI's error-text.ts).
export type Remedy =
  | { kind: 'start'; container: string }
  | { kind: 'start-attached'; container: string }
  | { kind: 'follow-logs'; container: string }
  | { kind: 'stop-or-force-remove'; container: string }
  | { kind: 'remove'; container: string }
  | { kind: 'force-remove'; container: string }
  | { kind: 'give-container' }
  | { kind: 'list-containers' }
  | { kind: 'give-command' }
  | { kind: 'give-exec-command' }
  | { kind: 'load-image'; backend: 'runc' | 'containerd' }
  | { kind: 'create-network'; network: string };

// The library's wording of each remedy, appended to the error's `fact`.
export function remedyText(r: Remedy): string {
  switch (r.kind) {
    case 'start':
      return ': start it first';
    case 'start-attached':
      return '; start it attached to a terminal';
    case 'follow-logs':
      return ': follow its output through its logs';
    case 'stop-or-force-remove':
      return ': stop it first or remove it with force';
    case 'remove':
      return '; remove it';
    case 'force-remove':
      return '; remove it with force';
    case 'give-container':
      return '; give a name or ID from the container list';
    case 'list-containers':
      return '; see the container list';
    case 'give-command':
      return ': give a command (or an image that has one)';
    case 'give-exec-command':
      return ': give the argv to run';
    case 'load-image':
      return '; load it first';
    case 'create-network':
      return '; create it first, or see the network list';
  }
}

export class NerdnetError extends Error {
  readonly code: ErrorCode;
  // The message without the remedy: what went wrong, with the offending values.
  readonly fact: string;
  readonly remedy: Remedy | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; remedy?: Remedy }) {
    super(options?.remedy ? `${message}${remedyText(options.remedy)}` : message, options);
    this.code = code;
    this.fact = message;
    this.remedy = options?.remedy;
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false });
    Object.defineProperty(this, brand, { value: true, enumerable: false });
  }

  // Works across copies of the package (instanceof would not).
  static is(value: unknown): value is NerdnetError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

// The CNI error object `{code, msg, details}` plus where it came from.
export interface CniErrorObject {
  code: number;
  msg: string;
  details?: string;
}

export class CniError extends NerdnetError {
  readonly cniCode: number;
  readonly msg: string;
  readonly details: string;
  // Plugin `type` that failed, when known.
  plugin: string | undefined;
  // Last bytes of the plugin's stderr, for diagnosis.
  readonly stderr: string;

  constructor(
    obj: CniErrorObject,
    opts: { plugin?: string; stderr?: string; code?: ErrorCode; cause?: unknown } = {},
  ) {
    // libcni's human string: msg + "; " + details when details is non-empty.
    super(opts.code ?? 'ERR_PLUGIN_FAILED', obj.details ? `${obj.msg}; ${obj.details}` : obj.msg, { cause: opts.cause });
    this.cniCode = obj.code;
    this.msg = obj.msg;
    this.details = obj.details ?? '';
    this.plugin = opts.plugin;
    this.stderr = opts.stderr ?? '';
  }

  toJSON(): CniErrorObject {
    const out: CniErrorObject = { code: this.cniCode, msg: this.msg };
    if (this.details) out.details = this.details;
    return out;
  }
}

// Wrap an error with a prefix, keeping its code and CNI fields (libcni's fmt.Errorf("...: %w")).
export function wrapError(prefix: string, err: unknown): NerdnetError {
  if (err instanceof CniError) {
    const wrapped = new CniError(err.toJSON(), { plugin: err.plugin, stderr: err.stderr, code: err.code, cause: err });
    wrapped.message = `${prefix}: ${err.message}`;
    return wrapped;
  }
  if (NerdnetError.is(err)) return new NerdnetError(err.code, `${prefix}: ${err.fact ?? err.message}`, { cause: err, ...(err.remedy ? { remedy: err.remedy } : {}) });
  const msg = err instanceof Error ? err.message : String(err);
  return new NerdnetError('ERR_INTERNAL', `${prefix}: ${msg}`, { cause: err });
}
