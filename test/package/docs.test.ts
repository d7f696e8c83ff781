// docs/api.md against the built package: each entry point's exports (read from its .d.ts with the TypeScript
// compiler), the proxy's members, the fields of exported interfaces, and procxy's error classes with codes and fields.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const api = readFileSync(path.join(root, 'docs/api.md'), 'utf8');

interface PackageJson {
  readonly name: string;
  readonly exports: Readonly<Record<string, string | { readonly types: string }>>;
}
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;

/** Entry point specifier (`procxy/stub`) to its declaration file. */
const entries = new Map(
  Object.entries(pkg.exports).flatMap(([key, target]) =>
    typeof target === 'string' ? [] : [[pkg.name + key.slice(1), path.join(root, target.types)] as const],
  ),
);

const program = ts.createProgram([...entries.values()], {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2023,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();

function exportsOf(file: string): ts.Symbol[] {
  const source = program.getSourceFile(file);
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`${file} is not a module: run npm run build`);
  return checker.getExportsOfModule(module);
}

function resolved(symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** A member's name as the docs write it: `[Symbol.asyncDispose]` is `Symbol.asyncDispose`. */
function memberName(symbol: ts.Symbol): string {
  const wellKnown = /^__@(\w+)@\d+$/.exec(symbol.escapedName as string);
  return wellKnown === null ? symbol.name : `Symbol.${wellKnown[1]}`;
}

/** The `## ` sections of api.md by heading. */
const sections = new Map(
  api
    .split(/^## /m)
    .slice(1)
    .map((text) => [text.slice(0, text.indexOf('\n')).trim(), text] as const),
);

/** Table rows of a section, keyed by the code spans of their first cell. */
function rows(section: string): { readonly names: string[]; readonly cells: string[] }[] {
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).slice(1, -1);
      const names = [...cells[0]!.matchAll(/`\[?([\w$.]+)/g)].map((m) => m[1]!);
      return { names, cells };
    });
}

const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
const hasWord = (text: string, word: string): boolean =>
  new RegExp(`(^|[^\\w$])${word.replace(/\$/g, '\\$')}([^\\w$]|$)`).test(text);

describe('docs/api.md', () => {
  it('has a section for every entry point in package.json exports, and for no other', () => {
    const documented = [...sections.keys()].flatMap(
      (heading) => /^`(procxy[\w/-]*)`$/.exec(heading)?.[1] ?? [],
    );
    expect(documented.sort()).toEqual([...entries.keys()].sort());
  });

  for (const [entry, file] of entries) {
    it(`lists exactly the exports of ${entry}`, () => {
      const section = sections.get(`\`${entry}\``) ?? '';
      const listed = rows(section).flatMap((row) => row.names.slice(0, 1));
      expect(listed.sort()).toEqual(
        exportsOf(file)
          .map((symbol) => symbol.name)
          .sort(),
      );
    });
  }

  it("names every member of the proxy's controls and events in 'The proxy'", () => {
    const section = sections.get('The proxy') ?? '';
    const documented = new Set(rows(section).flatMap((row) => row.names));
    const types = exportsOf(entries.get('procxy')!).filter((s) =>
      ['ProxyControls', 'ProxyEvents'].includes(s.name),
    );
    expect(types).toHaveLength(2);
    for (const type of types) {
      for (const member of checker.getDeclaredTypeOfSymbol(resolved(type)).getProperties())
        expect(documented, `${type.name}.${memberName(member)}`).toContain(memberName(member));
    }
  });

  it('names the fields of every exported interface in its row', () => {
    // The proxy's types are checked member by member above.
    const elsewhere = new Set(['ProxyControls', 'ProxyEvents']);
    const all = [...sections.values()].flatMap(rows);
    let checked = 0;
    for (const file of entries.values()) {
      for (const symbol of exportsOf(file)) {
        const target = resolved(symbol);
        if (!(target.flags & ts.SymbolFlags.Interface) || elsewhere.has(symbol.name)) continue;
        const text = all
          .filter((row) => row.names[0] === symbol.name)
          .flatMap((row) => codeSpans(row.cells.join(' ')))
          .join(' ');
        for (const member of checker.getDeclaredTypeOfSymbol(target).getProperties())
          expect(hasWord(text, member.name), `${symbol.name}.${member.name}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('gives every error class of procxy its code and its own fields, and every ProcxyErrorCode a class', () => {
    const exports = exportsOf(entries.get('procxy')!);
    const base = exports.find((s) => s.name === 'ProcxyError')!;
    const baseType = checker.getDeclaredTypeOfSymbol(resolved(base));
    const errorRows = new Map(
      rows(sections.get('`procxy`') ?? '')
        .filter((row) => row.cells.length === 4)
        .map((row) => [row.names[0]!, row.cells] as const),
    );
    // The code each class passes to ProcxyError, from the built JavaScript.
    const js = readFileSync(path.join(root, 'dist/runtime/errors.js'), 'utf8');
    const codes = new Map(
      [...js.matchAll(/class (\w+) extends ProcxyError \{[\s\S]*?super\('(PROCXY_\w+)'/g)].map(
        (m) => [m[1]!, m[2]!] as const,
      ),
    );
    const classes = exports.filter((symbol) => {
      const target = resolved(symbol);
      if (!(target.flags & ts.SymbolFlags.Class)) return false;
      const type = checker.getDeclaredTypeOfSymbol(target);
      return type === baseType || checker.isTypeAssignableTo(type, baseType);
    });
    expect(classes.length).toBeGreaterThan(10);
    for (const symbol of classes) {
      const cells = errorRows.get(symbol.name);
      expect(cells, `a row for ${symbol.name} in the errors table`).toBeDefined();
      const [, code, fields] = cells!;
      if (symbol !== base) expect(code, symbol.name).toContain(`\`${codes.get(symbol.name)}\``);
      const declaration = resolved(symbol).valueDeclaration as ts.ClassDeclaration;
      // A subclass redeclares `code` only to narrow its type to its own literal: not a field of its own.
      const own = declaration.members
        .filter(ts.isPropertyDeclaration)
        .map((member) => member.name.getText())
        .filter((name) => symbol === base || name !== 'code');
      expect(codeSpans(fields!).sort(), symbol.name).toEqual(own.sort());
    }
    const union = checker.getDeclaredTypeOfSymbol(
      resolved(exports.find((s) => s.name === 'ProcxyErrorCode')!),
    );
    const all = (union as ts.UnionType).types.map((type) => (type as ts.StringLiteralType).value);
    expect([...codes.values()].sort()).toEqual(all.sort());
  });
});
