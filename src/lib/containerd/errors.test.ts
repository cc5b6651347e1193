import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerdError, fromGrpcError, isAlreadyExists, isNotFound } from './errors.js';

const ctx = { address: '/run/x/c.sock', socketPath: '/nonexistent/c.sock', what: 'images.Get' };

describe('containerd gRPC errors', () => {
  it("keeps containerd's errdefs meaning as nerdnet codes", () => {
    const cases: Array<[number, string, string]> = [
      [5, 'NOT_FOUND', 'ERR_NOT_FOUND'],
      [6, 'ALREADY_EXISTS', 'ERR_ALREADY_EXISTS'],
      [3, 'INVALID_ARGUMENT', 'ERR_INVALID_ARG'],
      [9, 'FAILED_PRECONDITION', 'ERR_IN_USE'],
      [13, 'INTERNAL', 'ERR_HOST'],
    ];
    for (const [code, name, ours] of cases) {
      const err = fromGrpcError({ code, details: 'image "x": not found', message: `${code} ${name}: image "x": not found` }, ctx);
      assert.ok(err instanceof ContainerdError);
      assert.equal(err.grpcName, name);
      assert.equal(err.code, ours);
      assert.equal(err.message, 'containerd images.Get: image "x": not found');
    }
    assert.equal(isNotFound(fromGrpcError({ code: 5, details: '' }, ctx)), true);
    assert.equal(isAlreadyExists(fromGrpcError({ code: 6, details: '' }, ctx)), true);
    assert.equal(isNotFound(new Error('not found')), false);
  });

  it('turns a failed connection into "not reachable" with the address and the reason', () => {
    const err = fromGrpcError({ code: 14, details: 'No connection established. Last error: connect ENOENT /nonexistent/c.sock' }, ctx);
    assert.equal(err.code, 'ERR_HOST');
    assert.equal(err.message, 'containerd is not reachable at /run/x/c.sock: no such socket; start containerd or pass --address');
  });

  it('says which call missed its deadline', () => {
    const err = fromGrpcError({ code: 4, details: 'Deadline exceeded' }, { ...ctx, timeoutMs: 5000 });
    assert.equal(err.message, 'containerd at /run/x/c.sock did not answer images.Get within 5 s');
  });
});
