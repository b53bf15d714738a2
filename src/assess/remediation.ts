/**
 * Remediation as data. A rule's fix is a list of steps — comments, commands (program, arguments,
 * JSON bodies, a YAML heredoc, pipes, redirections), variable assignments and loops — and this
 * module alone turns them into shell text, every word through one quoting function (`shellWord`).
 * No rule concatenates a value into shell text (house style 20: a command is data, as `execFile`
 * takes an argv rather than a string).
 *
 * Values from the cluster (names, selectors, versions, the region) are wrapped in `value()`: they
 * are quoted like every word, and in addition a value holding a character that cannot be pasted
 * safely (a line break, a terminal escape, a bidi override), or one that begins with `-` and would
 * be read as an option, makes its whole command be left out, with a comment saying why; the finding
 * records it (`RenderedRemediation.left`). In comments such characters are shown escaped; in a
 * heredoc a value is written as a YAML scalar (plain when that reads back the same, else
 * double-quoted with escapes), so a value can never end the heredoc or change the manifest's shape.
 */
import { escapeUnsafe, firstUnsafeCharacter, hasUnsafeCharacters } from './unsafe-text.js';

// ---------------------------------------------------------------------------------------------
// The model

/** A value taken from the cluster (or the snapshot): quoted, checked, and named in messages. */
export interface ValueWord {
  kind: 'value';
  value: string;
  /** What it is, for the message when it must be left out: `IPPool name`, `region`. */
  what: string;
  /** The form it must have (e.g. an EC2 id where a value lands inside the AWS CLI's shorthand syntax). */
  form?: RegExp;
}
/** A JSON document as one argument (`--patch '{"spec":…}'`). */
export interface JsonWord {
  kind: 'json';
  value: unknown;
}
/** A shell variable (`"$id"`, or `$CALICO_VERSION` when it holds a plain word). */
export interface VariableWord {
  kind: 'variable';
  name: string;
}
/** The output of a command (`$(…)`). */
export interface CaptureWord {
  kind: 'capture';
  command: Command;
}
/** Several parts written as one argument (`--from-literal=HOST="$(…)"`). */
export interface JoinedWord {
  kind: 'joined';
  parts: readonly Word[];
}
/** A word written by the rule itself (a program, an option), or one of the above. */
export type Word = string | number | ValueWord | JsonWord | VariableWord | CaptureWord | JoinedWord;

/** Comment text: literal parts written by the rule, and values placed between them. */
export interface Text {
  parts: readonly string[];
  values: readonly TextValue[];
}
/** A value in comment text: shown as is (escaped if unsafe), or as a shell word (a command quoted in a comment). */
export type TextValue = string | number | boolean | null | { kind: 'word'; word: Word };

/** A YAML document for a heredoc: literal text written by the rule, and values placed in it. */
export interface Yaml {
  parts: readonly string[];
  values: readonly YamlValue[];
}
/** A value in YAML: a scalar (plain when safe, else quoted), or always double-quoted (`quoted`). */
export type YamlValue = string | number | boolean | { kind: 'quoted'; value: string };

export interface Command {
  kind: 'command';
  /** The program, then its arguments. */
  argv: readonly Word[];
  /** `NAME=value` assignments for this command only. */
  env?: ReadonlyArray<readonly [string, Word]>;
  /** A YAML document on standard input (`<<'EOF'`). */
  input?: Yaml;
  /** Standard output to this file (`> file`). */
  output?: string;
  /** Standard output piped into this command. */
  pipe?: Command;
  /** A trailing comment. */
  note?: Text;
  /** Continue the line (`\` and a newline) before these argv indices. */
  breakBefore?: readonly number[];
}
export interface Comment {
  kind: 'comment';
  text: Text;
}
export interface Blank {
  kind: 'blank';
}
export interface Assign {
  kind: 'assign';
  name: string;
  value: Word;
  note?: Text;
}
/** `for x in a b; do …; done`, or `cmd | while read -r x; do …; done` over a command's output lines. */
export interface Loop {
  kind: 'loop';
  variable: string;
  over: readonly Word[] | Command;
  body: readonly Command[];
}
export type Step = Comment | Blank | Command | Assign | Loop;
/** A finding's fix: steps, rendered once, by `renderRemediation`. */
export type Remediation = readonly Step[];

// ---------------------------------------------------------------------------------------------
// Building it

/** A value from the cluster, named for the message if it must be left out. */
export const value = (text: string, what: string, form?: RegExp): ValueWord => ({ kind: 'value', value: text, what, ...(form ? { form } : {}) });
export const json = (document: unknown): JsonWord => ({ kind: 'json', value: document });
export const variable = (name: string): VariableWord => ({ kind: 'variable', name });
export const capture = (command: Command): CaptureWord => ({ kind: 'capture', command });
export const joined = (...parts: Word[]): JoinedWord => ({ kind: 'joined', parts });
/** A command; add `input`, `output`, `note`, `env` or `breakBefore` by spreading it. */
export const cmd = (...argv: Word[]): Command => ({ kind: 'command', argv });
/** `a | b | c`. */
export const pipeline = (first: Command, ...rest: Command[]): Command =>
  rest.length ? { ...first, pipe: pipeline(rest[0]!, ...rest.slice(1)) } : first;
export const assign = (name: string, word: Word, note?: Text): Assign => ({ kind: 'assign', name, value: word, ...(note ? { note } : {}) });
export const loop = (name: string, over: readonly Word[] | Command, ...body: Command[]): Loop => ({ kind: 'loop', variable: name, over, body });
export const blank: Blank = { kind: 'blank' };

/** Comment text: `` text`make ${node} a route reflector` ``. */
export const text = (parts: TemplateStringsArray, ...values: TextValue[]): Text => ({ parts: [...parts], values });
/** A comment line: `` comment`…` `` renders `# …`. */
export const comment = (parts: TemplateStringsArray, ...values: TextValue[]): Comment => ({ kind: 'comment', text: text(parts, ...values) });
/** A comment of plain text with no values. */
export const note = (line: string): Comment => ({ kind: 'comment', text: { parts: [line], values: [] } });
/** A shell word inside comment text (a command a person may run), quoted as the commands are. */
export const word = (w: Word): TextValue => ({ kind: 'word', word: w });

/** A YAML document: `` yaml`name: ${name}` ``. */
export const yaml = (parts: TemplateStringsArray, ...values: YamlValue[]): Yaml => ({ parts: [...parts], values });
/**
 * A string literal in a Calico selector (`'kube-system'`): single-quoted, or double-quoted when it
 * holds a single quote; `null` when it holds both, which no selector literal can (Calico's selector
 * lexer has no escapes).
 */
export function selectorLiteral(textValue: string): string | null {
  if (!textValue.includes("'")) return `'${textValue}'`;
  if (!textValue.includes('"')) return `"${textValue}"`;
  return null;
}

/** A YAML string always written double-quoted (selectors, which Calico's own examples quote). */
export const quoted = (text: string): YamlValue => ({ kind: 'quoted', value: text });
/** Documents or fragments one after another, one per line. */
export function yamlLines(...pieces: Yaml[]): Yaml {
  const parts: string[] = [];
  const values: YamlValue[] = [];
  pieces.forEach((piece, i) => {
    const [head, ...tail] = piece.parts;
    if (i === 0) parts.push(head!);
    else parts[parts.length - 1] += `\n${head!}`;
    parts.push(...tail);
    values.push(...piece.values);
  });
  return { parts, values };
}

// ---------------------------------------------------------------------------------------------
// Rendering it

/** Characters that need no quoting in a shell word. */
const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

/** The one quoting function: a word as the shell reads it back unchanged (single quotes when needed). */
export const shellWord = (text: string): string => (PLAIN_WORD.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** JSON with everything outside printable ASCII escaped: it parses back to the same value. */
export const asciiJson = (document: unknown): string =>
  (JSON.stringify(document) ?? 'null').replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A value that cannot be written safely: the reason its command was left out. */
class Refused extends Error {}

/** How each variable may be written: bare (it holds a plain word), quoted, or not at all (its assignment was left out). */
type Scope = Map<string, 'plain' | 'quoted' | 'refused'>;

const describe = (w: ValueWord, problem: string) => `the ${w.what} ${JSON.stringify(escapeUnsafe(w.value))} ${problem}`;

function checkValue(w: ValueWord, leading: boolean): void {
  const unsafe = firstUnsafeCharacter(w.value);
  if (unsafe) throw new Refused(describe(w, `contains ${unsafe === 'U+000A' ? 'a line break' : `the character ${unsafe}`}, which cannot be pasted safely`));
  if (leading && w.value.startsWith('-')) throw new Refused(describe(w, 'starts with "-" and would be read as an option'));
  if (leading && !w.value) throw new Refused(`the ${w.what} is empty`);
  if (w.form && !w.form.test(w.value)) throw new Refused(describe(w, 'does not have the form of one'));
}

function literal(textValue: string): string {
  const unsafe = firstUnsafeCharacter(textValue);
  if (unsafe) throw new Refused(`an argument ${JSON.stringify(escapeUnsafe(textValue))} contains the character ${unsafe}`);
  return textValue;
}

/** The unquoted text of a word that does not depend on the shell (checked), or `null` for a variable or capture. */
function staticText(w: Word, leading: boolean): string | null {
  if (typeof w === 'number') return String(w);
  if (typeof w === 'string') return literal(w);
  if (w.kind === 'value') {
    checkValue(w, leading);
    return w.value;
  }
  if (w.kind === 'json') return asciiJson(w.value);
  return null;
}

/** The text of a word, and whether it may be written bare; parts of a joined word are quoted separately. */
function renderWord(w: Word, scope: Scope, leading = true): string {
  if (typeof w === 'number') return String(w);
  if (typeof w === 'string') return shellWord(literal(w));
  switch (w.kind) {
    case 'value':
      checkValue(w, leading);
      return shellWord(w.value);
    case 'json':
      return shellWord(asciiJson(w.value));
    case 'variable': {
      const how = scope.get(w.name) ?? 'quoted';
      if (how === 'refused') throw new Refused(`it uses $${w.name}, whose value was left out`);
      return how === 'plain' ? `$${w.name}` : `"$${w.name}"`;
    }
    case 'capture':
      return `"$(${renderCommandLine(w.command, scope)})"`;
    case 'joined': {
      // Static parts are quoted as one word (`'a[{b=c}]'`, not `'a[{b='c'}]'`); variables and captures between them stay live.
      const out: string[] = [];
      let pending: string | null = null;
      w.parts.forEach((part, i) => {
        const fixed = staticText(part, leading && i === 0);
        if (fixed !== null) pending = (pending ?? '') + fixed;
        else {
          if (pending !== null) out.push(shellWord(pending));
          pending = null;
          out.push(renderWord(part, scope, false));
        }
      });
      if (pending !== null) out.push(shellWord(pending));
      return out.join('');
    }
  }
}

/** One command line (with its pipe); `heredoc` names the delimiter of its standard input, if it has one. */
function renderCommandLine(command: Command, scope: Scope, heredoc?: string): string {
  const env = (command.env ?? []).map(([name, w]) => `${name}=${renderWord(w, scope, false)}`);
  const words = command.argv.map((w, i) => `${command.breakBefore?.includes(i) ? '\\\n  ' : ''}${renderWord(w, scope, i > 0)}`);
  const input = heredoc ? ` <<'${heredoc}'` : '';
  const output = command.output ? ` > ${shellWord(literal(command.output))}` : '';
  const pipe = command.pipe ? ` | ${renderCommandLine(command.pipe, scope)}` : '';
  return `${[...env, ...words].join(' ')}${input}${output}${pipe}`;
}

/** YAML 1.1 (what calicoctl and kubectl read) would take these as something other than a string. */
const YAML_SPECIAL = /^(?:y|n|yes|no|on|off|true|false|null|~|[-+]?(?:\.?\d[\d_]*(?:\.\d*)?(?:e[-+]?\d+)?|0x[\da-f_]+|0o?[0-7_]+|\.inf|\.nan)|[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?|\d{4}-\d\d?-\d\d?.*)$/i;

/** Safe inside a plain scalar: printable ASCII, no indicator first, no `: ` or ` #`, no trailing space or colon. */
const plainPart = (textValue: string): boolean =>
  /^[\x20-\x7e]+$/.test(textValue) &&
  !/^[-?:,[\]{}#&*!|>'"%@`\s]/.test(textValue) &&
  !/[\s:]$/.test(textValue) &&
  !textValue.includes(': ') &&
  !textValue.includes(' #');

/** A whole scalar: plain when it reads back as the same string, else double-quoted with escapes. */
const yamlScalar = (textValue: string): string => (plainPart(textValue) && !YAML_SPECIAL.test(textValue) ? textValue : asciiJson(textValue));

function renderYaml(document: Yaml): string[] {
  let out = document.parts[0]!;
  document.values.forEach((v, i) => {
    const after = document.parts[i + 1]!;
    if (typeof v === 'number' || typeof v === 'boolean') out += String(v);
    else if (typeof v === 'object') out += asciiJson(v.value);
    else {
      // A value that is the whole scalar (after `key: ` or `- `, alone to the end of its line) may be quoted.
      const lineBefore = out.slice(out.lastIndexOf('\n') + 1);
      const whole = /^\s*(?:[\w./-]+: |- )$/.test(lineBefore) && /^(\n|$)/.test(after);
      if (whole) out += yamlScalar(v);
      else if (plainPart(v)) out += v;
      else throw new Refused(`the value ${JSON.stringify(escapeUnsafe(v))} cannot be written inside a YAML value`);
    }
    out += after;
  });
  return out.split('\n');
}

function renderText(t: Text, scope: Scope): string {
  let out = t.parts[0]!;
  t.values.forEach((v, i) => {
    if (v !== null && typeof v === 'object') {
      try {
        out += renderWord(v.word, scope);
      } catch {
        // Not writable as a word (a line break in it): shown escaped, which a comment can hold.
        const raw = typeof v.word === 'object' ? (v.word.kind === 'value' ? v.word.value : '…') : String(v.word);
        out += escapeUnsafe(raw);
      }
    } else out += escapeUnsafe(String(v));
    out += t.parts[i + 1]!;
  });
  return escapeUnsafe(out);
}

/** A heredoc delimiter no line of the body equals. */
function delimiterFor(body: readonly string[]): string {
  let delimiter = 'EOF';
  for (let n = 1; body.includes(delimiter); n++) delimiter = `EOF_${n}`;
  return delimiter;
}

/** A command's lines: the command line, then its heredoc body and delimiter. */
function renderCommand(command: Command, scope: Scope, indent = ''): string[] {
  const noteText = command.note ? `   # ${renderText(command.note, scope)}` : '';
  if (!command.input) return [`${indent}${renderCommandLine(command, scope)}${noteText}`];
  const body = renderYaml(command.input);
  const delimiter = delimiterFor(body);
  return [`${indent}${renderCommandLine(command, scope, delimiter)}${noteText}`, ...body, delimiter];
}

function renderStep(step: Step, scope: Scope): string[] {
  switch (step.kind) {
    case 'blank':
      return [''];
    case 'comment':
      return [`# ${renderText(step.text, scope)}`.trimEnd()];
    case 'command':
      return renderCommand(step, scope);
    case 'assign': {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(step.name)) throw new Refused(`${step.name} is not a variable name`);
      const noteText = step.note ? `  # ${renderText(step.note, scope)}` : '';
      try {
        const rendered = step.value !== null && typeof step.value === 'object' && step.value.kind === 'capture'
          ? `$(${renderCommandLine(step.value.command, scope)})`
          : renderWord(step.value, scope, false);
        scope.set(step.name, PLAIN_WORD.test(rendered) ? 'plain' : 'quoted');
        return [`${step.name}=${rendered}${noteText}`];
      } catch (error) {
        scope.set(step.name, 'refused');
        throw error;
      }
    }
    case 'loop': {
      if (!/^[a-z_][a-z0-9_]*$/.test(step.variable)) throw new Refused(`${step.variable} is not a loop variable name`);
      const head = Array.isArray(step.over)
        ? `for ${step.variable} in ${(step.over as readonly Word[]).map((w) => renderWord(w, scope, false)).join(' ')}; do`
        : `${renderCommandLine(step.over as Command, scope)} | while read -r ${step.variable}; do`;
      scope.set(step.variable, 'quoted');
      // Commands with a heredoc stay at the margin, where the heredoc's delimiter must be.
      const body = step.body.flatMap((command) => renderCommand(command, scope, command.input ? '' : '  '));
      return [head, ...body, 'done'];
    }
  }
}

export interface RenderedRemediation {
  /** The shell text, ready to paste. */
  text: string;
  /** Why commands were left out (empty when none was). */
  left: string[];
  /** The steps written out, in order (the rest were left out). */
  kept: Step[];
}

/** Renders a remediation; a step that cannot be written safely becomes a comment saying why. */
export function renderRemediation(steps: Remediation): RenderedRemediation {
  const scope: Scope = new Map();
  const lines: string[] = [];
  const left: string[] = [];
  const kept: Step[] = [];
  for (const step of steps) {
    try {
      lines.push(...renderStep(step, scope));
      kept.push(step);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      left.push(error.message);
      lines.push(`# (a command is left out here: ${escapeUnsafe(error.message)})`);
    }
  }
  return { text: lines.join('\n'), left, kept };
}

/** True when a value is safe to place in a command as is (no unsafe character). */
export const pasteable = (textValue: string): boolean => !hasUnsafeCharacters(textValue);
