// Scenario values are data. A hostile string in any field is either rejected (exit 2) or ends up
// inert: every rendered script is then really executed (in a private mount namespace, with the
// system tools stubbed) and the payload must reach the stubs as literal data without ever running.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execa } from 'execa';
import { ROOT, lab, listFiles } from './helpers.js';

const BASE = {
  description: 'injection test',
  admin_password: 'secret',
  box: { name: 'centos/7', version: '1611.01' },
  nodes: [
    { name: 'ctl', roles: ['controller', 'network'], libvirt_uri: 'qemu:///system' },
    { name: 'cmp1', roles: ['compute'] },
  ],
  workload: { image: 'derby/docker-glassfish41', flavor: 'm1.small', instances: [{ name: 'gf1', compute: 'cmp1', floating_ip: true }, { name: 'gf2', compute: 'cmp1' }] },
};
type Setter = (s: any, v: string) => void;
const FIELDS: [string, Setter][] = [
  ['name', (s, v) => (s.name = v)],
  ['description', (s, v) => (s.description = v)],
  ['admin_password', (s, v) => (s.admin_password = v)],
  ['box.name', (s, v) => (s.box.name = v)],
  ['box.version', (s, v) => (s.box.version = v)],
  ['nodes[1].name', (s, v) => (s.nodes[1].name = v)],
  ['nodes[0].libvirt_uri', (s, v) => (s.nodes[0].libvirt_uri = v)],
  ['workload.image', (s, v) => (s.workload.image = v)],
  ['workload.flavor', (s, v) => (s.workload.flavor = v)],
  ['workload.instances[0].name', (s, v) => (s.workload.instances[0].name = v)],
  ['workload.instances[0].compute', (s, v) => (s.workload.instances[0].compute = v)],
];

/** What the scripts write to, hidden behind tmpfs while they run. */
const HIDDEN = ['/etc', '/var', '/root', '/opt'];
// Every system tool the scripts call, as a stub that records its arguments (NUL-separated) and stdin.
const STUBS = ['yum', 'systemctl', 'chkconfig', 'setenforce', 'hostnamectl', 'ifdown', 'ifup', 'ovs-vsctl', 'rpm', 'crudini', 'packstack', 'ssh', 'scp', 'neutron', 'nova', 'openstack', 'docker', 'git', 'pip', 'python', 'usermod', 'chown', 'sleep', 'hostname'];

for (const [field, set] of FIELDS) {
  test(`hostile ${field} is rejected or inert`, async (t) => {
    // work and proof directories lie outside every path the sandbox hides
    const base = HIDDEN.some((d) => ROOT === d || ROOT.startsWith(`${d}/`)) ? os.tmpdir() : ROOT;
    const work = fs.mkdtempSync(path.join(base, '.inject-'));
    const proof = path.join(work, 'proof');
    fs.mkdirSync(proof);
    t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
    const payload = `x'"$(touch ${proof}/dollar)"\`touch ${proof}/backtick\`;touch ${proof}/semicolon #{system('touch ${proof}/ruby')}`;
    const s = structuredClone(BASE);
    set(s, payload);
    fs.writeFileSync(path.join(work, 'hostile.yaml'), JSON.stringify(s, null, 2)); // JSON is YAML
    const out = path.join(work, 'lab');
    const r = await lab(['render', path.join(work, 'hostile.yaml'), '--out', out], { cwd: work });
    if (r.code === 2) {
      t.regex(r.stderr, new RegExp(`hostile\\.yaml: ${field.replace(/[.[\]]/g, '\\$&')}: expected`), r.stderr);
      t.false(fs.existsSync(out), 'nothing written');
      return;
    }
    t.is(r.code, 0, r.stderr);
    // The Vagrantfile still parses as Ruby (vagrant validate) and did not run anything.
    const v = await execa('vagrant', ['validate'], { cwd: out, reject: false, env: { VAGRANT_CHECKPOINT_DISABLE: '1' } });
    t.is(v.exitCode, 0, String(v.stderr));
    // Run every rendered script for real, hiding /etc, /var, /root, /opt, /run and /tmp behind tmpfs.
    const stubs = path.join(work, 'stubs');
    fs.mkdirSync(stubs);
    const log = path.join(proof, 'calls.log');
    for (const name of STUBS)
      fs.writeFileSync(path.join(stubs, name), `#!/bin/bash\n{ printf '%s\\0' "${name}" "$@"; [ -t 0 ] || cat; printf '\\n'; } >> ${log}\necho '| status | ACTIVE |'\n`, { mode: 0o755 });
    // /etc/alternatives is hidden below: link the real awk in beside the stubs
    fs.symlinkSync(fs.realpathSync('/usr/bin/awk'), path.join(stubs, 'awk'));
    const scripts = listFiles(out).filter((f) => f.endsWith('.sh'));
    const runner = [
      'set -e',
      `for d in ${HIDDEN.join(' ')}; do mount -t tmpfs tmpfs "$d"; done`,
      'mkdir -p /etc/selinux /etc/ssh /etc/sysconfig/network-scripts /etc/yum.repos.d /etc/rc.d /root',
      'touch /etc/selinux/config /etc/ssh/sshd_config /etc/sysconfig/docker /etc/hosts /etc/rc.d/rc.local /root/keystonerc_admin',
      'cd "$OUT"',
      'for s in $SCRIPTS; do PATH="$STUBS:/usr/bin:/bin:/usr/sbin:/sbin" bash "$s" </dev/null >"$OUT/$(basename "$s").log" 2>&1 || { echo "FAILED $s"; tail -3 "$OUT/$(basename "$s").log"; exit 1; }; done',
      'echo all-ran',
    ].join('\n');
    const run = await execa('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', runner], { reject: false, stdin: 'ignore', timeout: 60_000, env: { OUT: out, STUBS: stubs, SCRIPTS: scripts.join(' ') } });
    t.is(run.exitCode, 0, `${run.stdout}${run.stderr}`);
    t.regex(String(run.stdout), /all-ran/);
    const calls = fs.readFileSync(log, 'utf8');
    for (const mark of ['dollar', 'backtick', 'semicolon', 'ruby']) t.false(fs.existsSync(path.join(proof, mark)), `${mark} payload ran`);
    if (field === 'admin_password') t.true(calls.includes(payload), 'the password reached crudini as literal data');
    if (field === 'description') t.true(fs.readFileSync(path.join(out, 'Vagrantfile'), 'utf8').includes(payload));
  });
}
