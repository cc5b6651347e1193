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
  | 'ERR_INTERNAL';

export class NerdnetError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false });
    Object.defineProperty(this, brand, { value: true, enumerable: false });
  }

  // Works across copies of the package (instanceof would not).
  static is(value: unknown): value is NerdnetError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

// The CNI error object `{code, msg, details}` (spec 1.10) plus where it came from.
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
  if (NerdnetError.is(err)) return new NerdnetError(err.code, `${prefix}: ${err.message}`, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new NerdnetError('ERR_INTERNAL', `${prefix}: ${msg}`, { cause: err });
}
