/**
 * The documentation's code compiles: every TypeScript block in a TSDoc comment, a guide or the
 * README is type-checked against the sources, as a user's module importing `rx-sse`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  filesUnder,
  isChecked,
  markdownBlocks,
  tsdocBlocks,
  typeCheck,
  type BlockProblem,
  type CodeBlock,
} from './code-blocks.js';

const sources = [
  ...filesUnder(join(ROOT, 'src'), /\.tsx?$/).map((file) => ({ file, blocks: tsdocBlocks(file) })),
  ...[
    join(ROOT, 'README.md'),
    ...(existsSync(join(ROOT, 'docs', 'guides'))
      ? filesUnder(join(ROOT, 'docs', 'guides'), /\.md$/)
      : []),
  ].map((file) => ({ file, blocks: markdownBlocks(file) })),
].map(({ file, blocks }) => ({
  name: file.slice(ROOT.length + 1),
  blocks: blocks.filter(isChecked),
  unchecked: blocks.filter(
    (block) => /^(ts|typescript|tsx)\b/.test(block.info) && !isChecked(block),
  ),
}));

const withCode = sources.filter((source) => source.blocks.length > 0);

// Proof that the checker sees errors and resolves every public entry, checked in the same program.
const broken: CodeBlock = {
  source: 'spec/docs/broken.md',
  line: 1,
  info: 'ts',
  code: "import { fromSse } from 'rx-sse';\nfromSse('/feed', { retry: 'often' });",
};
const subpath: CodeBlock = {
  source: 'spec/docs/subpath.md',
  line: 1,
  info: 'ts',
  code: "import { createMockSseFetch } from 'rx-sse/testing';\nconst n: number = createMockSseFetch().requests.length;",
};
const script: CodeBlock = {
  source: 'spec/docs/script.md',
  line: 1,
  info: 'ts',
  code: 'const answer = 42;\nconsole.log(await Promise.resolve(answer));',
};

let problems: Map<CodeBlock, BlockProblem[]>;
beforeAll(() => {
  problems = typeCheck([...withCode.flatMap((source) => source.blocks), broken, subpath, script]);
}, 120_000);

describe('code blocks of the documentation', () => {
  it('finds the blocks of the API docs, the README and every guide', () => {
    const names = withCode.map((source) => source.name);
    expect(names).toEqual(
      expect.arrayContaining(['README.md', 'src/from-sse.ts', 'src/client/create-client.ts']),
    );
    const guides = filesUnder(join(ROOT, 'docs', 'guides'), /\.md$/).map((file) =>
      file.slice(ROOT.length + 1),
    );
    expect(guides.length).toBeGreaterThan(0);
    for (const guide of guides) expect(names).toContain(guide);
  });

  it('reports type errors with the line they are on, and resolves rx-sse and its subpaths', () => {
    expect(problems.get(broken)).toEqual([
      expect.objectContaining({ where: 'spec/docs/broken.md:2' }),
    ]);
    expect(problems.get(subpath)).toEqual([]);
    // A block without imports is still a module: its names stay its own, top-level await works.
    expect(problems.get(script)).toEqual([]);
  });

  it.each(withCode.map((source) => [source.name, source] as const))(
    '%s: every ts block compiles',
    (_name, source) => {
      const found = source.blocks.flatMap((block) => problems.get(block) ?? []);
      expect(found.map((problem) => `${problem.where}: ${problem.message}`)).toEqual([]);
    },
  );

  it('keeps blocks marked no-check rare', () => {
    const unchecked = sources.flatMap((source) => source.unchecked);
    expect(unchecked.length).toBeLessThanOrEqual(3);
  });
});
