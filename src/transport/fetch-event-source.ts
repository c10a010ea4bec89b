/**
 * The transport. Build and tests replace this package's free `window` / `document` with the
 * stand-ins of `./scope.ts` (see esbuild.config.mjs), so the same scoped copy runs everywhere.
 *
 * @internal
 * @module
 */
export { fetchEventSource } from '@microsoft/fetch-event-source';
export type { EventSourceMessage } from '@microsoft/fetch-event-source';
