/**
 * The page's signals a stream reacts to: visibility and the network coming back. Outside a page
 * (Node, workers without `document`) there are none.
 *
 * @internal
 * @module
 */
function pageDocument(): Document | undefined {
  const doc = (globalThis as { document?: Document }).document;
  return doc !== undefined && typeof doc.addEventListener === 'function' ? doc : undefined;
}

/** Calls `onChange(hidden)` when the page's visibility changes; returns the unwatch, if any. */
export function watchVisibility(onChange: (hidden: boolean) => void): (() => void) | undefined {
  const doc = pageDocument();
  if (doc === undefined) return undefined;
  const listener = (): void => onChange(doc.hidden);
  doc.addEventListener('visibilitychange', listener);
  return () => doc.removeEventListener('visibilitychange', listener);
}

/** Whether there is a page and it is hidden. */
export function isHidden(): boolean {
  return pageDocument()?.hidden === true;
}

/**
 * Calls `callback` when the browser says the network is back (`online`) or the page becomes
 * visible again: the moments a reconnect that is waiting out its backoff should be tried at once.
 * Returns the unwatch. Never calls it outside a browser.
 */
export function whenBackOnline(callback: () => void): () => void {
  const target = globalThis as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
  const unwatch = watchVisibility((hidden) => {
    if (!hidden) callback();
  });
  target.addEventListener?.('online', callback);
  return () => {
    unwatch?.();
    target.removeEventListener?.('online', callback);
  };
}
