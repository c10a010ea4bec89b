// TypeDoc plugin (loaded by typedoc.json):
// - puts the guides of docs/guides/ in a "Guides" category at the top of the navigation, in
//   reading order, titled by their first `# heading`. A guide needs no front matter: a new file in
//   docs/guides/ joins the site on its own (after the ones listed in GUIDE_ORDER, alphabetically).
//   Front matter `title:` or `category:` still wins.
// - keeps the `@categoryDescription`s of the entry points whose `@mergeModuleWith <project>` merges
//   them into one reference (TypeDoc drops a merged module's comment), so each category of the
//   navigation keeps its description.
import { basename } from 'node:path';
import { Comment, Converter, ReflectionKind } from 'typedoc';

/** Reading order of the guides, by file name without `.md`. Unlisted guides come after. */
export const GUIDE_ORDER = [
  'getting-started',
  'endpoints',
  'auth',
  'retry',
  'connection-state',
  'many-tabs',
  'angular',
  'react',
  'node-ssr',
  'testing',
  'migrating',
  'troubleshooting',
];

/** The text of a document's first level-1 Markdown heading, if any. */
function firstHeading(document) {
  const text = document.content.map((part) => part.text).join('');
  return /^# +(.+?) *$/m.exec(text)?.[1];
}

function rank(slug) {
  const index = GUIDE_ORDER.indexOf(slug);
  return index === -1 ? GUIDE_ORDER.length : index;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  // Before TypeDoc's own merge, which listens at priority 10 000.
  app.converter.on(
    Converter.EVENT_RESOLVE_BEGIN,
    ({ project }) => {
      for (const module of project.getReflectionsByKind(ReflectionKind.Module)) {
        const comment = module.comment;
        if (comment?.getTag('@mergeModuleWith') === undefined) continue;
        const descriptions = comment.blockTags.filter((tag) => tag.tag === '@categoryDescription');
        if (descriptions.length === 0) continue;
        project.comment ??= new Comment();
        project.comment.blockTags.push(...descriptions);
      }
    },
    20_000,
  );

  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const { project } = context;
    const guides = (project.documents ?? []).map((document) => ({
      document,
      file: project.files.getReflectionPath(document),
    }));
    for (const guide of guides) {
      const { document, file } = guide;
      guide.slug = file === undefined ? document.name : basename(file, '.md');
      document.frontmatter.category ??= 'Guides';
      // A `title:` in the front matter has already replaced the name (the file name).
      if (document.name === guide.slug) document.name = firstHeading(document) ?? document.name;
    }
    const ordered = guides
      .sort((a, b) => rank(a.slug) - rank(b.slug) || a.slug.localeCompare(b.slug))
      .map(({ document }) => document);
    const isGuide = new Set(ordered);
    project.documents = ordered;
    if (project.childrenIncludingDocuments) {
      project.childrenIncludingDocuments = [
        ...ordered,
        ...project.childrenIncludingDocuments.filter((child) => !isGuide.has(child)),
      ];
    }
  });
}
