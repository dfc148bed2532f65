import type { ApolloServerPlugin, GraphQLRequestContext } from "@apollo/server";
import { HeaderMap } from "@apollo/server";
import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import type { Context } from "../context";
import type { CategoryTree } from "../loaders";

/** Answers remembered per tree and document before that document's memo starts over. */
const ANSWERS_PER_DOCUMENT = 16;

/** Fields of `CategoryTreeNode` answered from the tree alone (not `category`, which loads a row). */
const TREE_FIELDS = new Set(["id", "name", "slug", "depth", "children", "__typename"]);

/** The tree's answers: the Apollo plugin, and `find` for the fast path (src/execution/fast-path.ts). */
export interface TreeAnswers {
  plugin: ApolloServerPlugin<Context>;
  /**
   * For a tree-only operation, its kept `data` for the tree this request reads, or how to keep the
   * `data` its execution answers without errors; null for any other operation (or when the tree fails to load).
   */
  find(request: {
    document: DocumentNode;
    operation: OperationDefinitionNode | undefined;
    operationName: string | null;
    variables: Record<string, unknown> | undefined;
    context: Context;
  }): Promise<{ data: Record<string, unknown> } | { keep(data: Record<string, unknown>): void } | null>;
}

/**
 * Tree-only operations answered from the decoded tree's own memo (issue #12: the tree read whole
 * should cost its serialization, not a graphql-js walk of its 2,481 nodes). An operation whose only
 * root field is `categoryTree` selecting only what the tree holds (`TREE_FIELDS`, no directives,
 * no fragments) is a pure function of the tree and of its variables: once executed without errors,
 * its `data` is kept on the tree (a WeakMap keyed by the decoded tree object) and served to later
 * requests of the same document and variables that read the same tree.
 *
 * Never stale: every request still reads the tree through its loader (the near cache's barrier or
 * the store's validators, and the request's cache trace, as when executed); a write that changes
 * the tree yields another decoded object, which has no answers yet. Nothing else is skipped: the
 * limits, rate limits and trusted documents run in `didResolveOperation`, before this hook.
 */
export function createTreeAnswers(): TreeAnswers {
  const eligible = new WeakMap<DocumentNode, Map<string, boolean>>();
  const answers = new WeakMap<CategoryTree, WeakMap<DocumentNode, Map<string, Record<string, unknown>>>>();

  const isTreeOnly = (document: DocumentNode, operation: OperationDefinitionNode | undefined, operationName: string) => {
    let known = eligible.get(document);
    if (!known) eligible.set(document, (known = new Map()));
    let verdict = known.get(operationName);
    if (verdict === undefined) known.set(operationName, (verdict = operation !== undefined && treeOnly(operation)));
    return verdict;
  };

  const find: TreeAnswers["find"] = async ({ document, operation, operationName, variables, context }) => {
    if (!isTreeOnly(document, operation, operationName ?? "")) return null;
    // A failed read (the database down, nothing cached) is left to execution, whose resolver
    // meets the same failure (the loader memoizes it) and reports it with its code and path.
    const tree = await context.loaders.categoryTree.load("tree").catch(() => null);
    if (!tree) return null;
    const key = `${operationName ?? ""}\0${JSON.stringify(variables ?? {})}`;
    const data = answers.get(tree)?.get(document)?.get(key);
    if (data) return { data };
    return {
      keep(executed) {
        let byDocument = answers.get(tree);
        if (!byDocument) answers.set(tree, (byDocument = new WeakMap()));
        let byKey = byDocument.get(document);
        if (!byKey || byKey.size >= ANSWERS_PER_DOCUMENT) byDocument.set(document, (byKey = new Map()));
        byKey.set(key, executed);
      },
    };
  };

  return {
    find,
    plugin: {
      async requestDidStart() {
        let pending: { keep(data: Record<string, unknown>): void } | null = null;
        return {
          async responseForOperation({ document, operation, operationName, request, contextValue }: GraphQLRequestContext<Context>) {
            if (!document) return null;
            const found = await find({ document, operation, operationName: operationName ?? null, variables: request.variables, context: contextValue });
            if (!found) return null;
            if ("keep" in found) {
              pending = found;
              return null;
            }
            // Telemetry counts it as executed (its executionDidStart does not run for an answered operation).
            contextValue.record.executed = true;
            contextValue.record.cost = contextValue.operationCost ?? null;
            return { http: { headers: new HeaderMap(), status: undefined }, body: { kind: "single", singleResult: { data: found.data } } };
          },
          async willSendResponse({ response }) {
            if (!pending || response.body.kind !== "single") return;
            const { data, errors } = response.body.singleResult;
            if (data && (errors?.length ?? 0) === 0) pending.keep(data);
          },
        };
      },
    },
  };
}

// A query whose one root field is `categoryTree`, selecting tree fields only, down every `children`.
function treeOnly(operation: OperationDefinitionNode): boolean {
  if (operation.operation !== "query" || operation.selectionSet.selections.length !== 1) return false;
  const [root] = operation.selectionSet.selections;
  return root.kind === Kind.FIELD && root.name.value === "categoryTree" && !root.directives?.length && treeSelection(root.selectionSet);
}

function treeSelection(set: SelectionSetNode | undefined): boolean {
  if (!set) return false;
  return set.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD &&
      TREE_FIELDS.has(selection.name.value) &&
      !selection.directives?.length &&
      !selection.arguments?.length &&
      (selection.name.value === "children" ? treeSelection(selection.selectionSet) : !selection.selectionSet),
  );
}
