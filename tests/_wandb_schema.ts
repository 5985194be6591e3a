/**
 * W&B's GraphQL schema (tests/fixtures/wandb_schema.graphql, see its header for provenance) and the check
 * every GraphQL request gets against it: parse, validate, variables coerced against the operation's variable
 * definitions. The emulator runs it on every request; tests/wandb_documents_test.ts on every document of
 * lib/tracking/wandb.
 * @module
 */
import {
  buildSchema,
  type DocumentNode,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  parse,
  validate,
} from "graphql";

/** The schema, built once from the fixture. */
export const wandbSchema: GraphQLSchema = buildSchema(
  await Deno.readTextFile(new URL("./fixtures/wandb_schema.graphql", import.meta.url)),
);

/** A request that W&B's schema accepts: its document, operation and coerced variables. */
export interface CheckedGraphql {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
}

/**
 * Parses and validates a GraphQL document against W&B's schema and coerces its variables against the
 * operation's variable definitions, as the GraphQL server does before it runs anything.
 *
 * @param query The document.
 * @param variables The request's variables (`undefined` to check the document alone).
 * @param operationName The request's operation name, if any.
 * @returns The checked request, or the errors a GraphQL server answers (HTTP 400).
 * @example
 * ```ts
 * const r = checkGraphql("query Viewer { viewer { id } }", {});
 * if ("errors" in r) console.log(r.errors.map((e) => e.message));
 * ```
 */
export function checkGraphql(
  query: string,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
): CheckedGraphql | { errors: readonly GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (e) {
    if (e instanceof GraphQLError) return { errors: [e] };
    throw e;
  }
  const problems = validate(wandbSchema, document);
  if (problems.length) return { errors: problems };
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) {
    return {
      errors: [
        new GraphQLError(
          operationName ? `Unknown operation named "${operationName}".` : "Must provide operation name.",
        ),
      ],
    };
  }
  if (variables === undefined) return { document, operation, variables: {} };
  const coerced = getVariableValues(wandbSchema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) return { errors: coerced.errors };
  return { document, operation, variables: coerced.coerced };
}
