/**
 * Finding the TypeScript code blocks of the documentation — TSDoc comments in `src/`, the guides
 * and the README — and type-checking them as the modules a user would write, with `rx-sse` and
 * its subpaths mapped to the sources.
 *
 * A block is checked when its fence says `ts`, `typescript` or `tsx`; add `no-check` to the fence
 * (```` ```ts no-check ````) for the rare block that is deliberately not a program.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const ROOT = join(__dirname, '..', '..');

/** One fenced code block. */
export interface CodeBlock {
  /** The file it comes from, relative to the repository root. */
  readonly source: string;
  /** 1-based line of the block's first code line in that file. */
  readonly line: number;
  /** The fence's info string, e.g. `ts` or `ts no-check`. */
  readonly info: string;
  readonly code: string;
}

const CHECKED = /^(ts|typescript|tsx)\b/;

export function isChecked(block: CodeBlock): boolean {
  return CHECKED.test(block.info) && !/\bno-check\b/.test(block.info);
}

/** Fenced blocks of Markdown text; `lineOf(i)` maps a line index of `text` to a file line. */
function fencedBlocks(
  source: string,
  text: string,
  lineOf: (index: number) => number,
): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*([^`]*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '```', info = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (line.trim() === fence) break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    blocks.push({ source, line: lineOf(i + 1), info: info.trim(), code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The code blocks of a Markdown file. */
export function markdownBlocks(file: string): CodeBlock[] {
  const text = readFileSync(file, 'utf8');
  return fencedBlocks(relative(ROOT, file), text, (index) => index + 1);
}

/** The code blocks inside the `/** … *\/` comments of a TypeScript file. */
export function tsdocBlocks(file: string): CodeBlock[] {
  const text = readFileSync(file, 'utf8');
  const blocks: CodeBlock[] = [];
  for (const match of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, match.index).split('\n').length;
    const comment = match[0]
      .split('\n')
      .map((line) => line.replace(/^\s*\/\*\*\s?/, '').replace(/^\s*\*\/?\s?/, ''))
      .join('\n');
    blocks.push(...fencedBlocks(relative(ROOT, file), comment, (index) => startLine + index));
  }
  return blocks;
}

export function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && pattern.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Public entry points: import specifier → source file, from package.json `exports`. */
export function publicEntries(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { import?: { types?: string } }>;
  };
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'string' ? undefined : target.import?.types;
    const match = types === undefined ? null : /^\.\/dist\/types\/(.+)\.d\.ts$/.exec(types);
    if (match === null) continue;
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`;
    entries.set(specifier, join(ROOT, 'src', `${match[1]}.ts`));
  }
  return entries;
}

/** A type error in a code block, located in the file the block comes from. */
export interface BlockProblem {
  readonly where: string;
  readonly message: string;
}

/**
 * Type-checks every block as its own module (a block without `import`/`export` gets an empty
 * `export {}`), with the repository's compiler options, in one program. Returns the problems of
 * each block, by block.
 */
export function typeCheck(blocks: readonly CodeBlock[]): Map<CodeBlock, BlockProblem[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (config === undefined) throw new Error('tsconfig.json could not be read');
  const paths: Record<string, string[]> = {};
  for (const [specifier, file] of publicEntries()) paths[specifier] = [file];
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, paths };

  // Virtual files live in the repository (so package.json and node_modules apply) but are never
  // written.
  const virtual = new Map<string, CodeBlock>();
  const texts = new Map<string, string>();
  blocks.forEach((block, index) => {
    const name = block.source.replace(/[^\w]+/g, '_');
    const ext = block.info.startsWith('tsx') ? 'tsx' : 'ts';
    const file = join(ROOT, 'docs', '__examples__', `${name}_${index}_L${block.line}.${ext}`);
    const isModule = /^\s*(import|export)\s/m.test(block.code);
    virtual.set(file, block);
    texts.set(file, isModule ? block.code : `${block.code}\nexport {};\n`);
  });

  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => texts.has(file) || fileExists.call(host, file);
  host.readFile = (file) => texts.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
    const text = texts.get(file);
    return text === undefined
      ? getSourceFile.call(host, file, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(file, text, languageVersion, true);
  };
  const program = ts.createProgram({ rootNames: [...texts.keys()], options, host });

  const problems = new Map<CodeBlock, BlockProblem[]>();
  for (const [file, block] of virtual) {
    const sourceFile = program.getSourceFile(file);
    if (sourceFile === undefined) throw new Error(`not in the program: ${file}`);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ];
    problems.set(
      block,
      diagnostics.map((diagnostic) => {
        const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        return {
          where: `${block.source}:${block.line + line}`,
          message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
        };
      }),
    );
  }
  return problems;
}
