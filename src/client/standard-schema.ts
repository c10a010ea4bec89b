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
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly SseIssue[] };

/**
 * Any Standard Schema validator: a zod 4 schema, a valibot schema, an arktype type, ….
 *
 * @category Endpoints
 */
export interface StandardSchema<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
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
