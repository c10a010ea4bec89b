/**
 * Feeding a real response body to the transport in chosen pieces, so every split point (inside a
 * CRLF, inside a UTF-8 character, inside a field name) is exercised deterministically.
 */

/** A small seeded PRNG (mulberry32): the same seed gives the same splits. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Piece sizes that split a body once, after its first `at` bytes, and nowhere else. */
export function splitOnceAt(at: number): () => number {
  let first = true;
  return () => {
    if (!first) return 1 << 20;
    first = false;
    return at;
  };
}

/**
 * Re-chunks `body` into pieces of at most `size()` bytes (at least 1). Never waits to fill a piece:
 * an SSE body stays open, so a piece holds what has arrived.
 */
export function rechunk(
  body: ReadableStream<Uint8Array>,
  size: () => number,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let pending = new Uint8Array(0);
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const want = Math.max(1, size());
      while (!done && pending.length === 0) {
        const result = await reader.read();
        if (result.done) done = true;
        else {
          const merged = new Uint8Array(pending.length + result.value.length);
          merged.set(pending);
          merged.set(result.value, pending.length);
          pending = merged;
        }
      }
      if (pending.length === 0) {
        controller.close();
        return;
      }
      controller.enqueue(pending.slice(0, want));
      pending = pending.slice(want);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** A real `fetch` whose response bodies arrive in pieces of `size()` bytes. */
export function chunkingFetch(size: () => number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.body === null) return response;
    return new Response(rechunk(response.body, size), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
