/**
 * The Standard Schema interface (https://standardschema.dev), which zod 4, valibot and arktype
 * implement. rx-sse validates through it and never ships a validator of its own.
 *
 * @module
 */
import type { SseIssue } from '../errors.js';

/**
 * The result of a Standard Schema validation.
 *
 * @category Endpoints
 */
export type StandardResult<Output> =
  | {
      /** The validated value (the schema's output). */
      readonly value: Output;
      /** Absent on success. */
      readonly issues?: undefined;
    }
  | {
      /** Why the value is invalid. */
      readonly issues: readonly SseIssue[];
    };

/**
 * Any Standard Schema validator: a zod 4 schema, a valibot schema, an arktype type, ….
 *
 * @category Endpoints
 */
export interface StandardSchema<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly '~standard': {
    /** The version of the Standard Schema interface. */
    readonly version: 1;
    /** The validator library, e.g. `'zod'`. */
    readonly vendor: string;
    /** Validates a value, synchronously or not. */
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    /** Carries the input and output types for inference; never read at run time. */
    readonly types?:
      | {
          /** The type the schema accepts. */
          readonly input: Input;
          /** The type the schema produces. */
          readonly output: Output;
        }
      | undefined;
  };
}

/**
 * The type a schema produces (after transforms and defaults).
 *
 * @category Endpoints
 */
export type InferOutput<S extends StandardSchema> = NonNullable<S['~standard']['types']>['output'];

/**
 * The type a schema accepts.
 *
 * @category Endpoints
 */
export type InferInput<S extends StandardSchema> = NonNullable<S['~standard']['types']>['input'];
