import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLError, type GraphQLSchema, type SelectionSetNode } from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";

/**
 * The estimated cost of an operation, before it runs: every field costs 1, and a list costs its
 * selection times how many items it can return. `first` and `limit` say it where the schema has
 * them (their default page size when absent); otherwise the catalog's shape is estimated below.
 * It bounds the work and the size of a response, so a nested `products(first: 100)` three deep
 * (a million products) costs about a million and is refused, while a category page costs a few hundred.
 */
export interface CostEstimates {
  /** `products` and `Category.products` without `first`. Default 20 (DEFAULT_PAGE_SIZE). */
  defaultPageSize: number;
  /** `search` without `first`. Default 20. */
  searchPageSize: number;
  /** Top-level categories (`categoryTree`'s first level, `categories` without a parent). Default 20. */
  categoryRoots: number;
  /** Children of one category (`children`, `categories(parentId)`). Default 10. */
  categoryChildren: number;
  /**
   * Most categories one level of a `categoryTree` holds: level d holds roots × children^d of them,
   * up to this. Default 5,000.
   */
  maxTreeNodes: number;
  /** `ancestors` of a category (the tree's depth). Default 6. */
  ancestors: number;
  /** Facets of one search (category, leafCategory, brand, price). Default 4. */
  facets: number;
  /** Values of one search facet (SEARCH_FACET_VALUES). Default 50. */
  facetValues: number;
  /** `stats.byBrand`: brands in the catalog. Default 500. */
  brands: number;
  /** Any other list. Default 10. */
  otherList: number;
}

export const defaultCostEstimates: CostEstimates = {
  defaultPageSize: 20,
  searchPageSize: 20,
  categoryRoots: 20,
  categoryChildren: 10,
  maxTreeNodes: 5_000,
  ancestors: 6,
  facets: 4,
  facetValues: 50,
  brands: 500,
  otherList: 10,
};

/** Deepest `categoryTree` when `maxDepth` is absent (the resolver's own default). */
const TREE_DEPTH = 10;

/**
 * The cost of the operation `operationName` of `document` with `variables`. Throws when the
 * variables do not fit the operation (execution then reports them as BAD_USER_INPUT, before any
 * resolver runs) or when the document has more than `maxNodes` selections.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  estimates: CostEstimates = defaultCostEstimates,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return getComplexity({ schema, query: document, variables, operationName, estimators: [createCostEstimator(estimates, fragments)] });
}

/** True when `error` is graphql-query-complexity refusing a document for its number of selections. */
export function isTooManyNodes(error: unknown): error is GraphQLError {
  return error instanceof Error && error.message.startsWith("Query exceeds the maximum allowed number of nodes");
}

/**
 * The estimator: 1 for the field, plus its selection's cost times the items it returns. A
 * categoryTree is costed level by level (./treeCost), from the costs of the fields below it, which
 * the library estimates first (bottom up) and this estimator remembers by node.
 */
export function createCostEstimator(estimates: CostEstimates, fragments: ReadonlyMap<string, FragmentDefinitionNode> = new Map()): ComplexityEstimator {
  const costs = new Map<FieldNode, number>();
  return ({ type, field, node, args, childComplexity }) => {
    const page = pageOf(type.name, field.name, args, estimates);
    let cost: number;
    if (type.name === "Query" && field.name === "categoryTree") {
      cost = treeCost(node, typeof args.maxDepth === "number" ? args.maxDepth : TREE_DEPTH, estimates, costs, fragments);
    } else if (page) {
      // A page: its items (edges, hits) times its size; pageInfo, totalCount and facets once.
      cost = 1;
      for (const child of fieldsOf(node.selectionSet ? [node.selectionSet] : [], fragments)) {
        cost += (child.name.value === page.items ? page.size : 1) * (costs.get(child) ?? 1);
      }
    } else {
      cost = ownCost(type.name, field.name, args) + listSize(type.name, field.name, estimates, field.type.toString()) * childComplexity;
    }
    costs.set(node, cost);
    return cost;
  };
}

/** The connections: the field of their items and how many a page holds (`first`, or the default). */
function pageOf(type: string, field: string, args: Record<string, unknown>, e: CostEstimates): { items: string; size: number } | null {
  const first = typeof args.first === "number" ? args.first : undefined;
  switch (`${type}.${field}`) {
    case "Query.products":
    case "Category.products":
      return { items: "edges", size: first ?? e.defaultPageSize };
    case "Query.search":
      return { items: "hits", size: first ?? e.searchPageSize };
    default:
      return null;
  }
}

/**
 * A tree's cost: each level's selection (the fields beside `children`) once per category the level
 * can hold, down to `maxDepth` (deeper levels come back empty), where `children` goes on.
 */
function treeCost(
  node: FieldNode,
  maxDepth: number,
  e: CostEstimates,
  costs: ReadonlyMap<FieldNode, number>,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): number {
  let total = 1;
  let level: readonly SelectionSetNode[] = node.selectionSet ? [node.selectionSet] : [];
  for (let depth = 0, breadth = e.categoryRoots; depth <= maxDepth && level.length > 0; depth++, breadth *= e.categoryChildren) {
    let perCategory = 0;
    const next: SelectionSetNode[] = [];
    for (const field of fieldsOf(level, fragments)) {
      if (field.name.value === "children") {
        perCategory += 1;
        if (field.selectionSet) next.push(field.selectionSet);
      } else {
        perCategory += costs.get(field) ?? 1;
      }
    }
    total += Math.min(breadth, e.maxTreeNodes) * perCategory;
    level = next;
  }
  return total;
}

/** The fields of selection sets, through inline fragments and fragment spreads (each spread once). */
function fieldsOf(sets: readonly SelectionSetNode[], fragments: ReadonlyMap<string, FragmentDefinitionNode>): FieldNode[] {
  const fields: FieldNode[] = [];
  const spread = new Set<string>();
  const stack = [...sets];
  while (stack.length > 0) {
    for (const selection of stack.pop()!.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) stack.push(selection.selectionSet);
      else if (!spread.has(selection.name.value)) {
        spread.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) stack.push(fragment.selectionSet);
      }
    }
  }
  return fields;
}

// Writes cost what they write: importProducts a unit per row (its report's rows are counted once).
function ownCost(type: string, field: string, args: Record<string, unknown>): number {
  if (type === "Mutation" && field === "importProducts" && Array.isArray(args.rows)) return 1 + args.rows.length;
  return 1;
}

function listSize(type: string, field: string, e: CostEstimates, fieldType: string): number {
  switch (`${type}.${field}`) {
    case "Query.categories":
      return e.categoryChildren;
    case "Category.children":
      return e.categoryChildren;
    case "Category.ancestors":
      return e.ancestors;
    case "Facet.values":
      return e.facetValues;
    case "CatalogStats.byBrand":
      return e.brands;
    case "CatalogStats.byTopLevelCategory":
      return e.categoryRoots;
    case "SearchResult.facets":
      return e.facets;
    // Counted elsewhere: edges and hits by their page, a tree node's children by treeCost, a report's rows at the mutation.
    case "ProductConnection.edges":
    case "SearchResult.hits":
    case "CategoryTreeNode.children":
    case "ImportReport.rows":
      return 1;
    default:
      return fieldType.startsWith("[") ? e.otherList : 1;
  }
}
