// gRPC failures from containerd as NerdnetErrors: containerd's errdefs travel as gRPC status codes
// (errdefs.ToGRPC), so NOT_FOUND / ALREADY_EXISTS keep their meaning for callers.
import { existsSync } from 'node:fs';
import { NerdnetError, type ErrorCode } from '../errors.js';

// grpc-js's status codes (the numbers are gRPC's, stable across implementations).
const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;
export type GrpcStatusName = (typeof STATUS_NAMES)[number];

const CODE_OF: Partial<Record<GrpcStatusName, ErrorCode>> = {
  NOT_FOUND: 'ERR_NOT_FOUND',
  ALREADY_EXISTS: 'ERR_ALREADY_EXISTS',
  INVALID_ARGUMENT: 'ERR_INVALID_ARG',
  FAILED_PRECONDITION: 'ERR_IN_USE',
};

export class ContainerdError extends NerdnetError {
  readonly grpcCode: number;
  readonly grpcName: GrpcStatusName | 'UNKNOWN';

  constructor(grpcCode: number, message: string, options?: { cause?: unknown }) {
    const name = STATUS_NAMES[grpcCode] ?? 'UNKNOWN';
    super(CODE_OF[name] ?? 'ERR_HOST', message, options);
    this.grpcCode = grpcCode;
    this.grpcName = name;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ContainerdError && err.grpcName === 'NOT_FOUND';
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ContainerdError && err.grpcName === 'ALREADY_EXISTS';
}

export function unreachableError(address: string, reason: string, cause?: unknown): NerdnetError {
  return new NerdnetError('ERR_HOST', `containerd is not reachable at ${address}: ${reason}; start containerd or pass --address`, { cause });
}

// Why a unix socket cannot be reached, from grpc-js's details ("... connect ECONNREFUSED /path").
function unreachableReason(socketPath: string, details: string): string {
  if (!existsSync(socketPath)) return 'no such socket';
  if (/ECONNREFUSED/.test(details)) return 'connection refused (nothing listens on the socket)';
  if (/EACCES|EPERM/.test(details)) return 'permission denied (run as root)';
  return details || 'the connection failed';
}

interface GrpcLikeError {
  code?: unknown;
  details?: unknown;
  message?: unknown;
}

// Turn a grpc-js error of `what` (e.g. "images.Get") into a NerdnetError with containerd's words.
export function fromGrpcError(err: unknown, ctx: { address: string; socketPath: string; what: string; timeoutMs?: number | null }): NerdnetError {
  if (NerdnetError.is(err)) return err;
  const e = (err ?? {}) as GrpcLikeError;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.code !== 'number') {
    return new NerdnetError('ERR_HOST', `containerd ${ctx.what} at ${ctx.address} failed: ${message}`, { cause: err });
  }
  const details = typeof e.details === 'string' ? e.details : message;
  const name = STATUS_NAMES[e.code];
  if (name === 'UNAVAILABLE' && /No connection established|connect E|ENOENT|ECONNREFUSED|EACCES/.test(details)) {
    return unreachableError(ctx.address, unreachableReason(ctx.socketPath, details), err);
  }
  if (name === 'DEADLINE_EXCEEDED' && ctx.timeoutMs) {
    return new ContainerdError(e.code, `containerd at ${ctx.address} did not answer ${ctx.what} within ${ctx.timeoutMs / 1000} s`, { cause: err });
  }
  return new ContainerdError(e.code, `containerd ${ctx.what}: ${details}`, { cause: err });
}
