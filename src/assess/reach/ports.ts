/**
 * Ports as the model evaluates them: every destination port of TCP and UDP is split into "atoms",
 * intervals inside which every rule of the cluster behaves alike (their edges are the ports and
 * ranges the rules name, and the named ports the pods declare). A verdict over all ports is then a
 * verdict per atom: a handful of atoms stands for 131,070 ports.
 */
import { MAYBE, NO, YES, type Tri } from '../selector.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface Atom {
  protocol: Protocol;
  lo: number;
  hi: number;
}

/** A rule's port as written: a number, a `from:to` range, or a named port. */
export type PortSpec = { lo: number; hi: number } | { name: string };

/**
 * The source port of a connection is an ephemeral one: Linux picks it from
 * `net.ipv4.ip_local_port_range`, 32768–60999 by default.
 */
export const EPHEMERAL: Atom = { protocol: 'TCP', lo: 32768, hi: 60999 };

export function parsePortSpec(value: number | string): PortSpec | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 65535 ? { lo: value, hi: value } : null;
  const text = value.trim();
  const range = /^(\d+)(?:[:-](\d+))?$/.exec(text);
  if (range) {
    const lo = Number(range[1]);
    const hi = range[2] === undefined ? lo : Number(range[2]);
    return lo <= hi && hi <= 65535 ? { lo, hi } : null;
  }
  return text ? { name: text } : null;
}

/** Whether the atom's ports all lie in [lo, hi] (yes), none do (no), or some do (maybe). */
export function rangeTri(atom: Atom, lo: number, hi: number): Tri {
  if (atom.lo >= lo && atom.hi <= hi) return YES;
  if (atom.hi < lo || atom.lo > hi) return NO;
  return MAYBE;
}

/**
 * A set of atoms, evaluated 32 to a chunk (one bit each in a 32-bit mask). A set may be a view of
 * another (`base`): its atoms are then evaluated as the base's atoms at `positions` (a port is
 * decided as the atom that holds it), so every question about a cluster shares one evaluation.
 */
export class AtomSet {
  readonly chunks: number;
  readonly base: AtomSet;
  /** For each atom, its index in `base`. */
  readonly positions: readonly number[];
  /** The base's atoms this set stands for, as masks over the base's chunks. */
  readonly select: Int32Array;
  constructor(
    readonly atoms: readonly Atom[],
    base?: AtomSet,
    positions?: readonly number[],
  ) {
    this.chunks = Math.max(1, Math.ceil(atoms.length / 32));
    this.base = base ?? this;
    this.positions = positions ?? atoms.map((_, i) => i);
    this.select = new Int32Array(this.base.chunks);
    for (const position of this.positions) this.select[position >> 5]! |= 1 << (position & 31);
  }

  /** A view of this set: each atom (a port, say) stands for the atom of this set that holds it. Null when one is outside every atom. */
  view(atoms: readonly Atom[]): AtomSet | null {
    const positions = atoms.map((a) => this.atoms.findIndex((b) => b.protocol === a.protocol && a.lo >= b.lo && a.hi <= b.hi));
    return positions.includes(-1) ? null : new AtomSet(atoms, this, positions);
  }

  /** The mask of the atoms chunk `c` holds. */
  full(chunk: number): number {
    const n = Math.min(32, this.atoms.length - chunk * 32);
    return n >= 32 ? -1 : (1 << n) - 1;
  }

  atom(chunk: number, bit: number): Atom {
    return this.atoms[chunk * 32 + bit]!;
  }

  /** The index of the atom holding `port` of `protocol`, or -1. */
  indexOf(protocol: Protocol, port: number): number {
    return this.atoms.findIndex((a) => a.protocol === protocol && port >= a.lo && port <= a.hi);
  }

  describe(index: number): string {
    const atom = this.atoms[index]!;
    return describeAtom(atom);
  }
}

export const describeAtom = (atom: Atom): string =>
  atom.lo === atom.hi ? `${atom.protocol} ${atom.lo}` : atom.lo === 1 && atom.hi === 65535 ? `${atom.protocol} (any port)` : `${atom.protocol} ${atom.lo}-${atom.hi}`;

/**
 * Atoms covering ports 1–65535 of each protocol, cut wherever a rule's port or range starts or
 * ends (`edges`: per protocol, the first port of each interval a rule names and the one after its last).
 */
export function atomsFor(protocols: readonly Protocol[], edges: ReadonlyMap<Protocol, ReadonlySet<number>>): AtomSet {
  const atoms: Atom[] = [];
  for (const protocol of protocols) {
    const cuts = [...new Set([1, 65536, ...[...(edges.get(protocol) ?? [])].filter((p) => p > 1 && p < 65536)])].sort((a, b) => a - b);
    for (let i = 0; i + 1 < cuts.length; i++) atoms.push({ protocol, lo: cuts[i]!, hi: cuts[i + 1]! - 1 });
  }
  return new AtomSet(atoms);
}

/** One port of one protocol: a single atom. */
export const singlePort = (protocol: Protocol, port: number): AtomSet => new AtomSet([{ protocol, lo: port, hi: port }]);
