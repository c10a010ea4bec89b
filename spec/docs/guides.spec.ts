/**
 * The guides agree with the API reference where they repeat it, and each has the title the site
 * shows in its navigation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, filesUnder } from './code-blocks.js';

/** The rows of the first Markdown table after `marker`, as trimmed cells, header excluded. */
function tableAfter(text: string, marker: string): string[][] {
  const start = text.indexOf(marker);
  if (start === -1) throw new Error(`marker not found: ${marker}`);
  const rows: string[][] = [];
  for (const line of text.slice(start).split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(
      trimmed
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim().replace(/\s+/g, ' ')),
    );
  }
  return rows.slice(2); // header and separator
}

describe('the guides', () => {
  it('state the retry policy exactly as sseRetryPolicy documents it', () => {
    const tsdoc = readFileSync(join(ROOT, 'src/retry/policy.ts'), 'utf8')
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    const guide = readFileSync(join(ROOT, 'docs/guides/retry.md'), 'utf8');
    const documented = tableAfter(tsdoc, '| what happened');
    expect(documented.length).toBeGreaterThan(5);
    expect(tableAfter(guide, '## What is retried')).toEqual(documented);
  });

  it.each(
    filesUnder(join(ROOT, 'docs', 'guides'), /\.md$/).map((file) => [file.slice(ROOT.length + 1)]),
  )('%s has a title for the navigation: a level-1 heading first', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    // Front matter with a `title:` is the other way to name a guide.
    const frontMatter = /^---\n([\s\S]*?)\n---\n/.exec(text);
    if (frontMatter?.[1] !== undefined && /^title: *\S/m.test(frontMatter[1])) return;
    const body = text.slice(frontMatter?.[0].length ?? 0).trimStart();
    expect(body.split('\n')[0]).toMatch(/^# \S/);
  });
});
