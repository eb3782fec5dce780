// The netns backend end to end, for real: namespaces, veths, VXLAN, iptables/ebtables, processes.
// Each scenario: up, every check passes, every fault breaks exactly its checks and reverts, destroy
// leaves nothing (no holder process, no namespace). Needs root or unprivileged user namespaces.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { lab, tmpdir, CLI } from './helpers.js';
import { loadScenario } from '../src/scenario/load.js';
import { resolveLab } from '../src/plan/resolve.js';
import { FAULTS, expectedBroken } from '../src/dataplane/faults.js';
import { findHolders, sandboxTag } from '../src/backends/netns/sandbox.js';

type Report = { results: { id: string; status: string; evidence: string }[]; summary: { passed: number; failed: number; skipped: number } };
async function checks(name: string, home: string, only: string[] = []): Promise<Report> {
  const r = await lab(['test', name, '--json', ...(only.length ? ['--only', ...only] : [])], { home });
  if (r.code !== 0 && r.code !== 1) throw new Error(`lab test exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}
const failed = (r: Report) => r.results.filter((x) => x.status === 'fail').map((x) => x.id).sort();

function holdersGone(name: string, home: string): boolean {
  return findHolders(sandboxTag(name, path.join(home, name))).length === 0;
}

for (const name of ['three-node-dvr', 'three-node-dvr-vlan', 'three-node-legacy', 'two-node-dvr']) {
  test.serial(`${name}: up, all checks pass, each fault breaks exactly its checks, destroy leaves nothing`, async (t) => {
    const home = tmpdir('netns-');
    const plan = resolveLab(loadScenario(name).scenario);
    t.teardown(() => lab(['destroy', name], { home }));
    const up = await lab(['up', name, '--backend', 'netns'], { home });
    t.is(up.code, 0, up.stderr);
    t.regex(up.stdout, /up on the netns backend in \d+ ms/);
    t.true(fs.statSync(path.join(home, name, 'logs', 'netns-up.log')).size > 0, 'the build is logged');
    const again = await lab(['up', name, '--backend', 'netns'], { home });
    t.regex(again.stdout, /already up/, 'a second up is a no-op');

    const healthy = await checks(name, home);
    t.deepEqual(failed(healthy), [], JSON.stringify(healthy.results.filter((x) => x.status !== 'pass'), null, 1));
    t.is(healthy.summary.passed, plan.checks.length);
    // evidence is kept: the path check saw its counters
    t.regex(healthy.results.find((x) => x.id === 'fip-path')!.evidence, /frames over cmp1's (tunnel|VLAN trunk): \d+ -> \d+ \(\+\d+\)/);

    for (const f of FAULTS) {
      if (f.notApplicable(plan)) {
        const r = await lab(['fault', name, f.name], { home });
        t.is(r.code, 2, `${f.name} must be refused where it does not apply`);
        continue;
      }
      const inj = await lab(['fault', name, f.name], { home });
      t.is(inj.code, 0, inj.stderr);
      const expected = expectedBroken(plan, f, {}).sort();
      t.true(expected.length > 0, `${f.name} breaks something`);
      const under = await checks(name, home);
      t.deepEqual(failed(under), expected, `${f.name}: ${JSON.stringify(under.results.filter((x) => x.status === 'fail').map((x) => [x.id, x.evidence]))}`);
      t.is((await lab(['fault', name, f.name, '--revert'], { home })).code, 0);
      t.deepEqual(failed(await checks(name, home, expected)), [], `${f.name} reverted`);
    }
    t.deepEqual(failed(await checks(name, home)), [], 'all pass after every revert');

    const d = await lab(['destroy', name], { home });
    t.is(d.code, 0);
    t.true(holdersGone(name, home), 'no sandbox process left');
    t.is((await lab(['status', name], { home })).code, 3);
  });
}

test.serial('block-vxlan on the FIP compute: DVR keeps the floating IP reachable, legacy loses it', async (t) => {
  for (const [name, fipSurvives] of [['three-node-dvr', true], ['three-node-legacy', false]] as const) {
    const home = tmpdir('netns-why-dvr-');
    t.teardown(() => lab(['destroy', name], { home }));
    t.is((await lab(['up', name, '--backend', 'netns'], { home })).code, 0);
    t.is((await lab(['fault', name, 'block-vxlan', '--node', 'cmp1'], { home })).code, 0);
    const r = await checks(name, home, ['fip-ping', 'fip-http', 'ew-ping']);
    const status = Object.fromEntries(r.results.map((x) => [x.id, x.status]));
    t.is(status['fip-http'], fipSurvives ? 'pass' : 'fail', `${name} fip-http`);
    t.is(status['fip-ping'], fipSurvives ? 'pass' : 'fail', `${name} fip-ping`);
    t.is(status['ew-ping'], 'fail', `${name} East-West crosses the blocked tunnel`);
    await lab(['destroy', name], { home });
  }
});

test.serial('two labs up at once do not collide; an up interrupted by SIGINT or SIGKILL is still destroyed completely', async (t) => {
  const a = tmpdir('netns-a-');
  const b = tmpdir('netns-b-');
  t.teardown(async () => {
    await lab(['destroy', 'two-node-dvr'], { home: a });
    await lab(['destroy', 'two-node-dvr'], { home: b });
  });
  const [ua, ub] = await Promise.all([lab(['up', 'two-node-dvr', '--backend', 'netns'], { home: a }), lab(['up', 'two-node-dvr', '--backend', 'netns'], { home: b })]);
  t.is(ua.code, 0, ua.stderr);
  t.is(ub.code, 0, ub.stderr);
  const [ra, rb] = await Promise.all([checks('two-node-dvr', a), checks('two-node-dvr', b)]);
  t.deepEqual([failed(ra), failed(rb)], [[], []]);
  await lab(['destroy', 'two-node-dvr'], { home: a });
  t.true(holdersGone('two-node-dvr', a));
  t.false(holdersGone('two-node-dvr', b), 'destroying one lab leaves the other');
  t.deepEqual(failed(await checks('two-node-dvr', b, ['fip-ping', 'ew-ping'])), []);

  // SIGINT and SIGKILL in the middle of an up: the sandbox exists, the state does not say "up"
  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    const c = tmpdir(`netns-${signal}-`);
    const child = execa('node', [CLI, 'up', 'three-node-dvr', '--backend', 'netns'], { env: { STACKLAB_HOME: c }, reject: false });
    const tag = sandboxTag('three-node-dvr', path.join(c, 'three-node-dvr'));
    for (let i = 0; i < 200 && findHolders(tag).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    child.kill(signal);
    await child;
    t.true(findHolders(tag).length > 0, `the up interrupted by ${signal} left its sandbox behind`);
    t.is((await lab(['destroy', 'three-node-dvr'], { home: c })).code, 0);
    t.is(findHolders(tag).length, 0, `destroy removed it (${signal})`);
    // and a later up works from scratch
    t.is((await lab(['up', 'three-node-dvr', '--backend', 'netns'], { home: c })).code, 0);
    t.deepEqual(failed(await checks('three-node-dvr', c, ['fip-ping', 'snat-egress'])), []);
    await lab(['destroy', 'three-node-dvr'], { home: c });
  }
});

test.serial('the root namespace is untouched: links, addresses, routes and named namespaces are the same after a full cycle', async (t) => {
  const snap = async () => (await Promise.all([['ip', '-o', 'link', 'show'], ['ip', '-o', 'addr', 'show'], ['ip', 'route', 'show', 'table', 'all'], ['ip', 'rule', 'show'], ['ip', 'netns', 'list']].map(async (c) => String((await execa(c[0], c.slice(1))).stdout).replace(/ \(id: \d+\)/g, '')))).join('\n');
  const before = await snap();
  const home = tmpdir('netns-host-');
  t.is((await lab(['up', 'three-node-dvr-vlan', '--backend', 'netns'], { home })).code, 0);
  const during = await snap();
  await lab(['destroy', 'three-node-dvr-vlan'], { home });
  t.is(during.replace(/^\d+: .*\n?/gm, (l) => l.replace(/ +link\/.*$/, '')), before.replace(/^\d+: .*\n?/gm, (l) => l.replace(/ +link\/.*$/, '')));
  t.is(await snap(), before);
});

test.serial('rootless: an unprivileged user brings a lab up inside its own user namespace', async (t) => {
  if (process.getuid?.() !== 0) return t.pass('already unprivileged: every test above ran rootless');
  const probe = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'unshare', '--user', '--map-root-user', '--net', 'true'], { reject: false });
  if (probe.exitCode !== 0) return t.log('unprivileged user namespaces are disabled on this kernel; skipped') as unknown as void;
  const home = tmpdir('netns-rootless-');
  fs.chmodSync(home, 0o777);
  const asNobody = (args: string[]) => execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', CLI, ...args], { reject: false, env: { STACKLAB_HOME: home, PATH: process.env.PATH } });
  t.teardown(() => asNobody(['destroy', 'two-node-dvr']));
  const up = await asNobody(['up', 'two-node-dvr', '--backend', 'netns']);
  t.is(up.exitCode, 0, String(up.stderr));
  t.regex(String(up.stdout), /rootless, user namespace/);
  const r = await asNobody(['test', 'two-node-dvr', '--json']);
  const report = JSON.parse(String(r.stdout)) as Report;
  t.deepEqual(failed(report), [], String(r.stdout));
  t.is((await asNobody(['destroy', 'two-node-dvr'])).exitCode, 0);
  t.true(holdersGone('two-node-dvr', home));
});
