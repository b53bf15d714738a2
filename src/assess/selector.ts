/**
 * Calico's label-selector language (IPPool/BGPPeer `nodeSelector`, policy `selector` and
 * `namespaceSelector`), parsed once and evaluated against label maps.
 *
 * Grammar, as Calico documents it: `all()`, `global()`, `has(k)`, `k == "v"`, `k != "v"`,
 * `k in {"a","b"}`, `k not in {…}`, `k contains "s"`, `k starts with "s"`, `k ends with "s"`,
 * `!e`, `e && e`, `e || e` and parentheses. Calico gives `&&` precedence over `||`.
 */

export type Labels = Readonly<Record<string, string>>;
export type Selector = (labels: Labels) => boolean;

export class SelectorSyntaxError extends Error {
  override readonly name = 'SelectorSyntaxError';
}

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

  parse(): Selector {
    if (!this.tokens.length) return () => true;
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

  private or(): Selector {
    const terms = [this.and()];
    while (this.accept('op', '||')) terms.push(this.and());
    return terms.length === 1 ? terms[0]! : (labels) => terms.some((t) => t(labels));
  }

  private and(): Selector {
    const terms = [this.unary()];
    while (this.accept('op', '&&')) terms.push(this.unary());
    return terms.length === 1 ? terms[0]! : (labels) => terms.every((t) => t(labels));
  }

  private unary(): Selector {
    if (this.accept('op', '!')) {
      const inner = this.unary();
      return (labels) => !inner(labels);
    }
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

  private term(): Selector {
    const word = this.take('word').value;
    if ((word === 'all' || word === 'global') && this.peek()?.value === '(') {
      this.take('op', '(');
      this.take('op', ')');
      return () => true;
    }
    if (word === 'has' && this.peek()?.value === '(') {
      this.take('op', '(');
      const key = this.take('word').value;
      this.take('op', ')');
      return (labels) => Object.hasOwn(labels, key);
    }
    const key = word;
    const next = this.peek();
    if (next?.kind === 'op' && (next.value === '==' || next.value === '!=')) {
      this.position += 1;
      const value = this.take('string').value;
      return next.value === '=='
        ? (labels) => labels[key] === value
        : (labels) => labels[key] !== value;
    }
    if (next?.kind === 'word') {
      if (next.value === 'in') {
        this.position += 1;
        const values = this.stringSet();
        return (labels) => labels[key] !== undefined && values.has(labels[key]);
      }
      if (next.value === 'not' && this.peek(1)?.value === 'in') {
        this.position += 2;
        const values = this.stringSet();
        return (labels) => labels[key] === undefined || !values.has(labels[key]);
      }
      if (next.value === 'contains') {
        this.position += 1;
        const value = this.take('string').value;
        return (labels) => labels[key]?.includes(value) ?? false;
      }
      if ((next.value === 'starts' || next.value === 'ends') && this.peek(1)?.value === 'with') {
        this.position += 2;
        const value = this.take('string').value;
        return next.value === 'starts'
          ? (labels) => labels[key]?.startsWith(value) ?? false
          : (labels) => labels[key]?.endsWith(value) ?? false;
      }
    }
    return this.fail(`expected an operator after ${JSON.stringify(key)}`);
  }
}

const cache = new Map<string, Selector>();

/** Parses a selector (cached); an empty selector matches everything. Throws SelectorSyntaxError. */
export function parseSelector(source: string): Selector {
  let selector = cache.get(source);
  if (!selector) {
    selector = new Parser(tokenize(source), source).parse();
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
