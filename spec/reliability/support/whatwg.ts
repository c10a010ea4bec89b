/**
 * The WHATWG event-stream rules, written out plainly as an oracle for the suite
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
 * and a correct encoder with the freedoms the grammar allows (line endings, optional space,
 * comments), for the property tests.
 *
 * The oracle is deliberately naive: decode the whole body, split it into lines, apply the field
 * rules. It is itself checked against the hand-written conformance table.
 */
import type { SseMessage } from '../../../src/index.js';

/** What a conforming client observes from one connection. */
export interface Interpretation {
  /** The messages dispatched (blocks whose data buffer was not empty). */
  readonly messages: SseMessage[];
  /** The last event ID after the last dispatch: what a reconnect sends. */
  readonly lastEventId: string;
  /** The last valid `retry:` value, if any. */
  readonly retry: number | undefined;
}

/**
 * Interprets one connection's body. `lastEventId` is the value carried in from earlier
 * connections (the spec keeps it on the EventSource object across reconnects).
 */
export function interpret(body: Uint8Array | string, lastEventId = ''): Interpretation {
  // "Streams must be decoded using the UTF-8 decode algorithm": one leading BOM is stripped,
  // invalid sequences become U+FFFD.
  const text =
    typeof body === 'string' ? body.replace(/^\uFEFF/, '') : new TextDecoder().decode(body);
  const lines = text.split(/\r\n|\r|\n/);
  // The last piece has no line terminator: it is not a line, and is never processed.
  lines.pop();

  const messages: SseMessage[] = [];
  let data = '';
  let eventType = '';
  let idBuffer = lastEventId;
  let blockId: string | undefined;
  let lastId = lastEventId;
  let retry: number | undefined;

  for (const line of lines) {
    if (line === '') {
      // Dispatch.
      lastId = idBuffer;
      if (data !== '') {
        messages.push({
          event: eventType === '' ? 'message' : eventType,
          data: data.endsWith('\n') ? data.slice(0, -1) : data,
          id: blockId,
          lastEventId: lastId,
        });
      }
      data = '';
      eventType = '';
      blockId = undefined;
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) {
          idBuffer = value;
          blockId = value;
        }
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) retry = Number(value);
        break;
      default:
        break;
    }
  }
  return { messages, lastEventId: lastId, retry };
}

/** One event for {@link encode}: data given as its lines (none may contain CR or LF). */
export interface EncodableEvent {
  readonly event?: string | undefined;
  readonly id?: string | undefined;
  /** `undefined`: no data field (an id-only or event-only block, not a message). */
  readonly lines?: readonly string[] | undefined;
}

/** The freedoms a correct encoder has. Every choice yields the same messages. */
export interface EncodingStyle {
  readonly eol: '\n' | '\r' | '\r\n';
  /** Write `field:value` instead of `field: value` when the value does not start with a space. */
  readonly compact: boolean;
  /** A comment line before the event. */
  readonly comment?: string | undefined;
  /** A `retry:` line inside the event. */
  readonly retry?: number | undefined;
}

function field(name: string, value: string, style: EncodingStyle): string {
  const separator = style.compact && !value.startsWith(' ') ? ':' : ': ';
  return `${name}${separator}${value}${style.eol}`;
}

/** Encodes one event the way a correct server may. */
export function encode(event: EncodableEvent, style: EncodingStyle): string {
  let out = '';
  if (style.comment !== undefined) out += `:${style.comment}${style.eol}`;
  if (event.event !== undefined) out += field('event', event.event, style);
  if (event.id !== undefined) out += field('id', event.id, style);
  if (style.retry !== undefined) out += field('retry', String(style.retry), style);
  for (const line of event.lines ?? []) out += field('data', line, style);
  return out + style.eol;
}

/** The messages a list of encoded events must produce, starting from `lastEventId`. */
export function expectedMessages(
  events: readonly EncodableEvent[],
  lastEventId = '',
): SseMessage[] {
  const out: SseMessage[] = [];
  let last = lastEventId;
  for (const event of events) {
    if (event.id !== undefined) last = event.id;
    if (event.lines === undefined || event.lines.length === 0) continue;
    out.push({
      event: event.event === undefined || event.event === '' ? 'message' : event.event,
      data: event.lines.join('\n'),
      id: event.id,
      lastEventId: last,
    });
  }
  return out;
}
