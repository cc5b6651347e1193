// Ports pkg/version/plugin_test.go, libcni/conf_test.go "Version selection" and the VERSION decoding rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NerdnetError } from '../errors.js';
import {
  ALL_VERSIONS,
  compareVersions,
  CURRENT_VERSION,
  decodeConfigVersion,
  decodeVersionInfo,
  greaterThan,
  greaterThanOrEqual,
  isKnownVersion,
  parseVersion,
  pluginSupports,
  selectConfigVersion,
  versionAtLeast,
} from './version.js';

function throwsWith(fn: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(NerdnetError.is(err), `expected a NerdnetError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

// Debian 1.1.1 VERSION answers.
const DEBIAN_MOST = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'];
const DEBIAN_FIREWALL = ['0.4.0', '1.0.0'];
const DEBIAN_BANDWIDTH = ['0.3.0', '0.3.1', '0.4.0', '1.0.0'];

describe('version constants', () => {
  it('lists every wire version and 1.1.0 as current', () => {
    assert.deepEqual([...ALL_VERSIONS], ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']);
    assert.equal(CURRENT_VERSION, '1.1.0');
    assert.ok(isKnownVersion('0.3.1'));
    assert.ok(!isKnownVersion('0.3'));
    assert.ok(!isKnownVersion(''));
  });
});

describe('parseVersion', () => {
  it('parses a full version', () => {
    assert.deepEqual(parseVersion('1.2.3'), { major: 1, minor: 2, micro: 3 });
  });

  it('fills missing minor/micro with 0', () => {
    assert.deepEqual(parseVersion('1.2'), { major: 1, minor: 2, micro: 0 });
    assert.deepEqual(parseVersion('7'), { major: 7, minor: 0, micro: 0 });
  });

  it('parses the empty string as 0.1.0', () => {
    assert.deepEqual(parseVersion(''), { major: 0, minor: 1, micro: 0 });
  });

  it('accepts what strconv.Atoi accepts (sign, leading zeros)', () => {
    assert.deepEqual(parseVersion('01.+2.0003'), { major: 1, minor: 2, micro: 3 });
  });

  it('rejects the malformed versions of plugin_test.go', () => {
    for (const v of ['asdfasdf', 'asdf.', '.asdfas', 'asdf.adsf.', '0.', '..', '1.2.3.4.5']) {
      assert.throws(() => parseVersion(v), (e: unknown) => NerdnetError.is(e) && e.code === 'ERR_VERSION', v);
    }
  });

  it('names the value in too-many-parts errors', () => {
    throwsWith(() => parseVersion('1.2.3.4'), 'ERR_VERSION', 'invalid version "1.2.3.4": too many parts');
  });

  it('reports which part failed, with Go strconv text', () => {
    throwsWith(
      () => parseVersion('1.0.f'),
      'ERR_VERSION',
      'failed to convert micro version part "f": strconv.Atoi: parsing "f": invalid syntax',
    );
    throwsWith(() => parseVersion('x.1'), 'ERR_VERSION', 'failed to convert major version part "x": strconv.Atoi: parsing "x": invalid syntax');
    throwsWith(() => parseVersion('0.'), 'ERR_VERSION', 'failed to convert minor version part "": strconv.Atoi: parsing "": invalid syntax');
    throwsWith(() => parseVersion('1.1.5e2'), 'ERR_VERSION', /micro version part "5e2"/);
  });

  it('rejects parts outside int64', () => {
    throwsWith(() => parseVersion('99999999999999999999'), 'ERR_VERSION', /major version part "99999999999999999999".*value out of range/);
  });
});

describe('compareVersions / greaterThanOrEqual', () => {
  it('orders the plugin_test.go pairs both ways', () => {
    for (const [hi, lo] of [
      ['1.2.34', '1.2.14'],
      ['2.5.4', '2.4.4'],
      ['1.2.3', '0.2.3'],
      ['0.4.0', '0.3.1'],
    ] as const) {
      assert.equal(greaterThanOrEqual(hi, lo), true, `${hi} >= ${lo}`);
      assert.equal(greaterThanOrEqual(lo, hi), false, `${lo} >= ${hi}`);
      assert.equal(compareVersions(hi, lo), 1);
      assert.equal(compareVersions(lo, hi), -1);
    }
  });

  it('treats equal versions as equal, numerically not textually', () => {
    assert.equal(greaterThanOrEqual('1.2.3', '1.2.3'), true);
    assert.equal(compareVersions('1.0', '1.0.0'), 0);
    assert.equal(compareVersions('0.10.0', '0.9.0'), 1);
    assert.equal(compareVersions('', '0.1.0'), 0);
    assert.equal(greaterThan('1.2.3', '1.2.3'), false);
    assert.equal(greaterThan('1.2.4', '1.2.3'), true);
  });

  it('versionAtLeast gates features like CHECK (0.4.0)', () => {
    assert.equal(versionAtLeast('0.4.0', '0.4.0'), true);
    assert.equal(versionAtLeast('1.0.0', '0.4.0'), true);
    assert.equal(versionAtLeast('0.3.1', '0.4.0'), false);
    assert.equal(versionAtLeast('', '0.4.0'), false);
  });

  it('fails on malformed input on either side', () => {
    assert.throws(() => greaterThanOrEqual('1.2.34', 'asdadf'), /failed to convert major version part "asdadf"/);
    assert.throws(() => greaterThanOrEqual('adsfad', '2.5.4'), /failed to convert major version part "adsfad"/);
    assert.throws(() => compareVersions('1.2.3.4', '1.0.0'), /too many parts/);
  });
});

describe('selectConfigVersion (libcni conf_test.go "Version selection")', () => {
  it('picks the highest of cniVersions', () => {
    assert.equal(selectConfigVersion(undefined, ['1.1.0', '0.4.0', '1.0.0']), '1.1.0');
  });

  it('drops entries above the library maximum', () => {
    assert.equal(selectConfigVersion(undefined, ['99.0.0', '1.1.0', '0.4.0', '1.0.0']), '1.1.0');
  });

  it('fails on an unparsable entry, naming it and its index', () => {
    throwsWith(
      () => selectConfigVersion(undefined, ['1.1.0', '0.4.0', '1.0.f']),
      'ERR_INVALID_CONFIG',
      'invalid cniVersions entry 1.0.f at index 2: failed to convert micro version part "f": strconv.Atoi: parsing "f": invalid syntax',
    );
  });

  it('uses cniVersion verbatim without cniVersions, even above the maximum', () => {
    assert.equal(selectConfigVersion('1.2.3', undefined), '1.2.3');
    assert.equal(selectConfigVersion('not-a-version', undefined), 'not-a-version');
    assert.equal(selectConfigVersion(undefined, undefined), '');
  });

  it('merges cniVersion into cniVersions', () => {
    assert.equal(selectConfigVersion('1.0.0', ['0.1.0', '0.4.0']), '1.0.0');
    assert.equal(selectConfigVersion('0.3.1', ['1.0.0', '0.4.0']), '1.0.0');
  });

  it('returns "" for an empty cniVersions and no cniVersion', () => {
    assert.equal(selectConfigVersion(undefined, []), '');
    assert.equal(selectConfigVersion('', []), '');
  });

  it('keeps the raw cniVersion when every candidate was dropped', () => {
    assert.equal(selectConfigVersion('0.4.0', []), '0.4.0');
    assert.equal(selectConfigVersion('2.0.0', ['3.0.0']), '2.0.0');
  });

  it('drops a cniVersion above the maximum when cniVersions has something usable', () => {
    assert.equal(selectConfigVersion('9.9.9', ['0.4.0']), '0.4.0');
  });

  it('validates cniVersion only when cniVersions is present', () => {
    throwsWith(() => selectConfigVersion('1.x', ['1.0.0']), 'ERR_INVALID_CONFIG', /^invalid cniVersion 1\.x: failed to convert minor version part "x"/);
  });

  it('honours a lower maximum', () => {
    assert.equal(selectConfigVersion(undefined, ['1.1.0', '1.0.0', '0.4.0'], '1.0.0'), '1.0.0');
  });

  it('resolves equal-valued spellings as libcni sorting does', () => {
    // Insertion sort with libcni's comparator moves the later "1.0" before the earlier "1.0.0".
    assert.equal(selectConfigVersion(undefined, ['1.0.0', '1.0']), '1.0.0');
    assert.equal(selectConfigVersion(undefined, ['1.0', '1.0.0']), '1.0');
  });
});

describe('selectConfigVersion with plugin VERSION answers', () => {
  it('picks the highest version every Debian plugin supports', () => {
    const chain = [DEBIAN_MOST, DEBIAN_FIREWALL, DEBIAN_BANDWIDTH];
    assert.equal(selectConfigVersion('1.1.0', ['1.1.0', '1.0.0', '0.4.0'], undefined, chain), '1.0.0');
  });

  it('can go below 1.0.0 when one plugin needs it', () => {
    assert.equal(selectConfigVersion(undefined, ['1.1.0', '1.0.0', '0.4.0'], undefined, [DEBIAN_MOST, ['0.3.1', '0.4.0']]), '0.4.0');
  });

  it('matches supported versions as exact strings, like skel', () => {
    assert.equal(selectConfigVersion(undefined, ['1.0', '0.4.0'], undefined, [DEBIAN_MOST]), '0.4.0');
  });

  it('falls back to libcni\'s choice when no candidate is supported by all', () => {
    assert.equal(selectConfigVersion(undefined, ['1.1.0', '1.0.0'], undefined, [['0.4.0'], DEBIAN_MOST]), '1.1.0');
  });

  it('ignores plugin answers without cniVersions (the config declares one version)', () => {
    assert.equal(selectConfigVersion('1.1.0', undefined, undefined, [DEBIAN_MOST]), '1.1.0');
  });

  it('keeps libcni\'s choice for an empty plugin list', () => {
    assert.equal(selectConfigVersion(undefined, ['0.4.0', '1.1.0'], undefined, []), '1.1.0');
  });
});

describe('decodeVersionInfo (pkg/version PluginDecoder)', () => {
  it('returns the supported versions', () => {
    const info = decodeVersionInfo(
      Buffer.from('{ "cniVersion": "some-library-version", "supportedVersions": [ "some-version", "some-other-version" ] }'),
    );
    assert.deepEqual(info, { cniVersion: 'some-library-version', supportedVersions: ['some-version', 'some-other-version'] });
  });

  it('decodes a Debian plugin answer given as a string', () => {
    const info = decodeVersionInfo(`{"cniVersion":"1.0.0","supportedVersions":${JSON.stringify(DEBIAN_MOST)}}\n`);
    assert.deepEqual(info.supportedVersions, DEBIAN_MOST);
  });

  it('fails on invalid JSON with the decoder prefix', () => {
    throwsWith(() => decodeVersionInfo('{{{'), 'ERR_VERSION', /^decoding version info: /);
    throwsWith(() => decodeVersionInfo(''), 'ERR_VERSION', 'decoding version info: unexpected end of JSON input');
  });

  it('requires cniVersion', () => {
    throwsWith(() => decodeVersionInfo('{ "supportedVersions": [ "foo" ] }'), 'ERR_VERSION', 'decoding version info: missing field cniVersion');
    throwsWith(() => decodeVersionInfo('{ "cniVersion": "", "supportedVersions": [ "foo" ] }'), 'ERR_VERSION', 'decoding version info: missing field cniVersion');
    throwsWith(() => decodeVersionInfo('null'), 'ERR_VERSION', 'decoding version info: missing field cniVersion');
  });

  it('assumes 0.1.0 and 0.2.0 for a 0.2.0 plugin without supportedVersions', () => {
    assert.deepEqual(decodeVersionInfo('{ "cniVersion": "0.2.0" }').supportedVersions, ['0.1.0', '0.2.0']);
    assert.deepEqual(decodeVersionInfo('{ "cniVersion": "0.2.0", "supportedVersions": [] }').supportedVersions, ['0.1.0', '0.2.0']);
  });

  it('requires supportedVersions for any other version', () => {
    throwsWith(() => decodeVersionInfo('{ "cniVersion": "1.0.0" }'), 'ERR_VERSION', 'decoding version info: missing field supportedVersions');
    throwsWith(() => decodeVersionInfo('{ "cniVersion": "0.4.0", "supportedVersions": [] }'), 'ERR_VERSION', 'decoding version info: missing field supportedVersions');
  });

  it('rejects wrongly typed fields and non-objects', () => {
    throwsWith(() => decodeVersionInfo('{ "cniVersion": 1 }'), 'ERR_VERSION', 'decoding version info: cniVersion must be a string, got number 1');
    throwsWith(() => decodeVersionInfo('{ "cniVersion": "1.0.0", "supportedVersions": "1.0.0" }'), 'ERR_VERSION', /supportedVersions must be an array of strings/);
    throwsWith(() => decodeVersionInfo('{ "cniVersion": "1.0.0", "supportedVersions": [1] }'), 'ERR_VERSION', /supportedVersions must be an array of strings/);
    throwsWith(() => decodeVersionInfo('["1.0.0"]'), 'ERR_VERSION', 'decoding version info: expected a JSON object, got array');
  });

  it('accepts PascalCase keys like Go\'s decoder', () => {
    assert.deepEqual(decodeVersionInfo('{"CNIVersion":"1.0.0","SupportedVersions":["1.0.0"]}'), { cniVersion: '1.0.0', supportedVersions: ['1.0.0'] });
  });

  it('pluginSupports builds the legacy answer libcni uses for pre-VERSION plugins', () => {
    assert.deepEqual(pluginSupports('0.1.0'), { cniVersion: '1.1.0', supportedVersions: ['0.1.0'] });
  });
});

describe('decodeConfigVersion (pkg/version ConfigDecoder)', () => {
  it('returns the request cniVersion', () => {
    assert.equal(decodeConfigVersion('{ "some": "stdin", "cniVersion": "0.3.1" }'), '0.3.1');
    assert.equal(decodeConfigVersion(Buffer.from('{"cniVersion":"1.1.0","name":"n"}')), '1.1.0');
  });

  it('maps absent, null and "" to 0.1.0', () => {
    assert.equal(decodeConfigVersion('{ "some": "stdin" }'), '0.1.0');
    assert.equal(decodeConfigVersion('{ "cniVersion": "" }'), '0.1.0');
    assert.equal(decodeConfigVersion('{ "cniVersion": null }'), '0.1.0');
  });

  it('fails like libcni on an empty cache/config file (cni#1055)', () => {
    throwsWith(() => decodeConfigVersion(Buffer.alloc(0)), 'ERR_INVALID_CONFIG', 'decoding version from network config: unexpected end of JSON input');
  });

  it('rejects a non-string cniVersion and non-objects', () => {
    throwsWith(() => decodeConfigVersion('{"cniVersion":1.0}'), 'ERR_INVALID_CONFIG', 'decoding version from network config: cniVersion must be a string, got number 1');
    throwsWith(() => decodeConfigVersion('"1.0.0"'), 'ERR_INVALID_CONFIG', /expected a JSON object, got string/);
  });
});
