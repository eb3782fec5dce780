// Rendered labs checked by the real tools: vagrant validate (vagrant-libvirt), shellcheck, bash -n,
// Python's configparser for every ini fragment; and the reference's settings are really there.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { loadScenario } from '../src/scenario/load.js';
import { resolveLab } from '../src/plan/resolve.js';
import { renderLab } from '../src/render/index.js';
import { writeFiles } from '../src/commands/render.js';
import { TEST_KEYS, tmpdir, listFiles } from './helpers.js';

const SCENARIOS = ['two-node-dvr', 'three-node-dvr', 'two-node-dvr-vlan', 'three-node-dvr-vlan', 'three-node-legacy', 'three-node-dvr-ovs24'];
const rendered = new Map<string, string>();
function renderedDir(name: string): string {
  if (!rendered.has(name)) {
    const dir = tmpdir(`render-${name}-`);
    writeFiles(dir, renderLab(resolveLab(loadScenario(name).scenario), TEST_KEYS));
    rendered.set(name, dir);
  }
  return rendered.get(name)!;
}
const read = (name: string, rel: string) => fs.readFileSync(path.join(renderedDir(name), rel), 'utf8');
const scripts = (name: string) => listFiles(renderedDir(name)).filter((f) => f.endsWith('.sh'));

for (const name of SCENARIOS) {
  test(`${name}: the Vagrantfile passes vagrant validate with vagrant-libvirt`, async (t) => {
    const dir = renderedDir(name);
    const r = await execa('vagrant', ['validate'], { cwd: dir, reject: false, env: { VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_DEFAULT_PROVIDER: 'libvirt' } });
    t.is(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    t.regex(String(r.stdout), /Vagrantfile validated successfully/);
    const v = read(name, 'Vagrantfile');
    t.regex(v, /lv.management_network_mode = 'none'/, 'isolated management network unless the scenario opts in');
    t.notRegex(v, /forward_mode: 'nat'/);
  });

  test(`${name}: every script passes shellcheck and bash -n, starts with set -euo pipefail`, async (t) => {
    const dir = renderedDir(name);
    const files = scripts(name);
    t.true(files.length >= 9);
    const sc = await execa('shellcheck', ['--severity=style', ...files], { cwd: dir, reject: false });
    t.is(sc.exitCode, 0, String(sc.stdout));
    for (const f of files) {
      const n = await execa('bash', ['-n', f], { cwd: dir, reject: false });
      t.is(n.exitCode, 0, `${f}: ${n.stderr}`);
      t.regex(read(name, f), /^#!\/usr\/bin\/env bash\n(#.*\n)*set -euo pipefail\n/, f);
    }
  });

  test(`${name}: every ini fragment and the answer file parse`, async (t) => {
    const dir = renderedDir(name);
    const inis = listFiles(dir).filter((f) => /\.(ini|conf)$|answers\.txt$|docker\.filters$|\.repo$/.test(f));
    t.true(inis.length >= 5);
    const py = `import configparser,sys\nfor f in sys.argv[1:]:\n  c=configparser.RawConfigParser(strict=True)\n  c.read_string(open(f).read(), f)\n  assert c.sections() or c.defaults(), f\nprint(len(sys.argv)-1)`;
    const r = await execa('/usr/bin/python3', ['-c', py, ...inis], { cwd: dir, reject: false });
    t.is(r.exitCode, 0, String(r.stderr));
    t.is(Number(r.stdout), inis.length);
    for (const f of listFiles(dir).filter((x) => /ifcfg-/.test(x))) t.regex(read(name, f), /^([A-Z_]+=[^\s]+\n)+$/, f);
  });
}

test('three-node-dvr holds the reference settings in the right places', (t) => {
  const n = 'three-node-dvr';
  const ctlDvr = read(n, 'provision/ctl/05-dvr.sh');
  t.regex(ctlDvr, /router_distributed = True/);
  t.regex(ctlDvr, /agent_mode = dvr_snat/);
  t.regex(ctlDvr, /mechanism_drivers = openvswitch,l2population/);
  t.regex(ctlDvr, /tunnel_types = vxlan/);
  t.regex(ctlDvr, /vni_ranges = 1001:2000/);
  const cmpDvr = read(n, 'provision/cmp1/05-dvr.sh');
  t.regex(cmpDvr, /agent_mode = dvr\n/);
  t.regex(cmpDvr, /enable_distributed_routing = True/);
  t.regex(cmpDvr, /l2_population = True/);
  t.regex(cmpDvr, /local_ip = 198\.51\.100\.12/);
  t.regex(cmpDvr, /external_network_bridge =\n/);
  t.regex(cmpDvr, /systemctl enable neutron-l3-agent/);
  const nd = read(n, 'provision/cmp1/06-nova-docker.sh');
  t.regex(nd, /compute_driver = novadocker\.virt\.docker\.DockerDriver/);
  t.regex(nd, /ln: CommandFilter, \/bin\/ln, root/);
  t.regex(nd, /git clone -b stable\/mitaka https:\/\/github.com\/openstack\/nova-docker.git/);
  t.regex(nd, /OPTIONS='--selinux-enabled -G nova'/);
  t.regex(read(n, 'provision/cmp1/08-image.sh'), /docker save "\$IMAGE" \| openstack image create "\$IMAGE" --public --container-format docker --disk-format raw/);
  t.regex(read(n, 'provision/ctl/07-glance.sh'), /container_formats = ami,ari,aki,bare,ovf,ova,docker/);
  const ovs = read(n, 'provision/cmp1/03-ovs.sh');
  t.regex(ovs, /ovs-vsctl --may-exist add-br br-ex/);
  t.regex(ovs, /TYPE=OVSBridge/);
  const answers = read(n, 'files/ctl/answers.txt');
  t.regex(answers, /CONFIG_NEUTRON_OVS_BRIDGES_COMPUTE = br-ex/);
  t.regex(answers, /CONFIG_COMPUTE_HOSTS = 198\.51\.100\.12,198\.51\.100\.13/);
  t.regex(answers, /CONFIG_NEUTRON_ML2_TYPE_DRIVERS = vxlan,flat/);
  const wl = read(n, 'provision/ctl/09-workload.sh');
  for (const port of ['22', '8080', '4848']) t.regex(wl, new RegExp(`--port-range-min ${port}`));
  t.regex(wl, /--floating-ip-address 203\.0\.113\.101/);
  t.regex(wl, /--availability-zone nova:cmp2 gf2/);
});

test('two-node-dvr-vlan holds VLAN ranges and br-vlan instead of tunnels', (t) => {
  const n = 'two-node-dvr-vlan';
  const ctl = read(n, 'provision/ctl/05-dvr.sh');
  t.regex(ctl, /network_vlan_ranges = physnet2:100:200/);
  t.regex(ctl, /bridge_mappings = physnet1:br-ex,physnet2:br-vlan/);
  t.notRegex(ctl, /tunnel_types/);
  t.notRegex(ctl, /local_ip/);
  t.regex(read(n, 'provision/cmp1/03-ovs.sh'), /ovs-vsctl --may-exist add-port br-vlan eth3/);
  t.regex(read(n, 'provision/ctl/09-workload.sh'), /--provider:network_type vlan/);
  t.regex(read(n, 'Vagrantfile'), /libvirt__forward_mode: 'veryisolated'/);
});

test('OVS 2.4.0 is installed from the recorded RPM and version-locked', (t) => {
  const ovs = read('three-node-dvr-ovs24', 'provision/cmp1/03-ovs.sh');
  t.regex(ovs, /WANT_OVS=2\.4\.0/);
  t.regex(ovs, /yum -y install http:\/\/vault\.centos\.org\/7\.2\.1511\/cloud\/x86_64\/openstack-liberty\/common\/openvswitch-2\.4\.0-1\.el7\.x86_64\.rpm/);
  t.regex(ovs, /yum versionlock add openvswitch/);
});

test('a finished phase is a no-op when re-run (marker holds the script hash)', async (t) => {
  const dir = tmpdir();
  const script = path.join(dir, 'phase.sh');
  // the real header and footer around a body that counts its runs
  const src = read('three-node-dvr', 'provision/ctl/07-glance.sh');
  const header = src.slice(0, src.indexOf('echo "stacklab: phase $PHASE starting'));
  const footer = src.slice(src.indexOf('mkdir -p "$MARKER_DIR"'));
  fs.writeFileSync(script, `${header.replace('MARKER_DIR=/var/lib/stacklab/phases', `MARKER_DIR=${dir}/markers`)}echo run >> ${dir}/runs\n${footer}`);
  for (let i = 0; i < 3; i++) t.is((await execa('bash', [script], { reject: false })).exitCode, 0);
  t.is(fs.readFileSync(path.join(dir, 'runs'), 'utf8'), 'run\n', 'the body ran once');
  fs.appendFileSync(script, '# changed\n');
  await execa('bash', [script]);
  t.is(fs.readFileSync(path.join(dir, 'runs'), 'utf8'), 'run\nrun\n', 'a changed script runs again');
});
