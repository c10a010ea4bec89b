/**
 * Turning raw messages into validated, typed events.
 *
 * @internal
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { SseUnknownEventError, SseValidationError, type SseIssue } from '../errors.js';
import { callSafely } from '../internal/report.js';
import type { SseMessage } from '../types.js';
import type {
  SseDecoder,
  SseEventMap,
  SseInvalidEvent,
  SseInvalidPolicy,
  TypedSseEvent,
} from './endpoint.js';
import type { StandardResult, StandardSchema } from './standard-schema.js';

/** The policies that govern decoding, resolved from client and endpoint. */
export interface DecodePolicies {
  readonly decode: SseDecoder;
  readonly invalid: SseInvalidPolicy;
  readonly unknownEvents: 'skip' | 'error';
  readonly onInvalid: ((error: SseValidationError) => void) | undefined;
}

type Decoded = TypedSseEvent | SseInvalidEvent;

/** Validates `value`; returns the output, or the issues. May be async (Standard Schema allows). */
export function validate<T>(
  schema: StandardSchema<unknown, T>,
  value: unknown,
): StandardResult<T> | Promise<StandardResult<T>> {
  return schema['~standard'].validate(value);
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Decodes and validates each message against the endpoint's events, keeping order even when a
 * validator is async. Invalid payloads follow the `invalid` policy; unknown events the
 * `unknownEvents` policy.
 */
export function decodeEvents(
  events: SseEventMap,
  policies: DecodePolicies,
): OperatorFunction<SseMessage, Decoded> {
  const known = Object.keys(events);
  // Resolved once per endpoint, and a Map: an event named by the server (`toString`,
  // `__proto__`) must never find a member of Object.prototype.
  const table = new Map(
    Object.entries(events).map(([name, definition]) =>
      '~standard' in definition
        ? [name, { schema: definition, decoder: policies.decode }]
        : [name, { schema: definition.schema, decoder: definition.decode ?? policies.decode }],
    ),
  );
  return (source) =>
    new Observable<Decoded>((subscriber) => {
      let queue: Promise<void> | undefined;
      let pending = 0;
      let sourceDone: (() => void) | undefined;

      const invalid = (message: SseMessage, issues: readonly SseIssue[], cause?: unknown): void => {
        const error = new SseValidationError({
          target: 'data',
          event: message.event,
          id: message.id,
          raw: message.data,
          issues,
          cause,
        });
        if (policies.invalid === 'error') {
          subscriber.error(error);
          return;
        }
        if (policies.onInvalid) callSafely(policies.onInvalid, error);
        if (policies.invalid === 'emit') {
          subscriber.next({
            event: message.event,
            invalid: error,
            raw: message.data,
            id: message.id,
            lastEventId: message.lastEventId,
          });
        }
      };

      const deliver = (message: SseMessage, result: StandardResult<unknown>): void => {
        if (subscriber.closed) return;
        if (result.issues !== undefined) {
          invalid(message, result.issues);
          return;
        }
        subscriber.next({
          event: message.event,
          data: result.value,
          id: message.id,
          lastEventId: message.lastEventId,
        });
      };

      /** Returns a promise only when the validator is async. */
      const handle = (message: SseMessage): Promise<void> | undefined => {
        const definition = table.get(message.event);
        if (definition === undefined) {
          if (policies.unknownEvents === 'error') {
            subscriber.error(
              new SseUnknownEventError({ event: message.event, known, id: message.id }),
            );
          }
          return undefined;
        }
        const { schema, decoder } = definition;
        let value: unknown;
        try {
          value =
            decoder === 'json'
              ? JSON.parse(message.data)
              : decoder === 'text'
                ? message.data
                : decoder(message.data, message.event);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          invalid(message, [{ message: `Could not decode data: ${reason}` }], error);
          return undefined;
        }
        const result = validate(schema, value);
        if (!isThenable(result)) {
          deliver(message, result);
          return undefined;
        }
        return result.then(
          (settled) => deliver(message, settled),
          (error: unknown) => subscriber.error(error),
        );
      };

      const settleOne = (): void => {
        if (--pending === 0) {
          queue = undefined;
          sourceDone?.();
        }
      };

      const subscription = source.subscribe({
        next: (message) => {
          if (queue === undefined) {
            const async = handle(message);
            if (async === undefined) return;
            pending++;
            queue = async.then(settleOne);
            return;
          }
          pending++;
          queue = queue.then(() => handle(message)).then(settleOne);
        },
        error: (error: unknown) => {
          if (queue === undefined) subscriber.error(error);
          else sourceDone = () => subscriber.error(error);
        },
        complete: () => {
          if (queue === undefined) subscriber.complete();
          else sourceDone = () => subscriber.complete();
        },
      });
      return subscription;
    });
}
