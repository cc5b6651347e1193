// The --format entry points: struct (error) and map (<no value>) field rules, error positions,
// Docker's `table` prefix with its header row, and the idioms from nerdctl's and Docker's docs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listFormatter } from '../format.js';
import { parseTemplate } from './index.js';

const inspect = { Name: 'web', NetworkSettings: { Networks: { b: { IPAddress: '10.4.0.3' }, a: { IPAddress: '10.4.0.2' } } }, Config: { Labels: { z: '1', a: '2' } } };

describe('parseTemplate', () => {
  it('the inspect idioms: range over a map in key order, index, json', () => {
    const t = (s: string) => parseTemplate(s, { missingKey: 'default' }).render(inspect);
    assert.equal(t('{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'), '10.4.0.2 10.4.0.3 ');
    assert.equal(t('{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}}{{"\\n"}}{{end}}'), 'a=10.4.0.2\nb=10.4.0.3\n');
    assert.equal(t('{{index .Config.Labels "a"}} {{.Config.Labels.nope}} {{.Nope.Deeper}}'), '2 <no value> <no value>');
    assert.equal(t('{{json .Config.Labels | printf "%s"}}'), '{"z":"1","a":"2"}');
  });

  it("missingKey 'error' (ps, network ls, image ls: nerdctl's structs) names the fields there are", () => {
    assert.throws(() => parseTemplate('{{.Nope}}').render({ A: 1 }), /can't evaluate field Nope in \. \(fields: A\) \(at line 1, column 3: <\.Nope>\)/);
    assert.throws(() => parseTemplate('{{.A.B}}').render({ A: 'x' }), /can't evaluate field B in type string/);
    assert.equal(parseTemplate('{{index . "Nope"}}').render({ A: 1 }), '<no value>');
  });

  it('parse errors name the line and column', () => {
    assert.throws(() => parseTemplate('ok\n  {{if .A}}'), /missing \{\{end\}\} for \{\{if\}\} \(at line 2, column 5\)/);
    assert.throws(() => parseTemplate('{{.A | nope}}'), /function "nope" not defined \(at line 1, column 8\)/);
    assert.throws(() => parseTemplate('{{printf "%d" .A "x" | "s"}}'), /non executable command in pipeline stage 2/);
  });

  it('execution errors name the call', () => {
    assert.throws(() => parseTemplate('{{lt .A "x"}}').render({ A: 1 }), /error calling lt: incompatible types for comparison \(at line 1, column 3: <lt \.A "x">\)/);
    assert.throws(() => parseTemplate('{{range .A}}{{end}}').render({ A: 3 }), /range can't iterate over 3/);
  });
});

describe('listFormatter', () => {
  const rows = [
    { ID: '17f29b073143', Name: 'bridge', Labels: '' },
    { ID: '2c26b46b68ff', Name: 'foo', Labels: 'a=1' },
  ];
  const headers = { ID: 'NETWORK ID', Name: 'NAME', Labels: 'LABELS' };

  it('a template per row; json is {{json .}}', () => {
    assert.equal(listFormatter('{{.Name}}', headers)(rows), 'bridge\nfoo\n');
    assert.equal(listFormatter('json', headers)(rows.slice(0, 1)), '{"ID":"17f29b073143","Name":"bridge","Labels":""}\n');
  });

  it("table: Docker's header names, \\t as a tab, nerdctl's tabwriter; the header stays when there are no rows", () => {
    assert.equal(listFormatter('table {{.ID}}\\t{{.Name | upper}}', headers)(rows), 'NETWORK ID      NAME\n17f29b073143    BRIDGE\n2c26b46b68ff    FOO\n');
    assert.equal(listFormatter('table {{.Name}}\t{{json .Labels}}', headers)([]), 'NAME    LABELS\n');
  });

  it('table errors: unknown fields fail on the rows, as with a plain template', () => {
    assert.throws(() => listFormatter('table {{.Nope}}', headers)(rows), /can't evaluate field Nope/);
    assert.throws(() => listFormatter('table {{if}}', headers), /missing value for if/);
  });
});
