/** IPv4 arithmetic, and the EC2 host names derived from addresses. */

export const ipToInt = (ip: string): number => ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
export const intToIp = (value: number): string => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

export function parseCidr(cidr: string): { base: number; prefix: number; size: number } {
  const [ip, length] = cidr.split('/');
  const prefix = Number(length);
  return { base: ipToInt(ip!), prefix, size: 2 ** (32 - prefix) };
}

export const cidrContains = (cidr: string, ip: string): boolean => {
  const { base, size } = parseCidr(cidr);
  const value = ipToInt(ip);
  return value >= base && value < base + size;
};

/** `10.0.1.15` → `ip-10-0-1-15.eu-west-2.compute.internal` (the EC2 ip-name hostname). */
export const privateDnsName = (ip: string, region: string): string =>
  `ip-${ip.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
