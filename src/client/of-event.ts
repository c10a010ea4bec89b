/**
 * `ofEvent`: narrow a stream of typed events to some event names.
 *
 * @module
 */
import { filter, type OperatorFunction } from 'rxjs';

/**
 * Keeps only the events with the given names, narrowing the union type accordingly. An ordinary
 * pipeable operator. Invalid events (policy `'emit'`) never pass it.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createSseClient, defineEndpoint, ofEvent } from 'rx-sse';
 *
 * const api = createSseClient({
 *   baseUrl: 'https://chat.example.com',
 *   endpoints: {
 *     room: defineEndpoint({
 *       path: '/rooms/:roomId/events',
 *       events: {
 *         message: z.object({ user: z.string(), text: z.string() }),
 *         typing: z.object({ user: z.string() }),
 *       },
 *     }),
 *   },
 * });
 *
 * api.room({ params: { roomId: 42 } })
 *   .pipe(ofEvent('message'))
 *   .subscribe(({ data }) => console.log(`${data.user}: ${data.text}`));
 * ```
 * @category Operators
 */
export function ofEvent<E extends { readonly event: string }, const N extends E['event']>(
  ...names: [N, ...N[]]
): OperatorFunction<E, Extract<E, { readonly event: N }>> {
  const wanted = new Set<string>(names);
  return filter(
    (value: E): value is Extract<E, { readonly event: N }> =>
      wanted.has(value.event) && !('invalid' in value),
  );
}
