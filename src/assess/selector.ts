/**
 * Calico's label-selector language (IPPool/BGPPeer `nodeSelector`, policy `selector` and
 * `namespaceSelector`), parsed once into a tree and evaluated against label maps.
 *
 * Grammar, as Calico documents it: `all()`, `global()`, `has(k)`, `k == "v"`, `k != "v"`,
 * `k in {"a","b"}`, `k not in {…}`, `k contains "s"`, `k starts with "s"`, `k ends with "s"`,
 * `!e`, `e && e`, `e || e` and parentheses. Calico gives `&&` precedence over `||`.
 *
 * Besides the two-valued `selects`, the reachability model evaluates selectors in three values
 * (`matchSelector`): a label the snapshot cannot know (a ServiceAccount's own labels) makes a
 * term "maybe", and `!`, `&&`, `||` combine maybes as Kleene's logic does.
 */

export type Labels = Readonly<Record<string, string>>;
export type Selector = (labels: Labels) => boolean;

export class SelectorSyntaxError extends Error {
  override readonly name = 'SelectorSyntaxError';
}

/** A parsed selector. */
export type SelectorNode =
  | { op: 'all' }
  | { op: 'global' }
  | { op: 'has'; key: string }
  | { op: 'eq' | 'ne' | 'contains' | 'starts' | 'ends'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: ReadonlySet<string> }
  | { op: 'not'; inner: SelectorNode }
  | { op: 'and' | 'or'; terms: SelectorNode[] };

type Token = { kind: 'word' | 'string' | 'op'; value: string };

const OPERATORS = ['&&', '||', '==', '!=', '!', '(', ')', '{', '}', ','];
const WORD = /^[A-Za-z0-9_./-]+/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let rest = source;
  while (rest.length) {
    const trimmed = rest.replace(/^\s+/, '');
    if (!trimmed.length) break;
    rest = trimmed;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const end = rest.indexOf(quote, 1);
      if (end < 0) throw new SelectorSyntaxError(`unterminated string in selector ${JSON.stringify(source)}`);
      tokens.push({ kind: 'string', value: rest.slice(1, end) });
      rest = rest.slice(end + 1);
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op) {
      tokens.push({ kind: 'op', value: op });
      rest = rest.slice(op.length);
      continue;
    }
    const word = WORD.exec(rest);
    if (!word) throw new SelectorSyntaxError(`unexpected ${JSON.stringify(rest[0])} in selector ${JSON.stringify(source)}`);
    tokens.push({ kind: 'word', value: word[0] });
    rest = rest.slice(word[0].length);
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): SelectorNode {
    if (!this.tokens.length) return { op: 'all' };
    const expression = this.or();
    if (this.position < this.tokens.length) this.fail(`unexpected ${JSON.stringify(this.peek()?.value)}`);
    return expression;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.position + offset];
  }

  private fail(message: string): never {
    throw new SelectorSyntaxError(`${message} in selector ${JSON.stringify(this.source)}`);
  }

  private take(kind?: Token['kind'], value?: string): Token {
    const token = this.peek();
    if (!token || (kind && token.kind !== kind) || (value !== undefined && token.value !== value)) {
      this.fail(`expected ${value ?? kind ?? 'a token'}`);
    }
    this.position += 1;
    return token;
  }

  private accept(kind: Token['kind'], value: string): boolean {
    const token = this.peek();
    if (token?.kind === kind && token.value === value) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private or(): SelectorNode {
    const terms = [this.and()];
    while (this.accept('op', '||')) terms.push(this.and());
    return terms.length === 1 ? terms[0]! : { op: 'or', terms };
  }

  private and(): SelectorNode {
    const terms = [this.unary()];
    while (this.accept('op', '&&')) terms.push(this.unary());
    return terms.length === 1 ? terms[0]! : { op: 'and', terms };
  }

  private unary(): SelectorNode {
    if (this.accept('op', '!')) return { op: 'not', inner: this.unary() };
    if (this.accept('op', '(')) {
      const inner = this.or();
      this.take('op', ')');
      return inner;
    }
    return this.term();
  }

  private stringSet(): Set<string> {
    this.take('op', '{');
    const values = new Set<string>();
    if (!this.accept('op', '}')) {
      do values.add(this.take('string').value);
      while (this.accept('op', ','));
      this.take('op', '}');
    }
    return values;
  }

  private term(): SelectorNode {
    const word = this.take('word').value;
    if ((word === 'all' || word === 'global') && this.peek()?.value === '(') {
      this.take('op', '(');
      this.take('op', ')');
      return { op: word };
    }
    if (word === 'has' && this.peek()?.value === '(') {
      this.take('op', '(');
      const key = this.take('word').value;
      this.take('op', ')');
      return { op: 'has', key };
    }
    const key = word;
    const next = this.peek();
    if (next?.kind === 'op' && (next.value === '==' || next.value === '!=')) {
      this.position += 1;
      return { op: next.value === '==' ? 'eq' : 'ne', key, value: this.take('string').value };
    }
    if (next?.kind === 'word') {
      if (next.value === 'in') {
        this.position += 1;
        return { op: 'in', key, values: this.stringSet() };
      }
      if (next.value === 'not' && this.peek(1)?.value === 'in') {
        this.position += 2;
        return { op: 'notin', key, values: this.stringSet() };
      }
      if (next.value === 'contains') {
        this.position += 1;
        return { op: 'contains', key, value: this.take('string').value };
      }
      if ((next.value === 'starts' || next.value === 'ends') && this.peek(1)?.value === 'with') {
        this.position += 2;
        return { op: next.value, key, value: this.take('string').value };
      }
    }
    return this.fail(`expected an operator after ${JSON.stringify(key)}`);
  }
}

/** Two-valued evaluation of one term on a known label value (`undefined`: the label is absent). */
function termHolds(node: Exclude<SelectorNode, { op: 'all' | 'global' | 'not' | 'and' | 'or' }>, value: string | undefined): boolean {
  switch (node.op) {
    case 'has':
      return value !== undefined;
    case 'eq':
      return value === node.value;
    case 'ne':
      return value !== node.value;
    case 'in':
      return value !== undefined && node.values.has(value);
    case 'notin':
      return value === undefined || !node.values.has(value);
    case 'contains':
      return value?.includes(node.value) ?? false;
    case 'starts':
      return value?.startsWith(node.value) ?? false;
    case 'ends':
      return value?.endsWith(node.value) ?? false;
  }
}

function compile(node: SelectorNode): Selector {
  switch (node.op) {
    case 'all':
    case 'global':
      return () => true;
    case 'not': {
      const inner = compile(node.inner);
      return (labels) => !inner(labels);
    }
    case 'and': {
      const terms = node.terms.map(compile);
      return (labels) => terms.every((t) => t(labels));
    }
    case 'or': {
      const terms = node.terms.map(compile);
      return (labels) => terms.some((t) => t(labels));
    }
    default: {
      const key = node.key;
      return (labels) => termHolds(node, Object.hasOwn(labels, key) ? labels[key] : undefined);
    }
  }
}

const trees = new Map<string, SelectorNode>();
const cache = new Map<string, Selector>();

/** Parses a selector into its tree (cached); an empty selector is `all()`. Throws SelectorSyntaxError. */
export function parseSelectorTree(source: string): SelectorNode {
  let tree = trees.get(source);
  if (!tree) {
    tree = new Parser(tokenize(source), source).parse();
    trees.set(source, tree);
  }
  return tree;
}

/** Parses a selector (cached); an empty selector matches everything. Throws SelectorSyntaxError. */
export function parseSelector(source: string): Selector {
  let selector = cache.get(source);
  if (!selector) {
    selector = compile(parseSelectorTree(source));
    cache.set(source, selector);
  }
  return selector;
}

/** Evaluates a selector; a selector that does not parse matches nothing (Calico rejects it too). */
export function selects(source: string, labels: Labels): boolean {
  try {
    return parseSelector(source)(labels);
  } catch (error) {
    if (error instanceof SelectorSyntaxError) return false;
    throw error;
  }
}

/** True when the selector is written to match every object (`all()`, empty). */
export function isSelectAll(source: string | undefined | null): boolean {
  const trimmed = (source ?? '').replace(/\s+/g, '');
  return trimmed === '' || trimmed === 'all()';
}

/** Every label key a selector tests. */
export function selectorKeys(node: SelectorNode, into: Set<string> = new Set()): Set<string> {
  switch (node.op) {
    case 'all':
    case 'global':
      return into;
    case 'not':
      return selectorKeys(node.inner, into);
    case 'and':
    case 'or':
      for (const term of node.terms) selectorKeys(term, into);
      return into;
    default:
      into.add(node.key);
      return into;
  }
}

/** Three-valued truth: no, yes, or maybe (the snapshot cannot tell). */
export const NO = 0;
export const YES = 1;
export const MAYBE = 2;
export type Tri = typeof NO | typeof YES | typeof MAYBE;

/** Kleene negation. */
export const triNot = (value: Tri): Tri => (value === MAYBE ? MAYBE : value === YES ? NO : YES);
/** Kleene conjunction. */
export const triAnd = (a: Tri, b: Tri): Tri => (a === NO || b === NO ? NO : a === MAYBE || b === MAYBE ? MAYBE : YES);
/** Kleene disjunction. */
export const triOr = (a: Tri, b: Tri): Tri => (a === YES || b === YES ? YES : a === MAYBE || b === MAYBE ? MAYBE : NO);

/**
 * Evaluates a parsed selector in three values: a term on a key `unknown` names is maybe, whatever
 * the labels say; `!`, `&&` and `||` follow Kleene's logic, so `a == "x" || unknown` is yes when
 * `a` is `x`.
 */
export function matchSelector(node: SelectorNode, labels: Labels, unknown?: (key: string) => boolean): Tri {
  switch (node.op) {
    case 'all':
    case 'global':
      return YES;
    case 'not':
      return triNot(matchSelector(node.inner, labels, unknown));
    case 'and': {
      let result: Tri = YES;
      for (const term of node.terms) {
        result = triAnd(result, matchSelector(term, labels, unknown));
        if (result === NO) return NO;
      }
      return result;
    }
    case 'or': {
      let result: Tri = NO;
      for (const term of node.terms) {
        result = triOr(result, matchSelector(term, labels, unknown));
        if (result === YES) return YES;
      }
      return result;
    }
    default:
      if (unknown?.(node.key)) return MAYBE;
      return termHolds(node, Object.hasOwn(labels, node.key) ? labels[node.key] : undefined) ? YES : NO;
  }
}
