// The CLI as a user meets it: commands, exit codes, messages, nothing written on bad input.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { lab, tmpdir, writeScenario } from './helpers.js';

test('lab list shows every scenario with its description; --json too', async (t) => {
  const r = await lab(['list']);
  t.is(r.code, 0);
  t.regex(r.stdout, /^three-node-dvr +The seed's lab/m);
  const j = JSON.parse((await lab(['list', '--json'])).stdout);
  t.true(j.some((s: { name: string; description: string }) => s.name === 'two-node-dvr-vlan' && /VLAN/.test(s.description)));
});

test('lab show prints the resolved lab; --json is the Lab object', async (t) => {
  const r = await lab(['show', 'three-node-dvr']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /l3 agent_mode dvr_snat; bridge_mappings physnet1:br-ex; local_ip 198\.51\.100\.11/);
  t.regex(r.stdout, /ctl\/packstack +Packstack answer file/);
  t.regex(r.stdout, /fip-path +North-South with a FIP does not cross the tunnel/);
  const j = JSON.parse((await lab(['show', 'three-node-dvr', '--json'])).stdout);
  t.is(j.nodes[1].l3AgentMode, 'dvr');
  t.is(j.checks.length, 17);
});

test('lab schema prints a JSON Schema that knows the fields', async (t) => {
  const r = await lab(['schema']);
  t.is(r.code, 0);
  const s = JSON.parse(r.stdout);
  const props = s.definitions?.StacklabScenario?.properties ?? s.properties;
  t.deepEqual(props.tenant_network_type.enum, ['vxlan', 'vlan']);
  t.is(props.nodes.type, 'array');
  t.false(props.nodes.items.additionalProperties);
});

test('lab render writes the lab dir (default .stacklab/<name>) and keeps its SSH key across renders', async (t) => {
  const cwd = tmpdir();
  const r = await lab(['render', 'two-node-dvr'], { cwd });
  t.is(r.code, 0, r.stderr);
  const dir = path.join(cwd, '.stacklab', 'two-node-dvr');
  for (const f of ['Vagrantfile', 'lab.json', 'provision/ctl/04-packstack.sh', 'files/ctl/answers.txt', 'keys/id_rsa', 'keys/id_rsa.pub']) t.true(fs.existsSync(path.join(dir, f)), f);
  const key = fs.readFileSync(path.join(dir, 'keys/id_rsa.pub'), 'utf8');
  t.true(fs.readFileSync(path.join(dir, 'provision/cmp1/02-prepare.sh'), 'utf8').includes(key.trim()));
  await lab(['render', 'two-node-dvr'], { cwd });
  t.is(fs.readFileSync(path.join(dir, 'keys/id_rsa.pub'), 'utf8'), key);
});

test('a bad scenario exits 2, names file and field, writes nothing', async (t) => {
  const cwd = tmpdir();
  const file = writeScenario(cwd, 'broken', 'description: x\nnodes: [{ name: ctl, roles: [controller, network] }, { name: cmp1, roles: [compute] }]\nworkload: { instances: [{ name: gf1, compute: cmp1 }] }\ntenant_network_type: geneve\n');
  for (const cmd of [['render', file, '--out', path.join(cwd, 'out')], ['show', file], ['up', file, '--backend', 'netns']]) {
    const r = await lab(cmd, { cwd });
    t.is(r.code, 2, cmd.join(' '));
    t.regex(r.stderr, /broken\.yaml: tenant_network_type: expected one of "vxlan", "vlan" \(got "geneve"\)/);
  }
  t.false(fs.existsSync(path.join(cwd, 'out')));
  t.false(fs.existsSync(path.join(cwd, '.stacklab')));
});

test('an unknown scenario, command or fault is an input error (exit 2)', async (t) => {
  t.is((await lab(['show', 'no-such-lab'])).code, 2);
  t.is((await lab(['frobnicate'])).code, 2);
  const r = await lab(['fault', 'three-node-dvr', 'cosmic-ray']);
  t.is(r.code, 2);
  t.regex(r.stderr, /unknown fault "cosmic-ray": expected one of underlay-mtu, block-vxlan, no-proxy-arp, fip-disassociate/);
});

test('lab plan prints the netns operations without root, deterministically', async (t) => {
  const a = await lab(['plan', 'three-node-dvr']);
  const b = await lab(['plan', 'three-node-dvr']);
  t.is(a.code, 0);
  t.is(a.stdout, b.stdout);
  t.regex(a.stdout, /ip -n three-node-dvr-cmp1-fip addr add 203\.0\.113\.102\/24 dev fg-/);
  t.regex(a.stdout, /ip -n three-node-dvr-cmp1-qrouter rule add from 10\.0\.0\.5 table 16 priority 32768/);
});

test('test/status on a lab that is not up exit 3 with a clear message', async (t) => {
  const cwd = tmpdir();
  const r = await lab(['test', 'two-node-dvr', '--backend', 'netns'], { cwd });
  t.is(r.code, 3);
  t.regex(r.stderr, /not up on the netns backend/);
});

test('schema/scenario.schema.json (what the scenarios reference for editor completion) is current', async (t) => {
  const r = await lab(['schema']);
  t.is(`${r.stdout}\n`, fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'schema', 'scenario.schema.json'), 'utf8'), 'run: lab schema > schema/scenario.schema.json');
});
