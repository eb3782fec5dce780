// The scenario format: what a user writes under scenarios/. Strict (unknown keys are errors),
// small, with defaults that reproduce the seed's lab. Cross-field rules live in validate.ts.
import { z } from 'zod';

const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, 'an IPv4 address such as 203.0.113.10');
const cidr = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/([0-9]|[12]\d|3[0-2])$/, 'an IPv4 CIDR such as 198.51.100.0/24');
// RFC 1123 host name label: it becomes a VM name, a hostname and part of interface names.
export const hostName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/, 'an RFC 1123 host name: lower-case letters, digits and "-", 1-15 characters, not starting or ending with "-"');
const mtu = z.number().int().min(576, 'an MTU of at least 576').max(9216, 'an MTU of at most 9216');
// Free text that reaches shell lines only through the quoting helper; newlines would break heredocs and logs.
const oneLine = (what: string) => z.string().min(1).regex(/^[^\n\r\0]*$/, `${what} on a single line`);
const range = (lo: number, hi: number, what: string) =>
  z.object({ min: z.number().int().min(lo).max(hi), max: z.number().int().min(lo).max(hi) }).strict().describe(what);

export const OVS_VERSIONS = ['2.5.0', '2.4.0', '2.3.1'] as const;

const node = z
  .object({
    name: hostName,
    roles: z.array(z.enum(['controller', 'network', 'compute'])).min(1),
    memory: z.number().int().min(256).max(262144).optional().describe('MiB of RAM for the VM'),
    cpus: z.number().int().min(1).max(64).optional(),
    tunnel_ip: ipv4.optional().describe('address on the data network: Packstack host address and VXLAN local_ip (allocated from networks.tunnel.cidr when omitted)'),
    libvirt_uri: oneLine('a libvirt connection URI').regex(/^[a-z+]+:\/\/[^\s'"`$\\]*$/, 'a libvirt URI such as qemu:///system').optional(),
  })
  .strict();

const instance = z
  .object({
    name: hostName,
    compute: hostName,
    fixed_ip: ipv4.optional(),
    floating_ip: z.union([ipv4, z.literal(true)]).optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    extends: z.string().optional().describe('name of the scenario this one overrides'),
    name: hostName.optional(),
    description: oneLine('a description').describe('what a trainer reads in `lab list`'),
    release: z.literal('mitaka').default('mitaka'),
    tenant_network_type: z.enum(['vxlan', 'vlan']).default('vxlan'),
    router: z.enum(['distributed', 'legacy']).default('distributed'),
    ovs_version: z.enum(OVS_VERSIONS).default('2.5.0'),
    box: z
      .object({ name: oneLine('a box name').regex(/^[\w.-]+\/[\w.-]+$/, 'a Vagrant box name such as centos/7'), version: oneLine('a box version').regex(/^[\w.-]+$/, 'a box version such as 1611.01').optional() })
      .strict()
      .default({ name: 'centos/7', version: '1611.01' }),
    profile: z.enum(['rdo', 'dataplane']).default('rdo').describe('rdo: the full RDO Mitaka procedure; dataplane: the netns data plane inside the VMs'),
    defaults: z
      .object({ memory: z.number().int().min(256).max(262144).default(4096), cpus: z.number().int().min(1).max(64).default(2), libvirt_uri: z.string().default('qemu:///system') })
      .strict()
      .default({}),
    networks: z
      .object({
        management: z.object({ cidr: cidr.default('10.20.0.0/24'), nat: z.boolean().default(false).describe('give the VMs a NAT route to the internet (the real RDO install needs it)') }).strict().default({}),
        tunnel: z.object({ cidr: cidr.default('198.51.100.0/24'), mtu: mtu.default(1550) }).strict().default({}),
        external: z
          .object({
            cidr: cidr.default('203.0.113.0/24'),
            gateway: ipv4.default('203.0.113.1'),
            mtu: mtu.default(1500),
            floating_ip_pool: z.object({ start: ipv4, end: ipv4 }).strict().default({ start: '203.0.113.100', end: '203.0.113.150' }),
          })
          .strict()
          .default({}),
        tenant: z.object({ cidr: cidr.default('10.0.0.0/24'), mtu: mtu.default(1500) }).strict().default({}),
      })
      .strict()
      .default({}),
    vni_range: range(1, 16777215, 'VXLAN VNI range').default({ min: 1001, max: 2000 }),
    vlan_range: range(1, 4094, 'tenant VLAN ID range').default({ min: 100, max: 200 }),
    docker_socket_access: z.enum(['group', 'world-writable']).default('group'),
    admin_password: oneLine('a password').default('stacklab'),
    nodes: z.array(node).min(1),
    workload: z
      .object({
        image: oneLine('a Docker image name').regex(/^[a-z0-9][a-z0-9._\/-]*(:[\w.-]+)?$/, 'a Docker image reference such as derby/docker-glassfish41').default('derby/docker-glassfish41'),
        flavor: oneLine('a flavor name').regex(/^[\w.-]+$/, 'a Nova flavor name such as m1.small').default('m1.small'),
        instances: z.array(instance).min(1),
      })
      .strict(),
  })
  .strict();

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema> & { name: string; file: string };
