/**
 * The API reference covers the package: typedoc.json documents every public entry point, and
 * every export is placed in a category and shows an example where users need one. (That every
 * export and member has TSDoc at all is checked by `typedoc --emit none` in `npm test`, with
 * `validation.notDocumented` and `treatWarningsAsErrors`.)
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT, publicEntries } from './code-blocks.js';

const typedoc = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')) as {
  entryPoints: string[];
  categoryOrder: string[];
  projectDocuments: string[];
};
const entries = publicEntries();

const program = ts.createProgram({
  rootNames: [...entries.values()],
  options: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true },
});
const checker = program.getTypeChecker();

interface ExportInfo {
  readonly name: string;
  readonly entry: string;
  readonly kind: 'function' | 'class' | 'interface' | 'type' | 'variable';
  readonly tags: readonly string[];
}

function kindOf(declaration: ts.Declaration): ExportInfo['kind'] {
  if (ts.isFunctionDeclaration(declaration)) return 'function';
  if (ts.isClassDeclaration(declaration)) return 'class';
  if (ts.isInterfaceDeclaration(declaration)) return 'interface';
  if (ts.isTypeAliasDeclaration(declaration)) return 'type';
  return 'variable';
}

/** Every export of every public entry, with the TSDoc tags of its first declaration. */
const exportsOf: ExportInfo[] = [...entries].flatMap(([entry, file]) => {
  const source = program.getSourceFile(file);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (symbol === undefined) throw new Error(`no module symbol for ${file}`);
  return checker.getExportsOfModule(symbol).map((exported) => {
    const target =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = target.declarations?.[0];
    if (declaration === undefined) throw new Error(`no declaration for ${exported.name}`);
    const tags = ts
      .getJSDocTags(declaration)
      .map((tag) => `${tag.tagName.text} ${ts.getTextOfJSDocComment(tag.comment) ?? ''}`.trim());
    return { name: exported.name, entry, kind: kindOf(declaration), tags };
  });
});

describe('the API reference', () => {
  it('documents every public entry point of package.json', () => {
    const documented = typedoc.entryPoints.map((file) => join(ROOT, file)).sort();
    const missing = [...entries.values()].filter((file) => !documented.includes(file));
    expect(
      missing.map((file) => `add "${relative(ROOT, file)}" to typedoc.json entryPoints`),
    ).toEqual([]);
    expect(documented).toEqual([...entries.values()].sort());
  });

  it('merges every entry point into one navigation by category', () => {
    for (const file of entries.values()) {
      const text = readFileSync(file, 'utf8');
      expect({
        file: relative(ROOT, file),
        merged: /@mergeModuleWith <project>/.test(text),
      }).toEqual({ file: relative(ROOT, file), merged: true });
    }
  });

  it('gives each entry point an example', () => {
    for (const file of entries.values()) {
      const comment = /^\/\*\*[\s\S]*?\*\//.exec(readFileSync(file, 'utf8'))?.[0] ?? '';
      expect({ file: relative(ROOT, file), example: comment.includes('@example') }).toEqual({
        file: relative(ROOT, file),
        example: true,
      });
    }
  });

  it('puts every export in a category of the navigation', () => {
    expect(exportsOf.length).toBeGreaterThan(40);
    const known = typedoc.categoryOrder.filter((name) => name !== '*');
    const misplaced = exportsOf
      .map((info) => ({
        info,
        category: info.tags.find((tag) => tag.startsWith('category '))?.slice(9),
      }))
      .filter(({ category }) => category === undefined || !known.includes(category))
      .map(({ info, category }) => `${info.entry} ${info.name}: @category ${category ?? '(none)'}`);
    expect(misplaced).toEqual([]);
  });

  it('shows an example for every function and every options object', () => {
    const needsExample = exportsOf.filter(
      (info) =>
        info.kind === 'function' ||
        (info.kind === 'interface' && /(Options|Config|Sharing)$/.test(info.name)),
    );
    expect(needsExample.length).toBeGreaterThan(10);
    const without = needsExample
      .filter((info) => !info.tags.some((tag) => tag.startsWith('example')))
      .map((info) => `${info.entry} ${info.name}`);
    expect(without).toEqual([]);
  });
});
