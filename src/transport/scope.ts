/**
 * The `window` and `document` that the bundled copy of fetch-event-source sees.
 *
 * The build (esbuild.config.mjs) rebinds that package's free `window` / `document` identifiers to
 * these two exports. In a browser they are the real globals, so nothing changes there. Everywhere
 * else (Node, web workers, SSR, Jest's node environment) they are inert stand-ins that delegate
 * timers and fetch to `globalThis` at call time. No global is defined or modified.
 *
 * @internal
 * @module
 */

interface ScopedWindow {
  setTimeout(handler: () => void, timeout?: number): unknown;
  clearTimeout(id: unknown): void;
  fetch: typeof fetch;
}

interface ScopedDocument {
  readonly hidden: boolean;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

const host = globalThis as { window?: ScopedWindow; document?: ScopedDocument };

/** The real `window` in a browser; a stand-in with timers and fetch elsewhere. */
export const fesWindow: ScopedWindow = host.window ?? {
  setTimeout: (handler, timeout) => globalThis.setTimeout(handler, timeout),
  clearTimeout: (id) => globalThis.clearTimeout(id as Parameters<typeof clearTimeout>[0]),
  fetch: (input, init) => globalThis.fetch(input, init),
};

/** The real `document` in a browser; a never-hidden stand-in without events elsewhere. */
export const fesDocument: ScopedDocument = host.document ?? {
  hidden: false,
  addEventListener: () => undefined,
  removeEventListener: () => undefined,
};
